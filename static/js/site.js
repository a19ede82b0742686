// The site's own behaviour on every page (templates/base.html), for the keyboard (issue #17).
(function () {
  "use strict";

  // The tablet navigation's toggle: a button whose aria-expanded says whether the navigation is
  // open; Escape closes it and gives the focus back to the button.
  var button = document.querySelector(".nav-burger");
  var nav = document.getElementById("mainnav");
  if (button && nav) {
    var set = function (open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    };
    button.addEventListener("click", function () { set(button.getAttribute("aria-expanded") !== "true"); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        set(false);
        button.focus();
      }
    });
  }

  // A table wider than its box scrolls sideways: the keyboard can scroll it only if the box takes
  // the focus (WCAG 2.1.1), so such a box becomes a named, focusable region — and stops being one
  // when the window grows wide enough.
  function scrollables() {
    document.querySelectorAll(".table-container").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          var card = box.closest("section, .card");
          var heading = card && card.querySelector("h2, h3");
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", heading ? heading.textContent.trim() : document.title);
        }
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  scrollables();
  window.addEventListener("resize", scrollables);

  // A picker that submits its form when changed (<select data-autosubmit>): an attribute handled
  // here, not an onchange= attribute, so the CSP needs no 'unsafe-inline' (issue #15).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { if (select.form) { select.form.submit(); } });
  });
})();
