/* The workbench's item picker (templates/staff/entry_pick.html): the list of matching
 * items follows the typing, fetched from the same server search the form submits to
 * (?fragment=1 answers the list alone). Arrow keys move from the box into the list and
 * between its links; Escape goes back to the box. The count is read out through a
 * polite live region. Without JavaScript the form's Search button does the same. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-picker]");
  var results = document.getElementById("picker-results");
  var live = document.getElementById("picker-live");
  if (!form || !results || !window.fetch) {
    return;
  }
  var box = form.querySelector("input[name=q]");
  var timer = null;
  var pending = null;
  var shown = box.value;

  function links() {
    return Array.prototype.slice.call(results.querySelectorAll("a"));
  }

  function announce() {
    var count = results.querySelector("[data-count]");
    if (live) {
      live.textContent = count ? count.textContent.trim() : "";
    }
  }

  function search() {
    var query = box.value.trim();
    if (query === shown) {
      return;
    }
    if (pending) {
      pending.abort();
    }
    pending = window.AbortController ? new AbortController() : null;
    var params = new URLSearchParams({ q: query, fragment: "1" });
    var url = form.getAttribute("data-fragment-url") + "?" + params.toString();
    fetch(url, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: pending ? pending.signal : undefined
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        results.innerHTML = html;
        shown = query;
        announce();
        var address = query ? "?" + new URLSearchParams({ q: query }).toString() : "";
        window.history.replaceState(null, "", window.location.pathname + address);
      })
      .catch(function () {
        /* aborted by newer typing, or offline: the Search button still works */
      });
  }

  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 150);
  });

  box.addEventListener("keydown", function (event) {
    var found = links();
    if (event.key === "ArrowDown" && found.length) {
      event.preventDefault();
      found[0].focus();
    }
  });

  results.addEventListener("keydown", function (event) {
    var found = links();
    var index = found.indexOf(document.activeElement);
    if (index < 0) {
      return;
    }
    if (event.key === "ArrowDown" && index < found.length - 1) {
      event.preventDefault();
      found[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (index > 0 ? found[index - 1] : box).focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      box.focus();
    }
  });
})();
