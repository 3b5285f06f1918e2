// The exam page without this script still works: answers are saved with the form's buttons
// and the server keeps the time. With it, the time left counts down, is announced to screen
// readers at 10, 5 and 1 minutes, and each answer is saved as it is chosen.
(function () {
  "use strict";
  var clock = document.getElementById("clock");
  if (clock) {
    var end = Date.now() + Number(clock.dataset.remaining) * 1000;
    var shown = document.getElementById("countdown");
    var announce = document.getElementById("countdown-announce");
    var announced = {};
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var minutes = Math.floor(left / 60), seconds = left % 60;
      shown.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left <= 300) clock.classList.add("warning");
      [10, 5, 1].forEach(function (mark) {
        if (left <= mark * 60 && left > (mark * 60) - 60 && !announced[mark]) {
          announced[mark] = true;
          announce.textContent = mark + (mark === 1 ? " minute" : " minutes") + " left.";
        }
      });
      if (left === 0) {
        // The server finalises the attempt at its deadline; reloading shows the result.
        window.setTimeout(function () { window.location.reload(); }, 1500);
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  var form = document.getElementById("exam-form");
  if (!form) return;
  var state = document.getElementById("save-state");
  var csrf = form.querySelector("input[name=csrf]").value;
  var pending = {};
  var say = function (text) { state.textContent = text; };

  var save = function (fieldset) {
    var position = fieldset.dataset.position;
    var body = new URLSearchParams();
    body.append("csrf", csrf);
    fieldset.querySelectorAll("input:checked").forEach(function (input) { body.append("answer", input.value); });
    pending[position] = true;
    say("Saving…");
    fetch("/attempts/" + form.dataset.attempt + "/answers/" + position, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (response) {
      if (response.status === 409) { window.location.reload(); return; }
      if (!response.ok) throw new Error("status " + response.status);
      delete pending[position];
      if (Object.keys(pending).length === 0) say("✔ Saved");
    }).catch(function () {
      say("Not saved — retrying");
      window.setTimeout(function () { save(fieldset); }, 3000);
    });
  };

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-position]");
    if (fieldset) save(fieldset);
  });
})();
