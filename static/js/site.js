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

  // The navigation folds behind the menu button when its entries would run under the search box
  // (static/css/app.css, .topbar.folded): measured unfolded, since what fits depends on the role's
  // entries and the language, not on a fixed width.
  var topbar = document.querySelector(".topbar");
  function fold() {
    if (!topbar || !nav) { return; }
    topbar.classList.remove("folded");
    var links = nav.querySelectorAll("a");
    var right = topbar.querySelector(".topbar-right");
    var last = links.length ? links[links.length - 1].getBoundingClientRect().right : 0;
    var limit = right ? right.getBoundingClientRect().left : window.innerWidth;
    var overflows = nav.scrollWidth > nav.clientWidth + 1 || last > limit;
    topbar.classList.toggle("folded", overflows);
    if (!overflows && button) { button.setAttribute("aria-expanded", "false"); nav.classList.remove("open"); }
  }
  var pending = false;
  fold();
  window.addEventListener("load", fold);  // the web fonts may widen the entries once they arrive
  window.addEventListener("resize", function () {
    if (!pending) { pending = true; window.requestAnimationFrame(function () { pending = false; fold(); }); }
  });

  // A picker that submits its form when changed (<select data-autosubmit>): an attribute handled
  // here, not an onchange= attribute, so the CSP needs no 'unsafe-inline' (issue #15).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { if (select.form) { select.form.submit(); } });
  });
})();
