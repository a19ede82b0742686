// The department page's trend chart (templates/kpis/_department_body.html). A static file, not an
// inline script, so the CSP needs no 'unsafe-inline' (issue #15): the series names in the page's
// language come from data attributes on the chart's box.
(function () {
  var box = document.getElementById("trend");
  if (!box || typeof echarts === "undefined") return;
  var L_COUNT = box.getAttribute("data-l-count"), L_SAT = box.getAttribute("data-l-sat");
  var data = JSON.parse(document.getElementById("trend-data").textContent);
  var chart = echarts.init(box);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {data: [L_COUNT, L_SAT]},
    xAxis: {type: "category", data: data.map(function (d) { return d.month; })},
    yAxis: [{type: "value", name: L_COUNT}, {type: "value", name: L_SAT, min: 0, max: 100}],
    series: [
      {name: L_COUNT, type: "bar", data: data.map(function (d) { return d.complaints; }), itemStyle: {color: "#00706b"}},
      {name: L_SAT, type: "line", yAxisIndex: 1, data: data.map(function (d) { return d.satisfaction_rate; })}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
  box.setAttribute("data-rendered", "1");
})();
