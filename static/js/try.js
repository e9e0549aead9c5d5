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
    // "Busy, try again" comes as a 429 with a sentence: show it like any other answer.
    form.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.xhr.status === 429) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
    form.addEventListener("htmx:afterRequest", function () {
      if (button) { button.disabled = false; button.textContent = label; }
    });
  });
})();
