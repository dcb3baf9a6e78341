// Opens GraphiQL in headless Chromium with the network limited to the server: every request to another host is
// aborted and recorded. Waits for the editor and for the documentation explorer to show the schema's root types.
// Usage: node tests/graphiql-offline.mjs <server base URL> <screenshot.png> [chromium executable]
// Prints one JSON object: {rendered, rootTypes, external, consoleErrors, pageErrors}.
import { chromium } from "playwright-core";

const [base, screenshot, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error("usage: node tests/graphiql-offline.mjs <server base URL> <screenshot.png> [chromium]");
  process.exit(2);
}
const serverHost = new URL(base).host;
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const browser = await chromium.launch({ executablePath, headless: true, args: ARGS });
const result = { rendered: false, rootTypes: "", external: [], consoleErrors: [], pageErrors: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === "http:" || url.protocol === "https:") && url.host !== serverHost) {
      result.external.push(route.request().url());
      return route.abort("blockedbyclient");
    }
    return route.continue();
  });
  const page = await context.newPage();
  page.on("websocket", (socket) => {
    if (new URL(socket.url()).host !== serverHost) result.external.push(socket.url());
  });
  page.on("console", (message) => {
    if (message.type() === "error") result.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => result.pageErrors.push(String(error)));

  await page.goto(new URL("/graphql", base).toString(), { waitUntil: "load" });
  try {
    await page.waitForSelector(".graphiql-container .graphiql-query-editor .CodeMirror", { timeout: 20000 });
    await page.click("button[aria-label='Show Documentation Explorer']");
    const explorer = page.locator(".graphiql-doc-explorer");
    await explorer.getByText("Mutation", { exact: true }).waitFor({ timeout: 20000 });
    result.rootTypes = (await explorer.innerText()).replace(/\s+/g, " ").trim();
    result.rendered = true;
  } finally {
    await page.screenshot({ path: screenshot });
  }
} catch (error) {
  result.pageErrors.push(`test: ${error}`);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
