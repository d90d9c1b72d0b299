/* Samverkan: the only script. Optional: every page works without it.
 *
 * 1. After a refused form submit the page comes back with its errors. Move the keyboard
 *    focus to where the problem is, so keyboard and screen reader users start there:
 *    an error summary if the page has one, else the first field marked invalid, else the
 *    page's error message. (The error text itself is tied to its field with
 *    aria-describedby, and error messages sit in a role="alert" region.)
 *    A link in the summary moves the focus to its field, not only the view.
 * 2. A table wider than the screen scrolls sideways inside its own frame, not the whole
 *    page. A frame that scrolls is a region named by the table's caption and takes
 *    keyboard focus, so it can be scrolled with the arrow keys; one that fits is neither.
 */
(function () {
  "use strict";

  function fokuseraFel() {
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
  }

  function lankarTillFalten() {
    document.addEventListener("click", function (handelse) {
      var lank = handelse.target.closest(".felsammanfattning a[href^='#']");
      var falt = lank && document.getElementById(decodeURIComponent(lank.getAttribute("href").slice(1)));
      if (!falt) {
        return;
      }
      handelse.preventDefault();
      // Show the field with its label and error above it, then give it the focus.
      var ram = falt.closest(".falt, fieldset") || falt;
      ram.scrollIntoView({block: "start"});
      falt.focus({preventScroll: true});
      history.replaceState(null, "", lank.getAttribute("href"));
    });
  }

  function ramaInTabeller() {
    var tabeller = document.querySelectorAll("main table");
    Array.prototype.forEach.call(tabeller, function (tabell, i) {
      if (tabell.parentElement.classList.contains("tabellram")) {
        return;
      }
      var ram = document.createElement("div");
      ram.className = "tabellram";
      var rubrik = tabell.querySelector("caption");
      if (rubrik) {
        if (!rubrik.id) {
          rubrik.id = "tabellrubrik-" + (i + 1);
        }
        ram.setAttribute("data-rubrik", rubrik.id);
      }
      tabell.parentNode.insertBefore(ram, tabell);
      ram.appendChild(tabell);
    });
  }

  function markeraRullbara() {
    Array.prototype.forEach.call(document.querySelectorAll(".tabellram"), function (ram) {
      var rullar = ram.scrollWidth > ram.clientWidth + 1;
      if (rullar && !ram.hasAttribute("tabindex")) {
        ram.setAttribute("tabindex", "0");
        ram.setAttribute("role", "region");
        if (ram.getAttribute("data-rubrik")) {
          ram.setAttribute("aria-labelledby", ram.getAttribute("data-rubrik"));
        } else {
          ram.setAttribute("aria-label", "Tabell");
        }
      } else if (!rullar && ram.hasAttribute("tabindex")) {
        ["tabindex", "role", "aria-labelledby", "aria-label"].forEach(function (namn) {
          ram.removeAttribute(namn);
        });
      }
    });
  }

  ramaInTabeller();
  markeraRullbara();
  window.addEventListener("resize", markeraRullbara);
  lankarTillFalten();
  fokuseraFel();
})();
