// Model page: "Try it" sends with Ctrl+Enter too, and says it is working while it waits.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("#try form");
    if (!form) return;
    var button = form.querySelector("button[type=submit]");
    var label = button ? button.textContent : "";
    form.querySelectorAll("textarea").forEach(function (text) {
      text.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
    });
    form.addEventListener("htmx:beforeRequest", function () {
      if (button) { button.disabled = true; button.textContent = "Working…"; }
    });
    form.addEventListener("htmx:afterRequest", function () {
      if (button) { button.disabled = false; button.textContent = label; }
    });
  });
})();
