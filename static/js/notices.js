// The notices list (templates/notices/list.html); a static file so the CSP needs no
// 'unsafe-inline' (issue #15).
// Publishing freezes the month: ask once more.
document.querySelectorAll("[data-confirm]").forEach(function (button) {
  button.addEventListener("click", function (event) {
    if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
});
// Progress while the worker renders: poll each running row's status until it is done.
(function () {
  document.querySelectorAll("tr[data-poll]").forEach(function (row) {
    var url = row.getAttribute("data-poll");
    var timer = setInterval(function () {
      fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
        row.querySelector(".js-status").textContent = s.status_display;
        var bar = row.querySelector(".js-progress"), stage = row.querySelector(".js-stage");
        if (bar) { bar.value = s.progress; }
        if (stage) { stage.textContent = s.error && s.status === "failed" ? s.error : s.stage; }
        if (!s.running) { clearInterval(timer); window.location.reload(); }
      }).catch(function () {});
    }, 1500);
  });
})();
