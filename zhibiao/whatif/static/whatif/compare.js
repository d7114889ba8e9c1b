// Draws the comparison's bars from the JSON the page embeds (#compare-data). The same figures
// are in the tables on the page, so nothing is lost where scripts or charts do not run.
(function () {
  "use strict";

  function bars(id, categories, series, horizontal) {
    const element = document.getElementById(id);
    if (!element || !window.echarts) return;
    const chart = window.echarts.init(element, null, { renderer: "canvas" });
    const valueAxis = { type: "value" };
    const categoryAxis = { type: "category", data: categories, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: "inherit" },
      color: ["#b3261e", "#1f6fb2", "#2e8b57", "#c77c02", "#6f42c1", "#6c757d"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values.map(Number) };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    const node = document.getElementById("compare-data");
    if (!node) return;
    const data = JSON.parse(node.textContent);
    bars("chart-totals", data.names, [
      { name: data.labels.now, values: data.now },
      { name: data.labels.draft, values: data.draft },
    ], false);
    bars("chart-towns", data.by.town.labels, data.by.town.series, false);
    bars("chart-sections", data.by.section.labels, data.by.section.series, false);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
