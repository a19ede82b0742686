// Searchable pickers (issue #14): a select[data-picker=unit] becomes a Tom Select over the units the
// viewer may pick (city → county → station, indented, duplicate names with their parent), loaded once from
// its data-url; an input[data-picker=feeder] searches 线路 by name as one types. Without JavaScript the
// select still submits the chosen unit and the feeder box takes a typed name.
(function () {
  "use strict";
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }

  function unitPicker(el) {
    var ts = new TomSelect(el, {
      valueField: "id", labelField: "label", searchField: ["label", "ancestors"], sortField: [{ field: "$score" }, { field: "$order" }],
      maxOptions: 2000, allowEmptyOption: true, placeholder: el.getAttribute("data-placeholder"),
      render: {
        option: function (d) {
          var pad = 0.5 + 1.1 * (d.depth || 0);
          return '<div class="unit-option level-' + esc(d.level || "") + '" style="padding-left:' + pad + 'rem">' + esc(d.label) +
            (d.ancestors ? ' <small class="muted">' + esc(d.ancestors) + "</small>" : "") + "</div>";
        },
        no_results: function () { return '<div class="no-results">—</div>'; }
      }
    });
    el.setAttribute("data-picker-ready", "loading");
    fetch(el.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        data.units.forEach(function (u) {
          u.id = String(u.id);
          if (ts.options[u.id]) { ts.updateOption(u.id, u); } else { ts.addOption(u); }
        });
        ts.refreshOptions(false);
        el.setAttribute("data-picker-ready", String(data.units.length));
      });
  }

  function feederPicker(el) {
    var url = el.getAttribute("data-url");
    var ts = new TomSelect(el, {
      valueField: "id", labelField: "label", searchField: ["name"], maxItems: 1, create: false, persist: false,
      placeholder: el.getAttribute("data-placeholder"), shouldLoad: function (q) { return q.length >= 1; },
      load: function (q, callback) {
        fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (data) { callback(data.feeders); }, function () { callback(); });
      }
    });
    if (el.value) { ts.addOption({ id: el.value, label: el.value, name: el.value }); ts.setValue(el.value, true); }
  }

  function init() {
    if (typeof TomSelect === "undefined") { return; }
    document.querySelectorAll("select[data-picker=unit]").forEach(unitPicker);
    document.querySelectorAll("input[data-picker=feeder]").forEach(feederPicker);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
