// Spreadsheet page: switch sheets as soon as one is picked (static/js/app.js asks before deleting).
(function () {
  var select = document.getElementById("sheet-select");
  if (select) {
    document.getElementById("sheet-button").hidden = true;
    select.addEventListener("change", function () { select.form.submit(); });
  }
  // The mapping form asks only for the columns the chosen task uses, each with the help that
  // task gives it (task-roles: {task: {field: help}}).
  var task = document.getElementById("id_task");
  var rolesNode = document.getElementById("task-roles");
  if (task && rolesNode) {
    var roles = JSON.parse(rolesNode.textContent);
    var showRoles = function () {
      var wanted = roles[task.value] || {};
      document.querySelectorAll(".mapping [data-field]").forEach(function (box) {
        var name = box.dataset.field;
        if (name === "task") { return; }
        box.hidden = !Object.prototype.hasOwnProperty.call(wanted, name);
        var help = box.querySelector(".help");
        if (help && !box.hidden) { help.textContent = wanted[name]; }
      });
    };
    task.addEventListener("change", showRoles);
    showRoles();
  }
})();
