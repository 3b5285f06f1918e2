// Keeps a page's counts live: GET /api/v1/progress/stream pushes the headline whenever it
// changes, and every element marked data-live="<field>" shows that field. Without JavaScript
// the page shows the counts as of its loading.
"use strict";
(function () {
  const number = new Intl.NumberFormat("en");
  const fields = (name) => document.querySelectorAll('[data-live="' + name + '"]');
  function show(h) {
    ["certified", "ever_certified", "remaining", "target"].forEach((name) => {
      fields(name).forEach((el) => { el.textContent = number.format(h[name]); });
    });
    fields("bar").forEach((el) => { el.setAttribute("width", String(Math.min(100, (100 * h.certified) / h.target))); });
    const deadline = new Date(h.deadline + "T00:00:00Z").toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    fields("goal").forEach((el) => {
      el.textContent = "of " + number.format(h.target) + " by " + deadline + " · " +
        number.format(h.remaining) + " to go · " + number.format(h.ever_certified) + " ever certified";
    });
  }
  if (window.EventSource && document.querySelector("[data-live]")) {
    new EventSource("/api/v1/progress/stream").addEventListener("headline", (e) => show(JSON.parse(e.data)));
  }
})();
