/* Loaded with defer from base.html; every page works without it.
 *
 * 1. After a form comes back with errors, keyboard focus goes to what to fix: the
 *    page's error summary (.error-summary) or an element marked data-autofocus,
 *    whichever comes first, so a keyboard or screen-reader user does not start again
 *    from the top.
 * 2. Print buttons (.print-button) print the page: no inline script anywhere, so a
 *    Content-Security-Policy without 'unsafe-inline' holds. */
(function () {
  "use strict";
  var target = document.querySelector(".error-summary, [data-autofocus]");
  if (target) {
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".print-button");
    if (button) {
      window.print();
    }
  });
})();
