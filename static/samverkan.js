/* Samverkan: the only script. Optional: every page works without it.
 *
 * After a refused form submit the page comes back with its errors. Move the keyboard
 * focus to where the problem is, so keyboard and screen reader users start there:
 * an error summary if the page has one, else the first field marked invalid, else the
 * page's error message. (The error text itself is tied to its field with
 * aria-describedby, and error messages sit in a role="alert" region.)
 */
(function () {
  "use strict";
  var mal = document.querySelector(".felsammanfattning")
    || document.querySelector("main [aria-invalid='true']")
    || document.querySelector("main .meddelande--fel");
  if (!mal) {
    return;
  }
  if (!mal.matches("input, select, textarea, button, a[href]") && !mal.hasAttribute("tabindex")) {
    mal.setAttribute("tabindex", "-1");
  }
  mal.focus();
})();
