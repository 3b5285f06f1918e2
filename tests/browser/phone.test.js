// On a 390 px phone every table a person acts from shows each row whole: its status and its
// actions inside the screen, never in an unmarked sideways scroll.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sharedServerAndBrowser, signedInContext, look, apiToken, api, assertNoHorizontalScroll, PASSWORDS } from "./harness.js";

const shared = sharedServerAndBrowser({ before, after });

/** Every cell of every row of every table on the page lies inside the viewport. */
async function assertRowsInView(page, name) {
  const { outside, rows } = await page.evaluate(() => {
    const width = window.innerWidth;
    const trs = [...document.querySelectorAll("table tbody tr")];
    const outside = trs.flatMap((row, index) =>
      [...row.children]
        .filter((cell) => {
          const box = cell.getBoundingClientRect();
          return box.width > 0 && (box.left < -0.5 || box.right > width + 0.5);
        })
        .map((cell) => `row ${index + 1}, ${cell.dataset.label ?? cell.innerText.trim().slice(0, 30)}`));
    return { outside, rows: trs.length };
  });
  assert.ok(rows > 0, `${name} shows no rows to check`);
  assert.deepEqual(outside, [], `${name}: cells outside the ${390} px screen`);
}

async function post(baseUrl, token, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.ok(response.status < 300, `${path}: ${response.status} ${await response.text()}`);
}

test("every table's rows fit a phone, status and actions included", async () => {
  const url = shared.server.url;
  const token = await apiToken(url, PASSWORDS.staff);
  const firms = await (await api(url, token, "/api/v1/firms?limit=50")).json();
  const northwind = firms.items.find((firm) => firm.name.startsWith("Northwind"));
  await post(url, token, `/api/v1/firms/${northwind.id}/domains`, { domain: "northwind-phone.example" });
  await post(url, token, `/api/v1/firms/${northwind.id}/api-clients`, {
    name: "Staffing system with a long name for a phone",
    scopes: ["firm:read", "consultants:read", "certificates:read", "roster:write"],
  });

  const { context, page } = await signedInContext(shared, PASSWORDS.staff);
  await page.setViewportSize({ width: 390, height: 844 });
  const pages = [
    ["staff firms", "/staff/firms"],
    ["breakdowns", "/staff/breakdowns?by=firm"],
    ["catalogue", "/staff/catalogue"],
    ["certificates found", "/staff/certificates?q=northwind"],
    ["accounts found", "/staff/accounts?q=northwind"],
    ["a firm's consultants", `/firms/${northwind.id}/consultants`],
    ["a firm's domains", `/firms/${northwind.id}/domains`],
    ["a firm's API clients", `/firms/${northwind.id}/api-clients`],
  ];
  for (const [index, [name, path]] of pages.entries()) {
    await page.goto(`${url}${path}`);
    await assertRowsInView(page, name);
    await assertNoHorizontalScroll(page, name);
    await look(page, `phone-${String(index + 1).padStart(2, "0")}-${name.replaceAll(/[^a-z]+/gi, "-").toLowerCase()}`);
  }
  await context.close();
});
