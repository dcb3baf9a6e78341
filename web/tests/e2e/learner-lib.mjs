// Shared by the learner app's end-to-end scripts: headless Chromium (Debian's, through playwright-core) on a phone-
// sized screen (390x844), a check list, screenshots named by screen, axe-core on each main screen, and the steps
// every flow starts with (a new demo learner, onboarding). Env: PATHWISE_BASE_URL (the server), PATHWISE_CHROMIUM
// (default /usr/bin/chromium), PATHWISE_SCREENSHOTS (default web/test-results).
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BASE = process.env.PATHWISE_BASE_URL ?? "";
export const SHOTS = process.env.PATHWISE_SCREENSHOTS ?? resolve(web, "test-results");
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];
export const PHONE = { width: 390, height: 844 };

/** The ids of the demo's skills that have exercises, from the demo's item bank. */
export function practisedSkills() {
  const lines = readFileSync(resolve(web, "../app/demo/exercises.jsonl"), "utf8").split("\n").filter(Boolean);
  return [...new Set(lines.map((line) => JSON.parse(line).skills[0]))];
}

/** The accepted answers of the demo's exercises by id (the test knows them; the app never sees them). */
export function demoAnswers() {
  const lines = readFileSync(resolve(web, "../app/demo/exercises.jsonl"), "utf8").split("\n").filter(Boolean);
  return Object.fromEntries(lines.map((line) => JSON.parse(line)).map((item) => [item.id, item.answers]));
}

/** A run: the browser, one phone-sized page, and what the run found. */
export async function open(name) {
  if (!BASE) throw new Error("set PATHWISE_BASE_URL to the server's base URL");
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.PATHWISE_CHROMIUM ?? "/usr/bin/chromium",
    headless: true, args: ARGS });
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, acceptDownloads: true,
    isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const run = { name, browser, page, checks: [], axe: {}, screenshots: [], events: [], consoleErrors: [], pageErrors: [] };
  page.on("console", (message) => {
    if (message.type() === "error") run.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => run.pageErrors.push(String(error)));
  page.on("request", (request) => {
    if (new URL(request.url()).pathname !== "/v1/events") return;
    try {
      const body = JSON.parse(request.postData() ?? "{}");
      run.events.push(...(Array.isArray(body) ? body : body.events ?? []));
    } catch { /* not JSON: ignored */ }
  });
  page.setDefaultTimeout(30_000);
  return run;
}

/** Record a check; a failed one fails the run. */
export function check(run, what, ok, detail = "") {
  run.checks.push({ what, ok: Boolean(ok), ...(detail === "" ? {} : { detail }) });
}

/** A full-page screenshot named by screen, then axe-core's serious and critical violations on it. */
export async function screen(run, name) {
  const path = resolve(SHOTS, `learner-${run.name}-${name}.png`);
  await run.page.screenshot({ path, fullPage: true });
  run.screenshots.push(path);
  if (!(await run.page.evaluate(() => "axe" in window))) await run.page.evaluate(AXE_SOURCE);
  const violations = await run.page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((node) => node.target.join(" ")) }));
  });
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  run.axe[name] = { violations: violations.length, serious: serious.length, details: violations };
  check(run, `axe: no serious or critical violation on ${name}`, serious.length === 0, JSON.stringify(serious));
}

/** Follow a link of the main navigation. */
export function nav(page, name) {
  return page.locator("header nav").getByRole("link", { name, exact: true }).click();
}

/** Sign in as a brand-new demo learner from the picker. */
export async function signInAsNewLearner(run, atPicker = async () => {}) {
  const { page } = run;
  await page.goto(new URL("/", BASE).toString());
  await page.getByRole("heading", { name: "Try Pathwise" }).waitFor();
  await atPicker();
  await page.locator('button[data-user="new"]').click();
  await page.getByRole("heading", { name: "Welcome to Pathwise" }).waitFor();
  check(run, "a new learner lands on onboarding", page.url().endsWith("/onboarding"), page.url());
  check(run, "the token left the address bar", !page.url().includes("token="));
}

/** Answer onboarding: two goals, a topic and "Other" in words, a level, weekly time, and the consents given. */
export async function onboard(run, consents, before = async () => {}) {
  const { page } = run;
  const goals = page.locator('input[name="goals"]');
  await goals.nth(0).check();
  await goals.nth(1).check();
  await page.locator('input[name="interests"]').first().check();
  await page.locator("#interests-other").check();
  await page.locator("#other-text").fill("spreadsheets and dashboards");
  await page.locator('input[name="level"][value="BEGINNER"]').check();
  await page.locator("#weekly").selectOption("120");
  for (const [purpose, granted] of Object.entries(consents)) {
    await page.locator(`input[name="${purpose}"]`).setChecked(granted);
  }
  const plain = await page.locator(".consent label").allInnerTexts();
  const why = await page.locator(".consent .hint").allInnerTexts();
  check(run, "each consent is asked in plain words with what it is used for",
    plain.length >= 4 && why.every((text) => text.length > 20), JSON.stringify(plain));
  await before();
  await page.locator("#finish-onboarding").click();
  await page.getByRole("heading", { name: "Recommended for you" }).waitFor();
  await page.locator("#recommendations li.card").first().waitFor();
}

/** The home list: course ids, reasons per card, and the explanation with its strategy and reason. */
export async function homeList(page) {
  return page.evaluate(() => {
    const why = document.getElementById("recs-why");
    return {
      explanation: why?.textContent ?? "", strategy: why?.dataset.strategy ?? "", reason: why?.dataset.reason ?? "",
      requestId: document.getElementById("recommendations")?.dataset.requestId ?? "",
      cards: [...document.querySelectorAll("#recommendations li.card")].map((card) => ({
        courseId: card.getAttribute("data-course-id"),
        reasons: [...card.querySelectorAll(".reasons li")].map((li) => ({ code: li.dataset.reason, text: li.textContent })),
      })),
    };
  });
}

/** Close the browser, print the run as JSON, and exit 1 when a check failed. */
export async function finish(run, error) {
  if (error) check(run, "the flow ran to its end", false, String(error?.stack ?? error));
  if (error) await run.page.screenshot({ path: resolve(SHOTS, `learner-${run.name}-failure.png`), fullPage: true }).catch(() => {});
  await run.browser.close();
  const failed = run.checks.filter((item) => !item.ok);
  const { browser, page, ...report } = run;
  console.log(JSON.stringify({ ...report, events: run.events.length, failed: failed.length }));
  process.exit(failed.length === 0 ? 0 : 1);
}
