// ECharts bars of the coverage page, drawn from a JSON data block (no inline script: CSP).
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var byTown = el.getAttribute("data-kind") === "towns";
    var names = byTown ? data.towns : data.functions;
    var values = byTown ? data.townShares : data.functionShares;
    if (!names || !names.length) { el.hidden = true; return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      grid: { left: 48, right: 16, top: 32, bottom: 80 },
      title: { text: byTown ? data.townsLabel : data.functionsLabel, textStyle: { fontSize: 13, fontWeight: "normal" } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      xAxis: { type: "category", data: names, axisLabel: { rotate: names.length > 6 ? 40 : 0, interval: 0 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{
        type: "bar",
        data: values,
        barMaxWidth: 48,
        itemStyle: { color: byTown ? "#c0392b" : "#1d4ed8" },
        label: { show: names.length <= 24, position: "top", formatter: "{c}%" }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".st-chart[data-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
