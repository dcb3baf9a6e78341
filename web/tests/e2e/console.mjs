// The partner console in headless Chromium, against a live Pathwise server with demo data:
//   (a) a partner signs in (#token=), opens every page, sees the chart of recommendations by strategy with data and
//       an experiment's results (the per-variant table and the lift chart; an interleaving experiment's preference
//       and its chart), creates a draft through the form;
//       an admin signs in through the form and reads the audit log; the experiment page on a phone-sized screen;
//   (b) a learner's token gets "This console is for partners and admins" and nothing else.
// axe-core runs on every page (violations of impact serious or critical are reported); a screenshot of each is
// written to <screenshots>/console-<page>.png.
// Env: PATHWISE_BASE_URL (the API server), PATHWISE_PARTNER_TOKEN, PATHWISE_ADMIN_TOKEN, PATHWISE_LEARNER_TOKEN,
// PATHWISE_EXPERIMENT_ID (a started A/B experiment with events), PATHWISE_INTERLEAVING_ID (an interleaving one),
// CONSOLE_SCREENSHOTS (a folder), CHROMIUM (optional).
// The console is the server's own, at /console (make web builds it). Prints one JSON object; exits 1 when a check
// failed.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { chromium } from "playwright-core";

const env = process.env;
const base = env.PATHWISE_BASE_URL;
const shots = env.CONSOLE_SCREENSHOTS ?? "test-results";
const required = ["PATHWISE_BASE_URL", "PATHWISE_PARTNER_TOKEN", "PATHWISE_ADMIN_TOKEN", "PATHWISE_LEARNER_TOKEN",
  "PATHWISE_EXPERIMENT_ID", "PATHWISE_INTERLEAVING_ID"];
if (required.some((name) => !env[name])) {
  console.error(`console.mjs needs ${required.join(", ")}`);
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];

const result = { pages: {}, failures: [], consoleErrors: [], pageErrors: [] };
const fail = (message) => result.failures.push(message);

async function axe(page) {
  // Evaluated through the DevTools protocol: the server's CSP (script-src 'self') rightly refuses an inline script.
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const run = await axe.run(document, { resultTypes: ["violations"] });
    return run.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  return {
    serious: found.filter((v) => v.impact === "serious" || v.impact === "critical"),
    other: found.filter((v) => v.impact !== "serious" && v.impact !== "critical").map((v) => `${v.id} (${v.impact})`),
  };
}

/** Waits until the page has its title and no "Loading…", checks it, runs axe and takes the screenshot. */
async function check(page, name, heading, expect) {
  const entry = { heading: "", axe: [], screenshot: join(shots, `console-${name}.png`), ok: false };
  result.pages[name] = entry;
  try {
    await page.locator("main h1", { hasText: heading }).first().waitFor({ timeout: 20000 });
    await page.waitForFunction(() => !document.querySelector("main")?.textContent?.includes("Loading…"),
      null, { timeout: 20000 });
    entry.heading = await page.locator("main h1").first().innerText();
    const error = page.locator("main .notice-error");
    if (await error.count()) fail(`${name}: ${await error.first().innerText()}`);
    if (expect) Object.assign(entry, await expect(page));
    await page.waitForTimeout(150); // a chart draws on its first resize
    const found = await axe(page);
    entry.axe = found.serious;
    entry.axeMinor = found.other;
    if (entry.axe.length) fail(`${name}: axe found ${entry.axe.map((v) => `${v.id} (${v.impact})`).join(", ")}`);
    entry.ok = true;
  } catch (error) {
    fail(`${name}: ${String(error).split("\n")[0]}`);
  } finally {
    await page.screenshot({ path: entry.screenshot, fullPage: true });
  }
}

function watch(page, who) {
  page.on("console", (message) => {
    if (message.type() === "error") result.consoleErrors.push(`${who}: ${message.text()}`);
  });
  page.on("pageerror", (error) => result.pageErrors.push(`${who}: ${error}`));
}

const root = new URL("/console/", base).toString();
const browser = await chromium.launch({ executablePath: env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ARGS });
try {
  // (b) A learner's token: the message and nothing else.
  const learnerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const learner = await learnerContext.newPage();
  watch(learner, "learner");
  await learner.goto(`${root}#token=${encodeURIComponent(env.PATHWISE_LEARNER_TOKEN)}`);
  await check(learner, "forbidden", "This console is for partners and admins", async (page) => {
    const navigation = await page.locator("nav").count();
    const tables = await page.locator("table, figure").count();
    if (navigation || tables) fail(`forbidden: a learner sees ${navigation} navigation and ${tables} tables or charts`);
    return { learnerSeesNavigation: navigation > 0, learnerSeesData: tables > 0 };
  });
  await learnerContext.close();

  // (a) A partner, by #token= in the URL (taken out of the address bar), through every page.
  const partnerContext = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const partner = await partnerContext.newPage();
  watch(partner, "partner");
  const opened = Date.now();
  await partner.goto(`${root}#token=${encodeURIComponent(env.PATHWISE_PARTNER_TOKEN)}`);
  await check(partner, "catalog", "Catalog", async (page) => {
    // After the role check and the catalog query: the first page with its numbers, from navigation.
    result.catalogShownMs = Date.now() - opened;
    result.firstContentfulPaintMs = await page.evaluate(() =>
      Math.round(performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1));
    if (page.url().includes("token")) fail("catalog: the token stayed in the address bar");
    const courses = await page.locator(".stat-value").first().innerText();
    if (!(Number(courses.replace(/\D/g, "")) > 0)) fail(`catalog: ${courses} courses`);
    // `pathwise demo` imported courses, skills and exercises from files: three runs, newest first.
    const runs = await page.locator("table", { has: page.locator("caption", { hasText: /^Import runs/ }) })
      .locator("tbody tr").allInnerTexts();
    if (!runs.some((row) => row.includes("courses.jsonl"))) fail(`catalog: no courses import listed (${runs.length} runs)`);
    return { courses, importRuns: runs.length };
  });
  const open = async (label) => partner.getByRole("navigation", { name: "Console" }).getByRole("link", { name: label }).click();

  await open("Recommenders");
  await check(partner, "recommenders", "Recommenders", async (page) => {
    const rows = await page.locator("table", { has: page.locator("caption", { hasText: /^Recommenders$/ }) })
      .locator("tbody tr").count();
    if (rows < 3) fail(`recommenders: ${rows} rows`);
    return { recommenders: rows };
  });

  await open("Serving metrics");
  await check(partner, "metrics", "Serving metrics", async (page) => {
    await page.locator("figure.chart canvas").first().waitFor({ timeout: 10000 });
    const chart = page.locator("figure.chart").first();
    const strategies = Number(await chart.getAttribute("data-series"));
    const days = Number(await chart.getAttribute("data-days"));
    const summary = await page.locator("figure.chart .chart-plot").first().getAttribute("aria-label");
    const rows = await page.locator("table", { has: page.locator("caption", { hasText: "Answers per day and strategy" }) })
      .locator("tbody tr").count();
    if (strategies < 1 || days < 1 || rows < 1) {
      fail(`metrics: the chart of answers by strategy has ${strategies} strategies over ${days} days, ${rows} rows`);
    }
    return { strategies, days, rows, summary };
  });

  const experimentId = env.PATHWISE_EXPERIMENT_ID;
  await open("Experiments");
  await check(partner, "experiments", "Experiments", async (page) => {
    const listed = await page.getByRole("link", { name: /Content-based vs popular/ }).count();
    if (!listed) fail("experiments: the started experiment is not listed");
    return { listed };
  });

  await partner.getByRole("link", { name: /Content-based vs popular/ }).first().click();
  await check(partner, "experiment", `Experiment ${experimentId}`, async (page) => {
    const table = page.locator("table", { has: page.locator("caption", { hasText: "Results per variant" }) });
    await table.waitFor({ timeout: 10000 });
    const variants = await table.locator("tbody tr").count();
    const suppressed = await table.locator("tbody tr.suppressed").count();
    const lift = await page.locator("section", { hasText: "Lift over days" }).locator("figure.chart canvas").count();
    const liftCells = await table.locator("tbody tr").nth(1).locator("td").allInnerTexts();
    if (variants < 2) fail(`experiment: ${variants} variant rows`);
    if (!lift) fail("experiment: no lift chart");
    return { variants, suppressed, liftChart: lift > 0, secondRow: liftCells };
  });

  // An interleaving experiment's results: credit, the learners' preference, and its chart over days.
  await partner.goto(`${root}experiments/${encodeURIComponent(env.PATHWISE_INTERLEAVING_ID)}/`);
  await check(partner, "experiment-interleaving", `Experiment ${env.PATHWISE_INTERLEAVING_ID}`, async (page) => {
    const preference = page.locator("table", { has: page.locator("caption", { hasText: "Learners' preference" }) });
    await preference.waitFor({ timeout: 10000 });
    const learners = await preference.locator("tbody tr td").first().innerText();
    const chart = await page.locator("section", { hasText: "Preference over days" }).locator("figure.chart canvas").count();
    if (!chart) fail("experiment-interleaving: no preference chart");
    return { learners, preferenceChart: chart > 0 };
  });

  await open("Funnels and struggles");
  await check(partner, "analytics", "Course funnels and struggle points");
  await open("Consent");
  await check(partner, "consents", "Consent statistics", async (page) => {
    const rows = await page.locator("table", { has: page.locator("caption", { hasText: "Consent choices per purpose" }) })
      .locator("tbody tr").count();
    if (rows !== 5) fail(`consents: ${rows} purposes`);
    return { purposes: rows };
  });
  await open("Audit log");
  await check(partner, "audit-partner", "Audit log", async (page) => {
    const text = await page.locator("main").innerText();
    if (!text.includes("for admins only")) fail("audit-partner: no admins-only message");
    return {};
  });

  // The create form, through a full page load (the server's fallback serves the app at any /console/ path).
  await partner.goto(`${root}experiments/new`);
  await check(partner, "experiment-form", "New experiment", async (page) => {
    const draft = `${experimentId}.draft-${Date.now()}`; // a dot: the page must survive a reload all the same
    await page.getByLabel("Id", { exact: true }).fill(draft);
    await page.getByLabel("Name", { exact: true }).first().fill("Hybrid vs popular (draft)");
    await page.getByLabel("Hypothesis").fill("The hybrid ranker is clicked more.");
    await page.getByRole("button", { name: "Create experiment" }).click();
    await page.locator("main h1", { hasText: `Experiment ${draft}` }).waitFor({ timeout: 15000 });
    await page.reload();
    await page.locator("main h1", { hasText: `Experiment ${draft}` }).waitFor({ timeout: 15000 });
    await page.locator(".summary-bar .badge").first().waitFor({ timeout: 15000 });
    const status = await page.locator(".summary-bar .badge").first().innerText();
    if (status !== "DRAFT") fail(`experiment-form: the new experiment is ${status}`);
    await page.goBack();
    await page.locator("main h1", { hasText: "New experiment" }).waitFor({ timeout: 15000 });
    return { created: draft, status };
  });

  // The experiment's results on a phone-sized screen: the page itself does not scroll sideways, tables do.
  await partner.setViewportSize({ width: 390, height: 844 });
  await partner.goto(`${root}experiments/${encodeURIComponent(experimentId)}/`);
  await check(partner, "experiment-phone", `Experiment ${experimentId}`, async (page) => {
    await page.locator("table").first().waitFor({ timeout: 10000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 1) fail(`experiment-phone: the page scrolls ${overflow}px sideways`);
    return { overflow };
  });
  await partnerContext.close();

  // An admin signs in through the form and reads the audit log.
  const adminContext = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const admin = await adminContext.newPage();
  watch(admin, "admin");
  await admin.goto(root);
  await check(admin, "signin", "Pathwise partner console", async (page) => {
    await page.getByLabel("Bearer token (partner or admin)").fill(env.PATHWISE_ADMIN_TOKEN);
    return {};
  });
  await admin.getByRole("button", { name: "Sign in" }).click();
  await admin.locator("nav").waitFor({ timeout: 15000 });
  await admin.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Audit log" }).click();
  await check(admin, "audit", "Audit log", async (page) => {
    const text = await page.locator("main").innerText();
    if (text.includes("for admins only")) fail("audit: an admin was refused");
    const entries = await page.locator("table", { has: page.locator("caption", { hasText: "Audit log" }) })
      .locator("tbody tr").count();
    if (entries < 1) fail("audit: no entries");
    return { entries };
  });
  await adminContext.close();
} catch (error) {
  fail(`test: ${error}`);
} finally {
  await browser.close();
}
const errors = result.pageErrors.length + result.consoleErrors.length;
if (errors) fail(`${errors} console or page errors`);
console.log(JSON.stringify(result));
process.exit(result.failures.length ? 1 : 0);
