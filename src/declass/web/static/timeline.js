// The timeline drawn with uPlot (vendored, static/vendor/uplot-1.6.32) when scripts run;
// the page's SVG chart and table stay for readers without them.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("timeline-chart");
    var source = document.getElementById("timeline-data");
    if (!holder || !source || !window.uPlot) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.years || !data.years.length) { return; }
    var xs = data.years.map(function (y) { return Date.UTC(y, 0, 1) / 1000; });
    var figure = holder.parentNode;
    var width = function () { return Math.max(280, (figure && figure.clientWidth) || 600); };
    var options = {
      width: width(),
      height: 280,
      scales: { x: { time: true } },
      axes: [
        { values: function (u, splits) { return splits.map(function (s) { return new Date(s * 1000).getUTCFullYear(); }); } },
        { label: "Documents" }
      ],
      series: [
        { label: "Year", value: function (u, v) { return v == null ? "" : new Date(v * 1000).getUTCFullYear(); } },
        { label: "Records dated that year", stroke: "#0b4f8a", fill: "rgba(11, 79, 138, 0.55)",
          paths: window.uPlot.paths.bars({ size: [0.9, 40] }), points: { show: false } },
        { label: "Essays discussing the year", stroke: "#b35900", width: 2, points: { show: false } }
      ]
    };
    holder.classList.add("drawn");
    document.querySelector(".chart-fallback").classList.add("replaced");
    var plot = new window.uPlot(options, [xs, data.records, data.essays], holder);
    window.addEventListener("resize", function () { plot.setSize({ width: width(), height: 280 }); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
