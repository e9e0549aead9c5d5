// Every page: the top bar. On a narrow window the Menu button opens and closes the menu
// (team, API tokens, log out); choosing a team in the menu switches to it at once. Without
// JavaScript the menu stays open and the team menu has a Switch button (base.html's noscript).
(function () {
  "use strict";

  // 1. The Menu button shows or hides the menu; Escape closes it and gives focus back.
  var button = document.getElementById("menu-button");
  var menu = document.getElementById("topbar-menu");
  function setOpen(open) {
    menu.classList.toggle("open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  if (button && menu) {
    button.addEventListener("click", function () {
      setOpen(!menu.classList.contains("open"));
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && menu.classList.contains("open")) {
        setOpen(false);
        button.focus();
      }
    });
  }

  // 2. Choosing a team posts the switch form (it carries the CSRF token and this page's URL).
  var select = document.getElementById("team-switch");
  if (select) {
    select.addEventListener("change", function () {
      select.form.requestSubmit();
    });
  }
})();
