// Programme staff see whether the target will be met: the burn-up chart with its target line
// and forecast band, the numbers behind it (which must say what the series endpoint says), and
// the count that follows revocations live, without a reload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { sharedServerAndBrowser, signedInContext, look, apiToken, api, assertNoHorizontalScroll, PASSWORDS, SCREENSHOTS } from "./harness.js";

const shared = sharedServerAndBrowser({ before, after });

test("the dashboard draws the burn-up and its table matches the series", async () => {
  const { context, page } = await signedInContext(shared, PASSWORDS.staff);
  await page.getByRole("heading", { name: "Progress toward 300,000", level: 1 }).waitFor();
  const chart = page.locator("svg.chart.wide").first();
  assert.equal(await chart.getAttribute("role"), "img");
  assert.equal(await chart.locator("path.line.target.dashed").count(), 1, "the target line");
  assert.equal(await chart.locator("path.band.forecast").count(), 1, "the forecast band");
  assert.equal(await chart.locator("path.line.forecast").count(), 1, "the central forecast");
  assert.match(await page.locator(".conclusion").innerText(), /^(REACHED|ON TRACK|AT RISK|OFF TRACK)/i);
  await page.getByText("The numbers behind the chart").click();
  await look(page, "staff-01-dashboard");

  const rows = await page.locator("#series-table tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.day, Number(tr.children[1].innerText.replaceAll(",", ""))]));
  const token = await apiToken(shared.server.url, PASSWORDS.staff);
  const from = rows[rows.length - 1][0];
  const to = rows[0][0];
  const series = await (await api(shared.server.url, token, `/api/v1/progress/series?from=${from}&to=${to}`)).json();
  assert.deepEqual(rows, series.days.map((d) => [d.date, d.certified]).reverse(), "the table says what the series says");

  // The demo's few certificates lie flat on zero against 300,000; the close-up shows them.
  const flat = await page.locator('svg.chart.wide[aria-labelledby^="burn-up"] path.line.actual').boundingBox();
  const rising = await page.locator('svg.chart.wide[aria-labelledby^="close-up"] path.line.actual').boundingBox();
  assert.ok(flat.height < 6, `against the target the count is flat: ${flat.height}px`);
  assert.ok(rising.height > 60, `the close-up shows it rise: ${rising.height}px`);

  await page.setViewportSize({ width: 390, height: 844 });
  await assertNoHorizontalScroll(page, "the dashboard");
  const labels = await page.locator("svg.chart.narrow text.tick").evaluateAll((texts) =>
    texts.filter((t) => t.getBoundingClientRect().width > 0).map((t) => t.getBoundingClientRect().height));
  assert.ok(labels.length > 0, "the narrow chart is the one shown on a phone");
  assert.ok(Math.min(...labels) >= 10, `a phone's chart labels are readable: ${Math.min(...labels)}px tall`);
  assert.equal(await page.locator("svg.chart.wide").first().isVisible(), false, "the wide one is hidden");
  await look(page, "staff-02-dashboard-phone");
  await page.getByText("The numbers behind the chart").click();
  await page.locator('section[aria-labelledby="chart-heading"]').screenshot({ path: `${SCREENSHOTS}/staff-02-dashboard-phone-chart.png` });
  await context.close();
});

test("staff revoke a certificate through its page and another open page's count drops without a reload", async () => {
  const token = await apiToken(shared.server.url, PASSWORDS.staff);
  const firms = await (await api(shared.server.url, token, "/api/v1/firms?limit=50")).json();
  const harbor = firms.items.find((firm) => firm.name === "Harbor Deployments");
  const holder = (await (await api(shared.server.url, token, `/api/v1/firms/${harbor.id}/consultants?status=active`)).json()).items
    .find((consultant) => consultant.tracks.length === 1);

  const { context: watching, page: dashboard } = await signedInContext(shared, PASSWORDS.staff);
  const before = Number((await dashboard.locator('[data-live="certified"]').innerText()).replaceAll(",", ""));

  const { context, page } = await signedInContext(shared, PASSWORDS.staff);
  await page.getByRole("link", { name: "Certificates" }).click();
  await page.getByLabel("Holder, credential id or code").fill(holder.email);
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByRole("heading", { name: "1 certificate found" }).waitFor();
  await look(page, "staff-03-certificates-found");
  await page.getByRole("link", { name: holder.name }).click();
  await page.getByRole("heading", { name: "History" }).waitFor();
  await page.getByLabel("Reason").fill("Issued in error");
  await page.getByRole("button", { name: "Revoke…" }).click();
  await page.getByRole("heading", { name: "Revoke this certificate?" }).waitFor();
  await look(page, "staff-04-revoke-confirm");
  await page.getByRole("button", { name: "Revoke the certificate" }).click();
  await page.getByText("The certificate was revoked.").waitFor();
  assert.match(await page.locator(".history").innerText(), /Revoked: Issued in error/);
  await look(page, "staff-05-revoked");

  await dashboard.waitForFunction((expected) => document.querySelector('[data-live="certified"]').textContent === expected,
    new Intl.NumberFormat("en").format(before - 1));
  await context.close();
  await watching.close();
});

test("breakdowns show bars, sort by name and export what they show; firms filter by tier", async () => {
  const { context, page } = await signedInContext(shared, PASSWORDS.staff);
  await page.getByRole("link", { name: "Breakdowns" }).click();
  await page.getByRole("heading", { name: "Certified consultants by kind of firm" }).waitFor();
  await look(page, "staff-06-breakdown-kind");
  await page.getByRole("link", { name: "Firm", exact: true }).click();
  await page.getByRole("heading", { name: "Certified consultants by firm" }).waitFor();
  await page.getByRole("link", { name: "Group" }).click();
  await page.waitForURL(/sort=name/);
  const shown = await page.locator("table.breakdown tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [tr.children[0].innerText, tr.children[1].innerText.replaceAll(",", "")]));
  const sorted = [...shown].sort((a, b) => a[0].toLowerCase().localeCompare(b[0].toLowerCase()));
  assert.deepEqual(shown.map((r) => r[0]), sorted.map((r) => r[0]), "sorted by name");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download as CSV" }).click();
  const csv = readFileSync(await (await download).path(), "utf8").trim().split("\n").slice(1);
  assert.deepEqual(csv.map((line) => line.split(",")), shown, "the CSV holds the rows shown");
  await look(page, "staff-07-breakdown-firm");

  await page.getByRole("link", { name: "Firms" }).click();
  await page.getByLabel("Tier", { exact: true }).selectOption({ label: "Select" });
  await page.getByRole("button", { name: "Find firms" }).click();
  await page.waitForURL(/tier=Select/);
  await look(page, "staff-08-firms");
  await page.getByRole("link", { name: "Northwind Consulting" }).click();
  await page.getByRole("heading", { name: "Partner tier: Select" }).waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goBack();
  await assertNoHorizontalScroll(page, "the firms page");
  await context.close();
});

test("staff edit a module with a preview, and an item bank with an error is rejected with that error shown", async () => {
  const { context, page } = await signedInContext(shared, PASSWORDS.staff);
  await page.getByRole("link", { name: "Catalogue" }).click();
  await page.getByRole("heading", { name: "Catalogue", level: 1 }).waitFor();
  await look(page, "staff-09-catalogue");

  await page.getByRole("link", { name: "New track" }).click();
  await page.getByLabel("Description").fill("Building agents that call tools **safely**.");
  await page.getByLabel("Certificates hold for (months)").fill("0");
  await page.getByRole("button", { name: "Add the track" }).click();
  await page.locator("#title-error").waitFor();
  assert.match(await page.locator("#validity_months-error").innerText(), /between 1 and 120 months/);
  await look(page, "staff-09b-new-track-errors");
  await page.getByLabel("Title").fill("Agent Engineering");
  await page.getByLabel("Certificates hold for (months)").fill("12");
  await page.getByRole("button", { name: "Add the track" }).click();
  const added = page.getByRole("region", { name: /Agent Engineering/ });
  await added.getByText("Draft").waitFor();
  await added.getByRole("link", { name: "Add a course" }).click();
  await look(page, "staff-09c-new-course");
  await page.getByRole("link", { name: "Cancel" }).click();

  await page.getByRole("link", { name: "Edit" }).first().click();
  await page.getByLabel("Text (Markdown)").fill("## What changed\n\nA **bold** claim.");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("heading", { name: "Preview (not saved yet)" }).waitFor();
  assert.equal(await page.locator(".prose strong").innerText(), "bold");
  await look(page, "staff-10-module-preview");

  await page.getByRole("link", { name: "Catalogue" }).first().click();
  await page.getByRole("link", { name: "Exam, items and scores" }).first().click();
  await page.getByRole("heading", { name: "Blueprint" }).waitFor();
  await page.getByRole("link", { name: "Edit the blueprint" }).click();
  await page.getByLabel("Weight of domain 1").fill("1");
  await page.getByRole("button", { name: "Save the blueprint" }).click();
  assert.match(await page.locator("#domains-error").innerText(), /add up to 100/);
  await look(page, "staff-10b-blueprint-error");
  await page.getByRole("link", { name: "Cancel" }).click();
  await page.getByRole("heading", { name: "Blueprint" }).waitFor();
  const bank = { items: [{ domain: "No such domain", kind: "single_choice", stem: "A question",
    options: [{ id: "a", text: "One" }, { id: "b", text: "Two" }, { id: "c", text: "Three" }], key: ["a"] }] };
  await page.getByLabel("Bank document (JSON)").setInputFiles({ name: "bank.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(bank)) });
  await page.getByRole("button", { name: "Import the bank" }).click();
  await page.getByRole("heading", { name: "The item bank has 1 problem; nothing was imported" }).waitFor();
  assert.match(await page.locator("table.problems tbody").innerText(), /Item 1\s+domain\s+no domain named `No such domain`/);
  await look(page, "staff-11-bank-rejected");
  await page.setViewportSize({ width: 390, height: 844 });
  await assertNoHorizontalScroll(page, "the exam page");
  await context.close();
});

test("staff create a firm administrator and find the account", async () => {
  const { context, page } = await signedInContext(shared, PASSWORDS.staff);
  await page.getByRole("link", { name: "Accounts" }).click();
  await page.getByLabel("E-mail address").fill("new.admin@lumen.example");
  await page.getByLabel("Name", { exact: true }).fill("Noor Admin");
  await page.getByLabel("Role").selectOption({ label: "Firm administrator" });
  await page.getByRole("button", { name: "Create the account" }).click();
  await page.locator("#firm-error").waitFor();
  await look(page, "staff-12-account-error");
  await page.getByLabel("Firm").selectOption({ label: "Lumen Technologies" });
  await page.getByRole("button", { name: "Create the account" }).click();
  await page.getByRole("heading", { name: "Noor Admin", level: 1 }).waitFor();
  assert.match(await page.locator("main").innerText(), /Firm administrator of Lumen Technologies/);
  await look(page, "staff-13-account");
  await context.close();
});

test("moments read in the viewer's own time with UTC beside, and in UTC without script", async () => {
  await signedInContext(shared, PASSWORDS.staff).then(({ context }) => context.close());
  const storageState = shared.sessions[PASSWORDS.staff[0]];
  const tokyo = await shared.browser.newContext({ storageState, timezoneId: "Asia/Tokyo" });
  const page = await tokyo.newPage();
  await page.goto(`${shared.server.url}/account`);
  const shown = await page.locator("table time").first().innerText();
  assert.match(shown, /^\d{1,2} \w+ \d{4} at \d{2}:\d{2} your time \((\d{1,2} \w+ \d{4} at )?\d{2}:\d{2} UTC\)$/, shown);
  const utc = await page.locator("table time").first().getAttribute("title");
  const local = Number(shown.match(/at (\d{2}):/)[1]);
  const hour = Number(utc.match(/at (\d{2}):/)[1]);
  assert.equal((hour + 9) % 24, local, `Tokyo is UTC+9: ${shown} / ${utc}`);
  await tokyo.close();

  const scriptless = await shared.browser.newContext({ storageState, timezoneId: "Asia/Tokyo", javaScriptEnabled: false });
  const plain = await scriptless.newPage();
  await plain.goto(`${shared.server.url}/account`);
  assert.match(await plain.locator("table time").first().innerText(), /^\d{1,2} \w+ \d{4} at \d{2}:\d{2} UTC$/);
  await scriptless.close();
});
