// Without this script the verify form takes a file through its file input and the result
// page prints from the browser's menu. With it, a file can be dropped on the form, and the
// result page offers a print link.
(function () {
  "use strict";
  var zone = document.getElementById("drop-zone");
  if (zone) {
    var input = document.getElementById("file");
    zone.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        document.getElementById("upload-form").submit();
      }
    });
  }
  document.querySelectorAll("[data-print]").forEach(function (link) {
    link.hidden = false;
    link.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
  });
  document.querySelectorAll("input[data-copy]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
