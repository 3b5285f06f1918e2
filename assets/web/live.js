// Keeps the landing page's count live: GET /api/v1/progress/stream pushes the headline whenever
// it changes. Without JavaScript the page shows the count as of its loading.
"use strict";
(function () {
  const number = new Intl.NumberFormat("en");
  const field = (name) => document.querySelector('[data-live="' + name + '"]');
  function show(h) {
    field("certified").textContent = number.format(h.certified);
    field("bar").style.width = Math.min(100, (100 * h.certified) / h.target) + "%";
    const deadline = new Date(h.deadline + "T00:00:00Z").toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    field("goal").textContent = "of " + number.format(h.target) + " by " + deadline + " · " +
      number.format(h.remaining) + " to go · " + number.format(h.ever_certified) + " ever certified";
  }
  if (window.EventSource && field("certified")) {
    new EventSource("/api/v1/progress/stream").addEventListener("headline", (e) => show(JSON.parse(e.data)));
  }
})();
