// Charts of the analysis page. Every bar and slice carries the URL of the orders behind it.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var words = data.labels;
  // "{name}：{value} 件" with the values filled in (the words come translated from the server).
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) { return key in values ? values[key] : m; });
  }
  function shareTip(p) { return fill(words.share, { name: p.name, value: p.value, share: p.data.share.toFixed(2) }); }
  var teal = "#00706b", red = "#d9534f";
  var palette = ["#00706b", "#f0ad4e", "#5b8def", "#d9534f", "#8e6cc7", "#3fb68b"];
  function go(params) { if (params.data && params.data.url) { window.location.href = params.data.url; } }
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") { return null; }
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(option);
    c.on("click", go);
    // Set once the first render (and its animation) is done: bars are clickable from then on.
    c.on("finished", function () { el.setAttribute("data-finished", "1"); });
    window.addEventListener("resize", function () { c.resize(); });
    el.setAttribute("data-rendered", "1");
    return c;
  }
  chart("chart-categories", {
    color: palette,
    tooltip: { trigger: "item", formatter: shareTip },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: data.categories,
               label: { formatter: function (p) { return p.name + "\n" + p.data.share.toFixed(2) + "%"; } } }]
  });
  chart("chart-subcategories", {
    grid: { left: 150, right: 40, top: 10, bottom: 20 },
    tooltip: { trigger: "item", formatter: shareTip },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.subcategories.map(function (s) { return s.name; }) },
    series: [{ type: "bar", itemStyle: { color: teal }, label: { show: true, position: "right" },
               data: data.subcategories }]
  });
  chart("chart-hourly", {
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    tooltip: { trigger: "item", formatter: function (p) { return fill(words.count, { name: p.name, value: p.value }); } },
    xAxis: { type: "category", data: data.hourly.map(function (_, h) { return fill(words.hour, { h: h }); }) },
    yAxis: { type: "value", name: words.axis },
    series: [{
      type: "bar",
      data: data.hourly.map(function (h) {
        return { value: h.value, url: h.url, itemStyle: { color: h.peak ? red : teal },
                 label: { show: h.peak, position: "top", formatter: words.peak, color: red } };
      })
    }]
  });
})();
