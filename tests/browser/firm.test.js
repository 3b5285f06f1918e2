// A partner firm's administrator sees the firm's tier and what threatens it, imports a roster
// (a wrong one first), filters, pages and exports the certified staff; another firm's pages
// look exactly like pages that do not exist.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { sharedServerAndBrowser, signedInContext, look, apiToken, api, assertNoHorizontalScroll, PASSWORDS } from "./harness.js";

const shared = sharedServerAndBrowser({ before, after });

const NORTHWIND_ADMIN = ["admin@northwind.example", "demo-admin-password"];

test("a firm admin lands on the firm's tier card with its forecast", async () => {
  const { context, page } = await signedInContext(shared, NORTHWIND_ADMIN);
  await page.getByRole("heading", { name: "Northwind Consulting" }).waitFor();
  await page.getByRole("heading", { name: "Partner tier: Select" }).waitFor();
  await page.getByText(/Falls below Select on .* as \d+ certificates? expires?/).waitFor();
  await page.getByText("Whose certificates expire by then").click();
  const chart = page.locator("svg.chart.wide");
  assert.equal(await chart.getAttribute("role"), "img");
  assert.equal(await chart.locator("line.level").count(), 2, "Select (reached) and Advanced (next) drawn as lines");
  assert.equal(await chart.locator("path.line.actual").count(), 1);
  await look(page, "firm-01-home");
  await page.setViewportSize({ width: 390, height: 844 });
  await assertNoHorizontalScroll(page, "the firm's home");
  await context.close();
});

test("another firm's page is the same not-found page as a firm that does not exist", async () => {
  const token = await apiToken(shared.server.url, PASSWORDS.staff);
  const firms = await (await api(shared.server.url, token, "/api/v1/firms?limit=50")).json();
  const bluefield = firms.items.find((firm) => firm.name === "Bluefield Systems");
  const { context, page } = await signedInContext(shared, NORTHWIND_ADMIN);
  const other = await page.goto(`${shared.server.url}/firms/${bluefield.id}`);
  const otherText = await page.locator("main").innerText();
  await look(page, "firm-02-other-firm");
  const missing = await page.goto(`${shared.server.url}/firms/00000000-0000-0000-0000-000000000000`);
  assert.equal(other.status(), 404);
  assert.equal(missing.status(), 404);
  assert.equal(await page.locator("main").innerText(), otherText);
  assert.ok(!otherText.includes("Bluefield"));
  await context.close();
});

/** A roster of `count` new consultants, Roster Person 01 … at northwind.example. */
function roster(count) {
  const rows = ["email,full_name,country"];
  for (let n = 1; n <= count; n++) {
    const nn = String(n).padStart(2, "0");
    rows.push(`roster${nn}@northwind.example,Roster Person ${nn},${n % 2 ? "DE" : "FR"}`);
  }
  return rows;
}

test("a roster with two bad rows changes nothing; fixed, it is imported", async () => {
  const token = await apiToken(shared.server.url, PASSWORDS.staff);
  const firms = await (await api(shared.server.url, token, "/api/v1/firms?limit=50")).json();
  const northwind = firms.items.find((firm) => firm.name === "Northwind Consulting");
  const count = async () => (await (await api(shared.server.url, token, `/api/v1/firms/${northwind.id}/consultants?limit=200`)).json()).items.length;
  const before = await count();
  const { context, page } = await signedInContext(shared, NORTHWIND_ADMIN);
  await page.getByRole("main").getByRole("link", { name: "Import a roster" }).click();
  await page.getByRole("heading", { name: "Import a roster", level: 1 }).waitFor();
  await look(page, "firm-03-roster-form");

  const rows = roster(30);
  const bad = [...rows];
  bad[5] = "not-an-address,Roster Person 05,DE";
  bad[9] = "roster09@northwind.example,Roster Person 09,Germany";
  await page.getByLabel("Roster file (CSV)").setInputFiles({ name: "roster.csv", mimeType: "text/csv", buffer: Buffer.from(bad.join("\n")) });
  await page.getByRole("button", { name: "Import the roster" }).click();
  await page.getByRole("heading", { name: "The roster has 2 problems; nothing was changed" }).waitFor();
  const problems = await page.locator("table.problems tbody tr").allInnerTexts();
  assert.equal(problems.length, 2);
  assert.match(problems[0], /^6\s+email\s+/);
  assert.match(problems[1], /^10\s+country\s+/);
  assert.equal(await count(), before, "nothing was imported");
  await look(page, "firm-04-roster-rejected");

  await page.getByLabel("Roster file (CSV)").setInputFiles({ name: "roster.csv", mimeType: "text/csv", buffer: Buffer.from(rows.join("\n")) });
  await page.getByRole("button", { name: "Import the roster" }).click();
  await page.getByRole("heading", { name: "The roster was imported" }).waitFor();
  assert.match(await page.locator("dl.tally").innerText(), /Added to the roster\s+30/);
  assert.equal(await count(), before + 30);
  await look(page, "firm-05-roster-imported");
  await page.setViewportSize({ width: 390, height: 844 });
  await assertNoHorizontalScroll(page, "the roster page");
  await context.close();
});

test("the certified staff filter by track and status, page both ways and export what is shown", async () => {
  const { context, page } = await signedInContext(shared, NORTHWIND_ADMIN);
  await page.getByRole("main").getByRole("link", { name: "Certified staff" }).click();
  await page.getByRole("heading", { name: "Certified staff", level: 1 }).waitFor();
  const names = () => page.locator("table.staff tbody tr td:first-child a").allInnerTexts();
  const everyone = await names();
  assert.equal(everyone.length, 25, "a page holds 25");
  await page.getByRole("link", { name: "Next →" }).click();
  const second = await names();
  assert.ok(second.length > 0 && !second.some((name) => everyone.includes(name)), "the next page repeats nobody");
  await page.getByRole("link", { name: "← Previous" }).click();
  assert.deepEqual(await names(), everyone, "previous leads back to the first page");
  await look(page, "firm-06-staff");

  const track = await page.getByLabel("Track").locator("option").nth(1).innerText();
  await page.getByLabel("Track").selectOption({ label: track });
  await page.getByLabel("Status").selectOption({ label: "Active" });
  await page.getByRole("button", { name: "Show consultants" }).click();
  await page.waitForURL(/status=active/);
  assert.match(page.url(), /track=[0-9a-f-]{36}/, "the filters live in the address");
  const active = await names();
  assert.ok(active.length > 0 && active.length < 25, `a few are active: ${active}`);
  for (const row of await page.locator("table.staff tbody tr").allInnerTexts()) {
    assert.match(row, /Active/);
  }
  await look(page, "firm-07-staff-filtered");

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download these as CSV" }).click();
  const csv = readFileSync(await (await download).path(), "utf8").trim().split("\n").slice(1);
  const exported = csv.map((line) => line.split(",")[1]);
  assert.deepEqual(exported, active, "the CSV holds exactly the rows shown");

  await page.getByRole("link", { name: active[0] }).click();
  await page.getByRole("heading", { name: active[0], level: 1 }).waitFor();
  await page.getByRole("heading", { name: "Certificates" }).waitFor();
  assert.ok(await page.getByRole("link", { name: "PDF" }).count() > 0);
  await look(page, "firm-08-consultant");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goBack();
  await assertNoHorizontalScroll(page, "the staff table");
  await context.close();
});

test("Northwind's admin finds nothing at Bluefield's consultant and certificate addresses", async () => {
  const token = await apiToken(shared.server.url, PASSWORDS.staff);
  const firms = await (await api(shared.server.url, token, "/api/v1/firms?limit=50")).json();
  const bluefield = firms.items.find((firm) => firm.name === "Bluefield Systems");
  const theirs = (await (await api(shared.server.url, token, `/api/v1/firms/${bluefield.id}/consultants?status=active`)).json()).items[0];
  const { context, page } = await signedInContext(shared, NORTHWIND_ADMIN);
  const nothing = "00000000-0000-0000-0000-000000000000";
  const pairs = [
    [`/firms/${bluefield.id}/consultants/${theirs.account_id}`, `/firms/${nothing}/consultants/${nothing}`],
    [`/firms/${bluefield.id}/consultants`, `/firms/${nothing}/consultants`],
    [`/certificates/${theirs.tracks[0].certificate_id}/certificate.pdf`, `/certificates/${nothing}/certificate.pdf`],
  ];
  for (const [other, missing] of pairs) {
    const a = await page.goto(`${shared.server.url}${other}`);
    const otherText = await page.locator("main").innerText();
    const b = await page.goto(`${shared.server.url}${missing}`);
    assert.equal(a.status(), 404, other);
    assert.equal(b.status(), 404, missing);
    assert.equal(await page.locator("main").innerText(), otherText, `${other} looks like nothing`);
  }
  await context.close();
});

test("a firm claims an e-mail domain, sees it pending, and withdraws it", async () => {
  const { context, page } = await signedInContext(shared, NORTHWIND_ADMIN);
  await page.getByRole("main").getByRole("link", { name: "E-mail domains" }).click();
  await page.getByRole("heading", { name: "E-mail domains", level: 1 }).waitFor();
  await page.getByLabel("Domain", { exact: true }).fill("not a domain");
  await page.getByRole("button", { name: "Claim the domain" }).click();
  await page.locator("#domain-error").waitFor();
  await look(page, "firm-09-domain-error");
  await page.getByLabel("Domain", { exact: true }).fill("northwind-labs.example");
  await page.getByRole("button", { name: "Claim the domain" }).click();
  const row = page.getByRole("row", { name: /northwind-labs\.example/ });
  await row.getByText("Pending").waitFor();
  await look(page, "firm-10-domains");
  // Withdrawing asks first, saying what it changes.
  await row.getByText("Withdraw", { exact: true }).click();
  await row.getByRole("button", { name: "Withdraw northwind-labs.example" }).click();
  await page.getByRole("row", { name: /northwind-labs\.example/ }).waitFor({ state: "detached" });
  await page.setViewportSize({ width: 390, height: 844 });
  await assertNoHorizontalScroll(page, "the domains page");
  await context.close();
});

test("a firm admin creates an API client, copies its secret once, and revokes it", async () => {
  const { context, page } = await signedInContext(shared, NORTHWIND_ADMIN);
  await page.getByRole("main").getByRole("link", { name: "API clients" }).click();
  await page.getByRole("heading", { name: "API clients", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Create the client" }).click();
  await page.locator("#name-error").waitFor();
  await page.locator("#scopes-error").waitFor();
  await look(page, "firm-11-api-client-errors");
  await page.getByLabel("Name").fill("Staffing system");
  await page.getByRole("checkbox", { name: /certified-staff list/ }).check();
  await page.getByRole("button", { name: "Create the client" }).click();
  const secret = await page.getByLabel("Client secret").inputValue();
  assert.match(secret, /^ccs_[0-9a-f]{64}$/);
  await look(page, "firm-12-api-client-secret");
  await page.goto(page.url());
  assert.equal(await page.getByLabel("Client secret").count(), 0, "opening the page again does not show the secret");
  const row = page.getByRole("row", { name: /Staffing system/ });
  await row.getByText("Revoke", { exact: true }).click();
  await look(page, "firm-13-api-client-revoke");
  await row.getByRole("button", { name: "Revoke Staffing system" }).click();
  await page.getByRole("row", { name: /Staffing system/ }).getByText("Revoked on").waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await assertNoHorizontalScroll(page, "the API clients page");
  await context.close();
});
