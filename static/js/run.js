// Run page: draws the live training curve from the history the status partial carries.
// The partial is swapped by htmx every 2 s; after each swap the chart is updated in place.
(function () {
  "use strict";
  var chart = null;

  function readJson(id, fallback) {
    var node = document.getElementById(id);
    if (!node) return fallback;
    try { return JSON.parse(node.textContent) || fallback; } catch (e) { return fallback; }
  }

  // The validation axis fits the task's metric: 0 to 1 for scores, the data's own range for
  // errors (regression), which have no fixed top.
  function validationAxis(metric) {
    var axis = { position: "right", title: { display: true, text: "Validation " + metric.name }, grid: { drawOnChartArea: false } };
    if (metric.range) { axis.min = metric.range[0]; axis.max = metric.range[1]; }
    return axis;
  }

  // Per-step losses jump around; an exponential moving average shows the trend people read.
  var SMOOTHING = 0.8;
  function smooth(values) {
    var out = [], last = null;
    values.forEach(function (v) {
      last = last === null ? v : SMOOTHING * last + (1 - SMOOTHING) * v;
      out.push(Math.round(last * 10000) / 10000);
    });
    return out;
  }

  function draw() {
    var card = document.getElementById("curve-card");
    var canvas = document.getElementById("run-curve");
    var points = readJson("run-history", []);
    var metric = readJson("run-metric", { name: "score", range: [0, 1] });
    if (!card || !canvas) return;
    card.hidden = points.length === 0;
    if (!points.length || typeof Chart === "undefined") return;
    var steps = points.map(function (p) { return p.step; });
    var loss = smooth(points.map(function (p) { return p.loss; }));
    var val = points.map(function (p) { return p.val; });
    if (chart) {
      chart.data.labels = steps;
      chart.data.datasets[0].data = loss;
      chart.data.datasets[1].data = val;
      chart.update("none");
      return;
    }
    chart = new Chart(canvas, {
      type: "line",
      data: {
        labels: steps,
        datasets: [
          { label: "Training loss (smoothed)", data: loss, borderColor: "#2f5bea", pointRadius: 0, borderWidth: 1.5, yAxisID: "y" },
          { label: "Validation " + metric.name + " (best so far)", data: val, borderColor: "#1f8a4c", pointRadius: 0, borderWidth: 2, spanGaps: true, yAxisID: "y1" }
        ]
      },
      options: {
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { title: { display: true, text: "Training step" }, ticks: { maxTicksLimit: 10 } },
          y: { title: { display: true, text: "Loss" }, beginAtZero: true },
          y1: validationAxis(metric)
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
})();
