// Time from navigation to the learner app's first recommendations painted: the app marks
// `pathwise:recommendations-painted` (a performance mark, ms since navigation start) once the home list is drawn.
// Each run opens a fresh browser context (empty HTTP cache, a cold start) at `/#token=<token>`.
// Usage: PATHWISE_BASE_URL=... PATHWISE_TOKEN=<learner token> node tests/e2e/learner-first-paint.mjs [runs=5]
// Prints {runs: [ms...], medianMs, domContentLoadedMs: [...]}.
import { chromium } from "playwright-core";

const base = process.env.PATHWISE_BASE_URL;
const token = process.env.PATHWISE_TOKEN;
const runs = Number(process.argv[2] ?? 5);
if (!base || !token) {
  console.error("set PATHWISE_BASE_URL and PATHWISE_TOKEN");
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.PATHWISE_CHROMIUM ?? "/usr/bin/chromium",
  headless: true, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
const painted = [];
const loaded = [];
try {
  for (let run = 0; run < runs; run += 1) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(new URL(`/#token=${token}`, base).toString());
    await page.waitForFunction(() => performance.getEntriesByName("pathwise:recommendations-painted").length > 0,
      null, { timeout: 30_000 });
    const [mark, dcl] = await page.evaluate(() => [performance.getEntriesByName("pathwise:recommendations-painted")[0].startTime,
      performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd]);
    painted.push(Math.round(mark));
    loaded.push(Math.round(dcl));
    await context.close();
  }
} finally {
  await browser.close();
}
const sorted = [...painted].sort((a, b) => a - b);
console.log(JSON.stringify({ runs: painted, medianMs: sorted[Math.floor(sorted.length / 2)], domContentLoadedMs: loaded }));
