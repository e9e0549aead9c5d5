// Every page: ask before submitting a form marked js-confirm, and keep "5 minutes ago" true
// while the page stays open. Works for forms and times that htmx swaps in later too.
(function () {
  "use strict";

  // 1. <form class="js-confirm" data-confirm="Delete this?">: submit only after OK.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.classList && form.classList.contains("js-confirm") && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  // 2. <time data-ago datetime="...">: the server's "now" or "2 minutes ago", redrawn every
  //    half minute in the same words as Django's naturaltime; older than a day stays as is.
  function plural(n, one, many) { return n === 1 ? one : n + " " + many; }
  function ago(seconds) {
    if (seconds < 10) return "now";
    if (seconds < 60) return plural(Math.floor(seconds), "a second", "seconds") + " ago";
    if (seconds < 3600) return plural(Math.floor(seconds / 60), "a minute", "minutes") + " ago";
    return plural(Math.floor(seconds / 3600), "an hour", "hours") + " ago";
  }
  function refresh() {
    document.querySelectorAll("time[data-ago]").forEach(function (node) {
      var when = Date.parse(node.getAttribute("datetime"));
      var seconds = (Date.now() - when) / 1000;
      if (!isNaN(when) && seconds >= 0 && seconds < 86400) node.textContent = ago(seconds);
    });
  }
  window.setInterval(refresh, 30000);
  document.addEventListener("DOMContentLoaded", refresh);
})();
