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
  // A warning looks like one: only a save the server confirmed reads in the calm colour.
  var say = function (text, warning) {
    state.textContent = text;
    state.classList.toggle("warning", Boolean(warning));
  };
  var signedOut = "Not saved — you are signed out. Sign in again in another tab; your time keeps running and your choices stay on this page.";

  // The server's hidden copy of what each question held when the page was served: once a
  // choice is saved here, the page's own form must not undo it.
  var remember = function (fieldset) {
    var served = form.querySelector("input[name=served" + fieldset.dataset.position + "]");
    if (!served) return;
    var letters = [];
    fieldset.querySelectorAll("input:checked").forEach(function (input) { letters.push(input.value); });
    served.value = letters.join(",");
  };

  var save = function (fieldset) {
    var position = fieldset.dataset.position;
    var body = new URLSearchParams();
    body.append("csrf", csrf);
    fieldset.querySelectorAll("input:checked").forEach(function (input) { body.append("answer", input.value); });
    pending[position] = true;
    say("Saving…");
    // Redirects are not followed: the sign-in page's own success must never read as a save.
    fetch("/attempts/" + form.dataset.attempt + "/answers/" + position, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (response) {
      if (response.status === 409) { window.location.reload(); return; }
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        say(signedOut, true);
        return;
      }
      if (response.status !== 204) throw new Error("status " + response.status);
      delete pending[position];
      remember(fieldset);
      if (Object.keys(pending).length === 0) say("✔ Saved");
    }).catch(function () {
      say("Not saved — retrying", true);
      window.setTimeout(function () { save(fieldset); }, 3000);
    });
  };

  var count = document.getElementById("answered-count");
  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-position]");
    if (!fieldset) return;
    save(fieldset);
    if (count) {
      count.textContent = Array.prototype.filter.call(form.querySelectorAll("fieldset[data-position]"), function (question) {
        return question.querySelector("input:checked") !== null;
      }).length;
    }
  });
})();
