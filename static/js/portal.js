/* After a form comes back with errors, keyboard focus goes to what to fix: the page's
 * error summary (.error-summary) or an element marked data-autofocus, whichever comes
 * first, so a keyboard or screen-reader user does not start again from the top.
 * Loaded with defer from base.html; every page works without it. */
(function () {
  "use strict";
  var target = document.querySelector(".error-summary, [data-autofocus]");
  if (!target) {
    return;
  }
  if (!target.hasAttribute("tabindex")) {
    target.setAttribute("tabindex", "-1");
  }
  target.focus();
})();
