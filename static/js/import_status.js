// An import's status page (templates/complaints/import_detail.html); a static file so the CSP needs
// no 'unsafe-inline' (issue #15).
(function () {
  // Poll the status once a second while the job runs; reload when it ends so
  // the counts and the row errors are rendered by the server.
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") return;
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.finished) { window.location.reload(); return; }
      document.getElementById("job-status").textContent = s.status_display;
      document.getElementById("job-progress").value = s.percent;
      // Counts with thousands separators, as the server prints them (core.numbers.display).
      document.getElementById("job-rows").textContent = (s.rows_done || 0).toLocaleString("en-US") + " / " + (s.rows_total || 0).toLocaleString("en-US");
      setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
