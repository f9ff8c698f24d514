/* Draws the dashboard's indicator charts with the self-hosted ECharts (vendor/echarts).
 *
 * Reads the figures the page embeds with json_script (#dashboard-data); the tables under the
 * charts hold the same figures, so without scripts nothing is lost. Decimals arrive as strings
 * and are only turned into numbers here, for drawing.
 */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  document.documentElement.classList.add("charts-on");
  var labels = data.labels;
  var charts = [];

  function number(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    element.setAttribute("data-drawn", "true");
    charts.push(chart);
  }

  function empty(option) {
    option.title = { text: labels.empty, left: "center", top: "middle", textStyle: { color: "#888", fontSize: 14 } };
    return option;
  }

  function base() {
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 48, top: 40, bottom: 48, containLabel: true },
      textStyle: { fontFamily: "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif" },
    };
  }

  /* Planned, started and completed compounds as bars, the completion rate as a line. */
  function progress(id, series) {
    var option = base();
    option.legend = { top: 0, data: [labels.planned, labels.started, labels.completed, labels.completionRate] };
    option.xAxis = { type: "category", data: series.categories, axisLabel: { interval: 0, rotate: series.categories.length > 6 ? 30 : 0 } };
    option.yAxis = [
      { type: "value", name: labels.compounds, minInterval: 1 },
      { type: "value", name: labels.rate, min: 0, max: 100, splitLine: { show: false } },
    ];
    option.series = [
      { name: labels.planned, type: "bar", data: series.planned },
      { name: labels.started, type: "bar", data: series.started },
      { name: labels.completed, type: "bar", data: series.completed },
      { name: labels.completionRate, type: "line", yAxisIndex: 1, connectNulls: false, data: series.completionRate.map(number) },
    ];
    draw(id, series.categories.length ? option : empty(option));
  }

  function outputs(id, figures) {
    var option = base();
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" } };
    option.xAxis = { type: "value", name: labels.quantity };
    option.yAxis = { type: "category", data: figures.categories.slice().reverse() };
    option.series = [{ name: labels.quantity, type: "bar", data: figures.values.map(number).reverse(), label: { show: true, position: "right" } }];
    draw(id, figures.categories.length ? option : empty(option));
  }

  function investment(id, money) {
    var option = base();
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" } };
    option.xAxis = { type: "category", data: [labels.plannedInvestment, labels.disbursedInvestment] };
    option.yAxis = { type: "value", name: labels.investment };
    option.series = [{ name: labels.investment, type: "bar", barMaxWidth: 64, data: [number(money.planned), number(money.disbursed)], label: { show: true, position: "top" } }];
    draw(id, option);
  }

  progress("chart-years", data.years);
  progress("chart-subdistricts", data.subdistricts);
  progress("chart-zones", data.zones);
  outputs("chart-outputs", data.outputs);
  investment("chart-investment", data.investment);

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
