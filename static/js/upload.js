// Upload page: drag and drop onto the picker, a size check before sending, a busy note.
// Progressive enhancement: without this file the plain form works the same.
(function () {
  var form = document.getElementById("upload-form");
  if (!form) return;
  var zone = document.getElementById("dropzone");
  var input = form.querySelector("input[type=file]");
  var text = document.getElementById("dropzone-text");
  var error = document.getElementById("upload-client-error");
  var maxBytes = Number(form.dataset.maxBytes);

  function tooLarge(file) {
    if (!file || !maxBytes || file.size <= maxBytes) return "";
    var mb = file.size / 1048576;
    return "This file is " + (mb >= 10 ? mb.toFixed(0) : mb.toFixed(1)) + " MB; the limit is " +
      form.dataset.maxMb + " MB. Split it or remove columns you don't need.";
  }
  function show() {
    var file = input.files[0];
    text.textContent = file ? file.name : "Drop your file here, or click to pick one.";
    error.textContent = tooLarge(file);
    error.hidden = !error.textContent;
  }
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer.files.length) { input.files = e.dataTransfer.files; show(); }
  });
  input.addEventListener("change", show);
  form.addEventListener("submit", function (e) {
    if (tooLarge(input.files[0])) { e.preventDefault(); show(); return; }
    document.getElementById("upload-button").disabled = true;
    document.getElementById("upload-busy").hidden = false;
  });
})();
