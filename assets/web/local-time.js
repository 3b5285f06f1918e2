// Every moment a page prints in UTC, shown in the viewer's own time as well: "14 March 2027 at
// 18:05 your time (09:05 UTC)". Without script, or in UTC, the page's own text stands.
(() => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || zone === "UTC" || zone === "Etc/UTC") return;
  const local = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const day = (at, timeZone) => at.toLocaleDateString("en-CA", { timeZone });
  for (const element of document.querySelectorAll("time[data-local]")) {
    const at = new Date(element.dateTime);
    if (Number.isNaN(at.getTime())) continue;
    const utc = element.textContent.trim();
    // The same day in both: only the UTC clock time beside; otherwise the whole UTC moment.
    const beside = day(at, zone) === day(at, "UTC") ? utc.replace(/^.* at /, "") : utc;
    element.title = utc;
    element.textContent = `${local.format(at).replace(", ", " at ")} your time (${beside})`;
  }
})();
