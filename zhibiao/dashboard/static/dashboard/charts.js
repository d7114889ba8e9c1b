// Draws the dashboard's charts from the JSON the page embeds (#dashboard-data). The same
// figures are in tables on the page, so nothing is lost where scripts or charts do not run.
(function () {
  "use strict";

  function withParam(key, value) {
    const params = new URLSearchParams(window.location.search);
    params.delete("page");
    if (value) params.set(key, value); else params.delete(key);
    return "?" + params.toString();
  }

  function draw(id, option, onClick) {
    const element = document.getElementById(id);
    if (!element || !window.echarts) return null;
    const chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "inherit" } }, option));
    if (onClick) chart.on("click", onClick);
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function start() {
    const node = document.getElementById("dashboard-data");
    if (!node) return;
    const data = JSON.parse(node.textContent);
    const red = ["#b3261e", "#1f6fb2", "#2e8b57", "#c77c02", "#6f42c1", "#6c757d"];

    draw("chart-trend", {
      color: red,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 16, top: 40, bottom: 32 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: data.trend.map(function (s) {
        return { name: s.name + "（" + s.unit + "）", type: "line", smooth: false, data: s.values };
      }),
    });

    const unit = data.indicator.unit;
    draw("chart-towns", {
      color: red,
      title: { text: data.indicator.name, subtext: unit, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 48, right: 16, top: 56, bottom: 72 },
      xAxis: { type: "category", data: data.towns.map(function (r) { return r.name; }), axisLabel: { rotate: 40, interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.towns.map(function (r) { return r.value; }), cursor: data.may_narrow ? "pointer" : "default" }],
    }, data.may_narrow ? function (event) {
      const row = data.towns[event.dataIndex];
      if (row && row.key) window.location.search = withParam("town", row.key);
    } : null);

    const sections = data.sections.slice(0, 12).reverse();
    draw("chart-sections", {
      color: ["#1f6fb2"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 16, bottom: 24, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: sections.map(function (r) { return r.name; }), axisLabel: { width: 160, overflow: "truncate" } },
      series: [{ type: "bar", data: sections.map(function (r) { return r.value; }), cursor: data.may_narrow ? "pointer" : "default" }],
    }, data.may_narrow ? function (event) {
      const row = sections[event.dataIndex];
      if (row && row.key) window.location.search = withParam("industry", row.key);
    } : null);

    if (data.history.length) {
      draw("chart-history", {
        color: red,
        tooltip: { trigger: "axis" },
        grid: { left: 48, right: 16, top: 16, bottom: 28 },
        xAxis: { type: "category", data: data.history.map(function (r) { return r.day; }) },
        yAxis: { type: "value" },
        series: [{ type: "line", data: data.history.map(function (r) { return r.value; }) }],
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
