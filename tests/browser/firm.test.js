// A partner firm's administrator sees the firm's tier and what threatens it; another firm's
// pages look exactly like pages that do not exist.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sharedServerAndBrowser, look, signIn, apiToken, api, assertNoHorizontalScroll, PASSWORDS } from "./harness.js";


const shared = sharedServerAndBrowser({ before, after });


const NORTHWIND_ADMIN = ["admin@northwind.example", "demo-admin-password"];

test("a firm admin lands on the firm's tier card with its forecast", async () => {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  await signIn(page, shared.server.url, NORTHWIND_ADMIN);
  await page.getByRole("heading", { name: "Northwind Consulting" }).waitFor();
  await page.getByRole("heading", { name: "Partner tier: Select" }).waitFor();
  await page.getByText(/Falls below Select on .* as \d+ certificates? expires?/).waitFor();
  await page.getByText("Whose certificates expire by then").click();
  await look(page, "firm-01-home");
  await page.setViewportSize({ width: 390, height: 844 });
  await assertNoHorizontalScroll(page, "the firm's home");
  await context.close();
});

test("another firm's page is the same not-found page as a firm that does not exist", async () => {
  const token = await apiToken(shared.server.url, PASSWORDS.staff);
  const firms = await (await api(shared.server.url, token, "/api/v1/firms?limit=50")).json();
  const bluefield = firms.items.find((firm) => firm.name === "Bluefield Systems");
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  await signIn(page, shared.server.url, NORTHWIND_ADMIN);
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
