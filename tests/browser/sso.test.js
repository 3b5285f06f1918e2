// "Sign in with your firm" through the real pages: a consultant types a work address, signs in
// at the firm's own OpenID provider (oidc-provider, tests/oidc), and lands signed in; signing
// out offers to sign out at the provider too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { sharedServerAndBrowser, look, apiToken, api, PASSWORDS } from "./harness.js";

const shared = sharedServerAndBrowser({ before, after });
const here = dirname(fileURLToPath(import.meta.url));
let provider;

/** Starts the test provider for the demo server; resolves with its issuer once it listens. */
function startProvider(baseUrl) {
  const child = spawn(process.execPath, [
    join(here, "..", "oidc", "provider.js"),
    "--client-id", "certify", "--client-secret", "browser-test-secret",
    "--redirect-uri", `${baseUrl}/sign-in/sso/callback`, "--post-logout-uri", `${baseUrl}/`,
    "--accounts", JSON.stringify({ kim: { email: "kim.park@northwind.example", email_verified: true, name: "Kim Park" } }),
  ], { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => resolve({ child, issuer: line.replace("listening on ", "").trim() }));
    child.once("exit", (code) => reject(new Error(`the provider exited with ${code}`)));
  });
}

before(async () => {
  await shared.ready;
  provider = await startProvider(shared.server.url);
  const token = await apiToken(shared.server.url, PASSWORDS.staff);
  const firms = await (await api(shared.server.url, token, "/api/v1/firms?limit=50")).json();
  const northwind = firms.items.find((firm) => firm.name === "Northwind Consulting");
  const saved = await fetch(`${shared.server.url}/api/v1/firms/${northwind.id}/identity-provider`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      name: "Northwind Consulting", issuer: provider.issuer, client_id: "certify",
      client_secret: "browser-test-secret", domains: ["northwind.example"],
    }),
  });
  assert.equal(saved.status, 200, await saved.text());
});

after(() => provider?.child.kill());

test("a consultant signs in with the firm's own sign-in and out again", async () => {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${shared.server.url}/sign-in`);
  await page.getByRole("heading", { name: "Sign in with your firm" }).waitFor();
  await look(page, "sso-01-sign-in");

  await page.getByLabel("Work e-mail address").fill("nobody@elsewhere.example");
  await page.getByRole("button", { name: "Continue to your firm's sign-in" }).click();
  await page.getByText("No firm's sign-in is set up for that address").waitFor();
  await look(page, "sso-02-no-firm-for-address");

  await page.getByLabel("Work e-mail address").fill("kim.park@northwind.example");
  await page.getByRole("button", { name: "Continue to your firm's sign-in" }).click();
  // The provider's own pages: its development login, then consent. (They import a web font
  // from the internet, which this machine may not reach: wait for the page, not its "load".)
  await page.waitForURL((url) => url.href.startsWith(provider.issuer), { waitUntil: "commit" });
  await page.locator('input[name="login"]').fill("kim");
  await page.locator('input[name="password"]').fill("anything");
  await page.locator('button[type="submit"]').click();
  await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: "attached" });
  await page.locator('button[type="submit"]').click();

  await page.waitForURL(`${shared.server.url}/home`);
  await page.getByText("Kim Park").first().waitFor();
  await look(page, "sso-03-signed-in-home");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "You have signed out" }).waitFor();
  const out = page.getByRole("link", { name: "Sign out at Northwind Consulting too" });
  assert.ok((await out.getAttribute("href")).startsWith(`${provider.issuer}/session/end`));
  await look(page, "sso-04-signed-out");
  await context.close();
});
