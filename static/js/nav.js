// The tablet navigation's toggle (templates/base.html): a button whose aria-expanded says
// whether the navigation is open; Escape closes it and gives the focus back to the button.
(function () {
  "use strict";
  var button = document.querySelector(".nav-burger");
  var nav = document.getElementById("mainnav");
  if (!button || !nav) { return; }
  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  }
  button.addEventListener("click", function () { set(button.getAttribute("aria-expanded") !== "true"); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
})();
