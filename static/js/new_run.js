// Train page: the note on text that English-first models read little of (mostly Chinese, or
// another script without spaces) shows while such a model is picked, and hides otherwise.
(function () {
  "use strict";
  var note = document.getElementById("language-note");
  if (!note) return;

  function update() {
    var picked = document.querySelector('input[name="base_model"]:checked');
    note.hidden = !(picked && picked.hasAttribute("data-english-first"));
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "base_model") update();
  });
  update();
})();
