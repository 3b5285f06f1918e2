// Without this script the result page prints from the browser's menu; with it, the page
// offers a print link, and the code fields select themselves for copying. (Dropping a file on
// the upload form is upload.js's.)
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (link) {
    link.hidden = false;
    link.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
  });
  document.querySelectorAll("input[data-copy]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
