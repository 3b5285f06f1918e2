// Without this script an upload form posts its file like any form. With it, a file can be
// dropped on the form (a form marked data-upload-on-drop sends it at once), and the upload
// shows its progress where the form has a <progress> (a large roster takes a while on a slow
// line); the answer replaces the page exactly as the form post's would.
(function () {
  "use strict";
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var zone = form.querySelector(".drop");
    var input = form.querySelector("input[type=file]");
    var progress = form.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    form.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    if (zone) {
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
          if (form.hasAttribute("data-upload-on-drop")) {
            form.requestSubmit();
          } else if (status) {
            status.textContent = "Ready to upload " + input.files[0].name + ".";
          }
        }
      });
    }
    form.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !window.FormData) { return; }
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable || !progress) { return; }
        var percent = Math.round((e.loaded / e.total) * 100);
        progress.hidden = false;
        progress.value = percent;
        if (status) status.textContent = percent < 100 ? "Uploading… " + percent + "%" : "Uploaded; checking every row…";
      });
      request.addEventListener("load", function () {
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", function () {
        if (status) { status.textContent = "The upload failed. Check your connection and try again."; }
      });
      if (status) { status.textContent = "Uploading…"; }
      request.send(new FormData(form));
    });
  });
})();
