// A fresh `certify serve --demo` on a free port with its own SQLite file, for the Node test
// suites (browser, interop). Node's own modules only, so any suite may import it.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, existsSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

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
