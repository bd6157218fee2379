// The statistics charts (Apache ECharts, vendored). Each chart's data is in its element's
// data-chart attribute; a click on a bar, point or slice marks the table row behind it (on a
// topic page) or opens the topic page at that row (on the overview).
(function () {
  "use strict";
  function draw(element) {
    var spec = JSON.parse(element.getAttribute("data-chart"));
    var chart = echarts.init(element, null, { renderer: "canvas" });
    var option;
    if (spec.kind === "pie") {
      option = {
        tooltip: { trigger: "item", valueFormatter: function (v) { return v === null || v === undefined ? "<5" : v; } },
        series: [{
          type: "pie", radius: "65%",
          data: spec.labels.map(function (label, i) {
            return { name: label, value: spec.series.length ? spec.series[0].data[i] : null, key: spec.keys[i] };
          }).filter(function (d) { return d.value !== null; })
        }]
      };
    } else {
      option = {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "<5" : v; } },
        legend: { top: 0, type: "scroll" },
        grid: { left: 48, right: 16, top: 36, bottom: 56 },
        xAxis: { type: "category", data: spec.labels, axisLabel: { rotate: spec.labels.length > 6 ? 40 : 0 } },
        yAxis: { type: "value" },
        series: spec.series.map(function (s) {
          return { name: s.name, type: spec.kind, data: s.data, connectNulls: false };
        })
      };
    }
    option.animation = false;  // drawn at once: a click lands where the bar is
    chart.setOption(option);
    chart.on("click", function (params) {
      var index = params.dataIndex;
      var key = spec.kind === "pie" ? params.data.key : spec.keys[index];
      var tableId = element.getAttribute("data-table");
      if (tableId) {
        var table = document.getElementById(tableId);
        table.querySelectorAll("tr.selected").forEach(function (row) { row.classList.remove("selected"); });
        var row = document.getElementById("row-" + key);
        if (row) { row.classList.add("selected"); row.scrollIntoView({ block: "center" }); }
      } else if (spec.link) {
        window.location.href = spec.link + "#row-" + encodeURIComponent(key);
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    element.setAttribute("data-drawn", "1");
  }
  function start() {
    document.querySelectorAll(".chart[data-chart]").forEach(draw);
    if (window.location.hash.indexOf("#row-") === 0) {
      var row = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      if (row) { row.classList.add("selected"); }
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
