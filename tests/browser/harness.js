// What every browser test needs: a fresh `certify serve --demo` on a free port with its own
// SQLite file, Debian's Chromium driven by playwright-core, screenshots, and axe's check.
import { mkdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

import { startServer } from "../support/server.js";

export { startServer };

const here = dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = join(here, "screenshots");

export const PASSWORDS = {
  staff: ["staff@certify.example", "demo-staff-password"],
  emil: ["emil@northwind.example", "demo-consultant-password"],
  ada: ["ada@northwind.example", "demo-consultant-password"],
  lin: ["lin@northwind.example", "demo-consultant-password"],
};

/** Chromium as these machines run it; playwright gives it a fresh profile directory. Each
 * test opens its own context, so no cookie passes from one test to the next. */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  assert.ok(existsSync(executablePath), `no Chromium at ${executablePath}: \`cargo xtask setup --browser\` installs it`);
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  return {
    newContext: (options = {}) => browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 }, ...options }),
    close: () => browser.close(),
  };
}

/** Writes a full-page screenshot to tests/browser/screenshots/<name>.png. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Fails on any serious or critical accessibility violation axe finds on the page. */
export async function assertAccessible(page, name) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const described = serious.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`);
  assert.deepEqual(described, [], `accessibility violations on ${name}`);
}

/** A screenshot and the accessibility check: what every page of a journey gets. */
export async function look(page, name) {
  await screenshot(page, name);
  await assertAccessible(page, name);
}

/** Nothing on the page is wider than the viewport (tables scroll inside their own box). */
export async function assertNoHorizontalScroll(page, name) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${name} scrolls sideways: ${scrollWidth}px in a ${innerWidth}px viewport`);
}

export async function signIn(page, baseUrl, [email, password]) {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
}

/** A new context already signed in as `user` and on its home page: one sign-in per user per
 * test file, reused through the cookies it left (the sign-in budget allows five a minute for an
 * account, and a file's tests would use them up). */
export async function signedInContext(shared, user) {
  shared.sessions ??= {};
  if (!shared.sessions[user[0]]) {
    const context = await shared.browser.newContext();
    await signIn(await context.newPage(), shared.server.url, user);
    shared.sessions[user[0]] = await context.storageState();
    await context.close();
  }
  const context = await shared.browser.newContext({ storageState: shared.sessions[user[0]] });
  const page = await context.newPage();
  await page.goto(`${shared.server.url}/home`);
  return { context, page };
}

/** A bearer token for the API, as a script or the test's own staff member uses it; one sign-in
 * per server and account, for the same reason as signedInContext. */
const tokens = new Map();
export async function apiToken(baseUrl, [email, password]) {
  const key = `${baseUrl} ${email}`;
  if (!tokens.has(key)) {
    const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    const body = await response.text();
    assert.equal(response.status, 200, body);
    tokens.set(key, JSON.parse(body).token);
  }
  return tokens.get(key);
}

export async function api(baseUrl, token, path) {
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, `${path}: ${response.status}`);
  return response;
}

/** The demo server and the browser a test file shares, started before its tests and stopped
 * after them. */
export function sharedServerAndBrowser({ before, after }) {
  const shared = {};
  let started;
  /** Resolves once both are up, for a file's own set-up to wait on. */
  shared.ready = new Promise((resolve) => { started = resolve; });
  before(async () => {
    shared.server = await startServer();
    shared.browser = await launchBrowser();
    started();
  });
  after(async () => {
    await shared.browser?.close();
    shared.server?.stop();
  });
  return shared;
}
