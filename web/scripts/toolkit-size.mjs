// Builds src/toolkit.ts (the GraphQL client with Graphcache, the typed operations and the tracker) with Vite as an
// app would ship it, minified, every export kept, and prints its size: {files, bytes, gzipBytes, gzipKB}.
// Usage: node scripts/toolkit-size.mjs [--budget-kb N]   exits 1 when the gzipped size is over N KB.
import { gzipSync } from "node:zlib";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const budgetAt = process.argv.indexOf("--budget-kb");
const budgetKB = budgetAt > 0 ? Number(process.argv[budgetAt + 1]) : null;
const ENTRY = "\0toolkit-size-entry";

// An app entry that keeps every export of the toolkit, as if the app used all of it.
const entry = {
  name: "toolkit-size-entry",
  resolveId: (id) => (id === ENTRY ? id : null),
  load: (id) => (id === ENTRY ? `import * as toolkit from "${resolve(web, "src/toolkit.ts")}"; globalThis.pathwise = toolkit;` : null),
};

const result = await build({
  root: web,
  configFile: false,
  logLevel: "warn",
  plugins: [entry],
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: { write: false, target: "es2022", minify: true, rollupOptions: { input: ENTRY } },
});
const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
const files = outputs.filter((o) => o.type === "chunk").map((chunk) => ({
  name: chunk.fileName, bytes: Buffer.byteLength(chunk.code), gzipBytes: gzipSync(chunk.code, { level: 9 }).length,
}));
const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
const gzipBytes = files.reduce((sum, f) => sum + f.gzipBytes, 0);
const gzipKB = Math.round((gzipBytes / 1024) * 10) / 10;
console.log(JSON.stringify({ files, bytes, gzipBytes, gzipKB, budgetKB }));
if (budgetKB !== null && gzipKB > budgetKB) {
  console.error(`the toolkit is ${gzipKB} KB gzipped, over its budget of ${budgetKB} KB`);
  process.exit(1);
}
