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
    var meta = {};
    try { meta = JSON.parse(document.getElementById("eval-metric").textContent) || {}; } catch (e) { meta = {}; }
    var metric = meta.name || points[0].metric_name || "score";
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
          y1: Object.assign(
            { position: "right", title: { display: true, text: "Validation " + metric }, grid: { drawOnChartArea: false } },
            meta.range ? { min: meta.range[0], max: meta.range[1] } : {}
          )
        }
      }
    });
  });
})();

// Regression: the test rows as points, true value across and prediction up, with the diagonal.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("eval-scatter-points");
    var canvas = document.getElementById("eval-scatter");
    if (!node || !canvas || typeof Chart === "undefined") return;
    var points = [];
    try { points = JSON.parse(node.textContent) || []; } catch (e) { return; }
    if (!points.length) return;
    var values = points.reduce(function (all, p) { return all.concat(p); }, []);
    var low = Math.min.apply(null, values), high = Math.max.apply(null, values);
    new Chart(canvas, {
      type: "scatter",
      data: {
        datasets: [
          { label: "Test rows", data: points.map(function (p) { return { x: p[0], y: p[1] }; }), backgroundColor: "rgba(47, 91, 234, 0.45)", pointRadius: 3 },
          { label: "Perfect prediction", type: "line", data: [{ x: low, y: low }, { x: high, y: high }], borderColor: "#1f8a4c", pointRadius: 0, borderWidth: 1.5 }
        ]
      },
      options: {
        animation: false,
        scales: {
          x: { title: { display: true, text: "True value" } },
          y: { title: { display: true, text: "Predicted value" } }
        }
      }
    });
  });
})();

// Named entities: picking a type of name shows its texts at once (without JavaScript, the
// form's Show button does the same).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("entity-type");
    if (!select || !select.form) return;
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  });
})();
