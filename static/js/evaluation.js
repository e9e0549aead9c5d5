// Evaluation page: training loss and validation score for each epoch (history.json).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("eval-history");
    var canvas = document.getElementById("eval-curve");
    if (!node || !canvas || typeof Chart === "undefined") return;
    var points = [];
    try { points = JSON.parse(node.textContent) || []; } catch (e) { return; }
    if (!points.length) return;
    var metric = points[0].metric_name || "validation score";
    new Chart(canvas, {
      type: "line",
      data: {
        labels: points.map(function (p) { return "Epoch " + p.epoch; }),
        datasets: [
          { label: "Training loss", data: points.map(function (p) { return p.loss; }), borderColor: "#2f5bea", yAxisID: "y" },
          { label: "Validation " + metric, data: points.map(function (p) { return p.val_metric; }), borderColor: "#1f8a4c", yAxisID: "y1" }
        ]
      },
      options: {
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { title: { display: true, text: "Loss" }, beginAtZero: true },
          y1: { position: "right", min: 0, max: 1, title: { display: true, text: "Validation " + metric }, grid: { drawOnChartArea: false } }
        }
      }
    });
  });
})();
