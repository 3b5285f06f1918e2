// A visitor without an account verifies certificates: by the code typed in, by credential id,
// by uploading the PDF, and by uploading a PDF whose attachment was altered; a revoked
// certificate shows its reason; bad input is answered beside the field.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  PASSWORDS, SCREENSHOTS, sharedServerAndBrowser, look, apiToken, api, assertNoHorizontalScroll,
} from "./harness.js";
import { alterAttachment, forgePrintedLine, printedText } from "./pdf.js";

let lin;

const shared = sharedServerAndBrowser({ before, after });

before(async () => {
  await shared.ready;
  const token = await apiToken(shared.server.url, PASSWORDS.lin);
  const [certificate] = await (await api(shared.server.url, token, "/api/v1/me/certificates")).json();
  const pdf = Buffer.from(await (await api(shared.server.url, token, `/api/v1/certificates/${certificate.id}/pdf`)).arrayBuffer());
  lin = { certificate, pdf };
});


async function visitor() {
  const context = await shared.browser.newContext();
  return { context, page: await context.newPage() };
}

async function verifyCode(page, code) {
  await page.goto(`${shared.server.url}/verify`);
  await page.getByLabel("Certificate code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

async function upload(page, name, mimeType, buffer) {
  await page.goto(`${shared.server.url}/verify`);
  await page.getByLabel("Or upload the certificate file").setInputFiles({ name, mimeType, buffer });
  await page.getByRole("button", { name: "Check the file" }).click();
}

const GENUINE = "This certificate is genuine and valid.";

test("a visitor verifies by the printed code and by the credential id", async () => {
  const { context, page } = await visitor();
  await page.goto(`${shared.server.url}/verify`);
  await look(page, "verify-01-form");
  await verifyCode(page, lin.certificate.hash);
  await page.getByRole("heading", { name: GENUINE }).waitFor();
  await page.getByText(/Lin Chen holds AI Deployment Consultant, issued .*, valid until/).waitFor();
  assert.equal(new URL(page.url()).pathname, `/verify/${lin.certificate.hash}`);
  await look(page, "verify-02-valid");

  await verifyCode(page, lin.certificate.credential_id);
  await page.getByRole("heading", { name: GENUINE }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/verify/${lin.certificate.hash}`);
  await context.close();
});

test("the QR code's address fits a phone", async () => {
  const { context, page } = await visitor();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(lin.certificate.verify_url);
  await page.getByRole("heading", { name: GENUINE }).waitFor();
  await look(page, "verify-03-valid-phone");
  await assertNoHorizontalScroll(page, "the verify result");
  await context.close();
});

test("a visitor uploads the PDF, and a PDF whose attachment was altered", async () => {
  const { context, page } = await visitor();
  await upload(page, "certificate.pdf", "application/pdf", lin.pdf);
  await page.getByRole("heading", { name: GENUINE }).waitFor();
  await look(page, "verify-04-uploaded-pdf");

  const forged = alterAttachment(lin.pdf, "Lin Chen", "Eve Forge");
  writeFileSync(join(SCREENSHOTS, "forged.pdf"), forged);
  await upload(page, "certificate.pdf", "application/pdf", forged);
  await page.getByRole("heading", { name: /has been changed since it was issued/ }).waitFor();
  await page.getByText("Its digital signature does not match").waitFor();
  await assert.rejects(page.getByText("Eve Forge").waitFor({ timeout: 500 }));
  await look(page, "verify-05-altered");
  await context.close();
});

test("a PDF whose printed name, dates or title were changed reads altered and names the genuine holder", async () => {
  const { context, page } = await visitor();
  const printed = printedText(lin.pdf).split("\n");
  const dates = printed.find((line) => line.startsWith("Issued "));
  const title = printed[printed.indexOf("has earned the certification") + 1];
  const forgeries = [
    ["name", "Lin Chen", "Ada Stone"],
    ["dates", dates, dates.replace(/Valid until .*$/, "Valid until 9 September 2039")],
    ["title", title, "AI Architect"],
  ];
  for (const [what, original, replacement] of forgeries) {
    const forged = forgePrintedLine(lin.pdf, original, replacement);
    assert.ok(printedText(forged).includes(replacement), `the forged ${what} shows in the PDF`);
    await upload(page, "certificate.pdf", "application/pdf", forged);
    await page.getByRole("heading", { name: "This document was altered: do not rely on what it shows." }).waitFor();
    const summary = await page.locator("main").innerText();
    assert.match(summary, /The certificate inside it is genuine, but its printed page was changed/, what);
    assert.match(summary, /Lin Chen/, `the genuine holder is named (${what})`);
    assert.doesNotMatch(summary, new RegExp(GENUINE.replace(".", "\\.")), what);
    await look(page, `verify-05b-forged-${what}`);
  }
  await context.close();
});

test("a revoked certificate shows the reason staff gave", async () => {
  const token = await apiToken(shared.server.url, PASSWORDS.staff);
  const csv = await (await api(shared.server.url, token, "/api/v1/certificates/export.csv?status=revoked")).text();
  const [header, first] = csv.trim().split("\n").map((line) => line.split(","));
  const hash = first[header.indexOf("hash")];
  const { context, page } = await visitor();
  await page.goto(`${shared.server.url}/verify/${hash}`);
  await page.getByRole("heading", { name: /This certificate was revoked on/ }).waitFor();
  await page.getByText(/Reason given: Exam content was shared with other candidates/).waitFor();
  await look(page, "verify-06-revoked");
  await context.close();
});

test("bad input is answered beside the field, with a 4xx", async () => {
  const { context, page } = await visitor();
  await verifyCode(page, "not-a-code");
  await page.getByText("This is not a certificate code.").waitFor();
  assert.equal(await page.getByLabel("Certificate code").inputValue(), "not-a-code");
  await look(page, "verify-07-malformed");

  const response = await page.goto(`${shared.server.url}/verify/abc123`);
  assert.equal(response.status(), 422);
  await page.getByText("A code is 64 characters").waitFor();

  await verifyCode(page, "0".repeat(64));
  await page.getByText("We have no certificate with this code.").waitFor();

  await upload(page, "notes.txt", "text/plain", Buffer.from("just some notes"));
  await page.getByText("This file is neither a certificate PDF nor a credential JSON file.").waitFor();
  await look(page, "verify-08-wrong-file");
  await upload(page, "huge.pdf", "application/pdf", Buffer.alloc(3 * 1024 * 1024, 0x25));
  await page.getByText(/This file is larger than/).waitFor();
  await context.close();
});

test("signed-in pages send a visitor to sign in and back", async () => {
  const { context, page } = await visitor();
  await page.goto(`${shared.server.url}/certificates`);
  assert.equal(new URL(page.url()).pathname, "/sign-in");
  const [email, password] = PASSWORDS.lin;
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("That e-mail address and password do not match an account.").waitFor();
  assert.equal(await page.getByLabel("E-mail address").inputValue(), email);
  await look(page, "sign-in-wrong-password");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${shared.server.url}/certificates`);
  await context.close();
});
