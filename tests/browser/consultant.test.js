// A consultant's journey as a person clicks it: sign in, finish the remaining modules, sit the
// exam (reloading halfway), pass, see the certificate and download its PDF; a failed attempt
// shows when the exam may be sat again; signing out ends the session.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  PASSWORDS, SCREENSHOTS, sharedServerAndBrowser, look, screenshot, signIn, apiToken, api,
  assertNoHorizontalScroll,
} from "./harness.js";


const shared = sharedServerAndBrowser({ before, after });


/** The key of every item of an exam's bank, by stem, as option texts (read as staff). */
async function answerKey(examId) {
  const token = await apiToken(shared.server.url, PASSWORDS.staff);
  const bank = await (await api(shared.server.url, token, `/api/v1/exams/${examId}/bank`)).json();
  return new Map(
    bank.items.map((item) => [item.stem, item.key.map((id) => item.options.find((o) => o.id === id).text)]),
  );
}

/** Seconds left on the exam's countdown, as the server rendered it. */
async function secondsLeft(page) {
  return Number(await page.locator("#clock").getAttribute("data-remaining"));
}

/** Chooses the right options of one question with the keyboard: focus, then Space. */
async function answerWithKeyboard(page, fieldset, key) {
  for (const text of key) {
    const input = fieldset.locator("label.option", { hasText: text }).locator("input");
    await input.focus();
    await page.keyboard.press("Space");
  }
}

test("a consultant completes the modules, passes the exam and downloads the certificate", async () => {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  await signIn(page, shared.server.url, PASSWORDS.emil);
  assert.equal(new URL(page.url()).pathname, "/home");
  await page.getByRole("heading", { name: "My learning" }).waitFor();
  await look(page, "consultant-01-my-learning");
  await page.getByRole("link", { name: "Catalogue" }).click();
  await page.getByText("You are enrolled.").waitFor();
  await look(page, "consultant-01b-catalogue");
  await page.getByRole("heading", { level: 2 }).getByRole("link").first().click();
  await page.getByRole("heading", { name: "Courses" }).waitFor();
  await look(page, "consultant-01c-track");

  // Work through every module the way a learner does: "Continue", read, "Mark complete".
  let modulesDone = 0;
  for (;;) {
    await page.goto(`${shared.server.url}/home`);
    const next = page.getByRole("link", { name: /^Continue with/ });
    if ((await next.count()) === 0) break;
    await next.click();
    while (await page.getByRole("button", { name: "Mark complete and continue" }).count()) {
      if (modulesDone === 0) await look(page, "consultant-02-module");
      await page.getByRole("button", { name: "Mark complete and continue" }).click();
      modulesDone += 1;
      if (new URL(page.url()).pathname.startsWith("/courses/")) break;
    }
    if (modulesDone === 4) await look(page, "consultant-03-course-complete");
  }
  assert.ok(modulesDone >= 10, `only ${modulesDone} modules were completed`);
  await page.getByText("you can sit the certification exam").waitFor();
  await look(page, "consultant-04-eligible");

  await page.getByRole("link", { name: "Go to the exam" }).click();
  const examId = new URL(page.url()).pathname.split("/").pop();
  await look(page, "consultant-05-exam-before-start");
  await page.getByRole("button", { name: "Start the exam now" }).click();
  await page.waitForURL(/\/attempts\//);
  await look(page, "consultant-06-exam-questions");

  const key = await answerKey(examId);
  const questions = page.locator("fieldset.question");
  const count = await questions.count();
  assert.ok(count > 0);
  const half = Math.floor(count / 2);
  for (let i = 0; i < half; i += 1) {
    const fieldset = questions.nth(i);
    await answerWithKeyboard(page, fieldset, key.get(await fieldset.locator(".stem").innerText()));
    await page.locator("#save-state", { hasText: "Saved" }).waitFor();
  }

  // A reload resumes the same attempt: the same answers, and the time the server counts.
  const before = await secondsLeft(page);
  const attemptUrl = page.url();
  await page.reload();
  assert.equal(page.url(), attemptUrl);
  const afterReload = await secondsLeft(page);
  assert.ok(afterReload <= before && before - afterReload < 30, `time left went from ${before} to ${afterReload}`);
  assert.equal(await page.locator("fieldset.question input:checked").count() >= half, true);
  for (let i = 0; i < half; i += 1) {
    assert.ok((await questions.nth(i).locator("input:checked").count()) > 0, `question ${i + 1} lost its answer`);
  }

  for (let i = half; i < count; i += 1) {
    const fieldset = questions.nth(i);
    await answerWithKeyboard(page, fieldset, key.get(await fieldset.locator(".stem").innerText()));
  }
  await page.locator("#save-state", { hasText: "Saved" }).waitFor();
  await page.getByRole("button", { name: "Review and submit" }).click();
  await page.waitForURL(/\/review$/);
  await page.getByText(`You have answered all ${count} questions.`).waitFor();
  await look(page, "consultant-07-review");
  await page.getByRole("button", { name: "Yes, submit my answers" }).click();

  await page.getByRole("heading", { name: /Congratulations: you passed/ }).waitFor();
  await look(page, "consultant-08-result-passed");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download PDF" }).first().click();
  const pdfPath = join(SCREENSHOTS, "certificate.pdf");
  await (await download).saveAs(pdfPath);
  assert.equal(readFileSync(pdfPath).subarray(0, 5).toString(), "%PDF-");

  await page.getByRole("link", { name: "My certificates" }).click();
  await page.locator("article.certificate.valid").first().waitFor();
  await look(page, "consultant-09-my-certificates");
  await context.close();
});

/** Presses Tab until the focused element matches `selector`; fails after `limit` presses. */
async function tabTo(page, selector, limit = 300) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  assert.fail(`Tab never reached ${selector}`);
}

/** Tabs from the top of the page to `selector`, checking at every stop that the focused element
 * is on screen and not under the exam's sticky bars (WCAG 2.2, 2.4.11); returns the stops. */
async function tabThroughInView(page, selector, limit = 400) {
  const hidden = [];
  for (let stops = 1; stops <= limit; stops += 1) {
    await page.keyboard.press("Tab");
    const stop = await page.evaluate((target) => {
      const element = document.activeElement;
      const bars = [...document.querySelectorAll(".exam-bar, .actions.sticky")];
      const box = element.getBoundingClientRect();
      const under = !bars.some((bar) => bar.contains(element)) && bars.some((bar) => {
        const b = bar.getBoundingClientRect();
        return box.top < b.bottom && box.bottom > b.top;
      });
      const off = box.bottom <= 0 || box.top >= window.innerHeight;
      const name = element.id || element.name || element.textContent.trim().slice(0, 40);
      const where = `at ${Math.round(box.top)}–${Math.round(box.bottom)}, bars ${bars.map((bar) => { const b = bar.getBoundingClientRect(); return `${Math.round(b.top)}–${Math.round(b.bottom)}`; }).join(", ")}`;
      return { done: element.matches(target), under, off, name: `${name} ${where}` };
    }, selector);
    if (stop.under || stop.off) hidden.push(`${stops}: ${stop.name}${stop.under ? " under a bar" : " off screen"}`);
    if (stop.done) {
      assert.deepEqual(hidden, [], "every focused element is in view");
      return stops;
    }
  }
  assert.fail(`Tab never reached ${selector}`);
}

test("on a phone, the exam is taken with the keyboard alone, and a fail shows the retake date", async () => {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, shared.server.url, PASSWORDS.ada);
  await assertNoHorizontalScroll(page, "my learning");
  await page.getByRole("link", { name: "Go to the exam" }).click();
  await tabTo(page, "button.button");
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), "Start the exam now");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/attempts\//);
  await screenshot(page, "phone-02-exam-questions");
  await assertNoHorizontalScroll(page, "the exam");

  // The first option of the first question, chosen with Space; then on to review and submit.
  await tabTo(page, "fieldset#q1 input");
  await page.keyboard.press("Space");
  await page.locator("#save-state", { hasText: "Saved" }).waitFor();
  assert.equal(await page.locator("#answered-count").innerText(), "1");

  // Signed out in another tab, a choice is not saved, and the page says so as a warning, never
  // as saved; signed in again, the same attempt goes on.
  const other = await context.newPage();
  await other.goto(`${shared.server.url}/home`);
  await other.getByRole("button", { name: "Sign out" }).click();
  await other.waitForURL(`${shared.server.url}/`);
  await page.locator("fieldset#q2 input").first().check();
  const state = page.locator("#save-state", { hasText: "Not saved — you are signed out" });
  await state.waitFor();
  assert.ok(await state.evaluate((element) => element.classList.contains("warning")));
  assert.equal(await page.locator("fieldset#q2 input:checked").count(), 1, "the choice stays on the page");
  await screenshot(page, "phone-03-exam-signed-out");
  await signIn(other, shared.server.url, PASSWORDS.ada);
  await other.close();
  await page.reload();
  const stops = await tabThroughInView(page, "button[value=review]");
  assert.ok(stops > 20, `the whole exam was tabbed through (${stops} stops)`);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/review$/);
  await page.getByText(/questions are not answered/).waitFor();
  await assertNoHorizontalScroll(page, "the review");
  await tabTo(page, "form[action$=submission] button");
  await page.keyboard.press("Enter");

  await page.getByRole("heading", { name: /did not pass/ }).waitFor();
  await page.getByText(/You may sit the exam again from/).waitFor();
  await look(page, "consultant-10-result-failed");
  await page.getByRole("link", { name: "The exam page" }).click();
  await page.getByText(/You may sit the exam again from/).waitFor();
  await look(page, "consultant-11-exam-retake-wait");
  await context.close();
});

test("signing out ends the session: the old cookie no longer works", async () => {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  await signIn(page, shared.server.url, PASSWORDS.lin);
  const cookies = await context.cookies(shared.server.url);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(`${shared.server.url}/`);
  await look(page, "landing-after-sign-out");
  await context.addCookies(cookies);
  await page.goto(`${shared.server.url}/certificates`);
  assert.equal(new URL(page.url()).pathname, "/sign-in");
  assert.equal(new URL(page.url()).searchParams.get("next"), "/certificates");
  await look(page, "sign-in-after-sign-out");
  await context.close();
});
