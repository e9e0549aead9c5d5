// Spreadsheet page: switch sheets as soon as one is picked; confirm before deleting.
(function () {
  var select = document.getElementById("sheet-select");
  if (select) {
    document.getElementById("sheet-button").hidden = true;
    select.addEventListener("change", function () { select.form.submit(); });
  }
  document.querySelectorAll("form.js-confirm").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  });
})();
