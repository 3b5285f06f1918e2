// What every browser test needs: a fresh `certify serve --demo` on a free port with its own
// SQLite file, Debian's Chromium driven by playwright-core, screenshots, and axe's check.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
export const SCREENSHOTS = join(here, "screenshots");

export const PASSWORDS = {
  staff: ["staff@certify.example", "demo-staff-password"],
  emil: ["emil@northwind.example", "demo-consultant-password"],
  ada: ["ada@northwind.example", "demo-consultant-password"],
  lin: ["lin@northwind.example", "demo-consultant-password"],
};

/** The certify binary: $CERTIFY_BIN, else the newer of the release and debug builds (an old
 * release build must not stand in for the code just changed). */
function binary() {
  if (process.env.CERTIFY_BIN) return process.env.CERTIFY_BIN;
  const builds = [join(root, "target/release/certify"), join(root, "target/debug/certify")].filter((path) => existsSync(path));
  assert.ok(builds.length > 0, "build certify first (`cargo xtask test --browser` does), or set CERTIFY_BIN");
  return builds.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `certify serve --demo` on a fresh database; resolves once it prints its address. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), "certify-browser-"));
  const port = await freePort();
  const child = spawn(
    binary(),
    ["serve", "--demo", "--listen", `127.0.0.1:${port}`, "--database-url", `sqlite://${join(dir, "certify.db")}?mode=rwc`],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: "warn", CERTIFY_ALLOW_LOOPBACK_OUTBOUND: "true" } },
  );
  let output = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`certify did not start:\n${output}`)), 60_000);
    const read = (chunk) => {
      output += chunk;
      const match = output.match(/Certify is running at (\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/$/, ""));
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", (chunk) => { output += chunk; });
    child.once("exit", (code) => reject(new Error(`certify exited with ${code}:\n${output}`)));
  });
  return {
    url,
    stop() {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

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
