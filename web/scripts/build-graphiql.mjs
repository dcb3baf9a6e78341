// Copies GraphiQL's files from node_modules (installed from package-lock.json) and our page to dist/graphiql/,
// checking each vendor file against the SHA-384 that GraphiQL's CDN page pins for the same version.
// Usage: node scripts/build-graphiql.mjs [output folder]   (default: dist/graphiql)
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(web, process.argv[2] ?? "dist/graphiql");

// [file under node_modules, name served, SRI of the same file on unpkg (as strawberry's page pins it)]
const VENDOR = [
  ["react/umd/react.production.min.js", "react.production.min.js",
    "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8"],
  ["react-dom/umd/react-dom.production.min.js", "react-dom.production.min.js",
    "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh"],
  ["js-cookie/dist/js.cookie.min.js", "js.cookie.min.js",
    "sha384-/vxhYfM1LENRhdpZ8dwEsQn/X4VhpbEZSiU4m/FwR+PVpzar4fkEOw8FP9Y+OfQN"],
  ["graphiql/graphiql.min.css", "graphiql.min.css",
    "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM"],
  ["graphiql/graphiql.min.js", "graphiql.min.js",
    "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie"],
  ["@graphiql/plugin-explorer/dist/style.css", "plugin-explorer.css",
    "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi"],
  ["@graphiql/plugin-explorer/dist/index.umd.js", "plugin-explorer.umd.js",
    "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9"],
];
// Ours: the page and what used to be inline in it (the Content-Security-Policy allows no inline code).
const OWN = ["index.html", "pathwise-graphiql.js", "pathwise-graphiql.css", "favicon.svg"];

function sri(path) {
  return "sha384-" + createHash("sha384").update(readFileSync(path)).digest("base64");
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const [from, to, expected] of VENDOR) {
  const source = join(web, "node_modules", from);
  const actual = sri(source);
  if (actual !== expected) {
    console.error(`error: ${from} is not the pinned file (${actual}, expected ${expected}); run npm ci`);
    process.exit(1);
  }
  copyFileSync(source, join(out, to));
}
for (const name of OWN) {
  copyFileSync(join(web, "graphiql", name), join(out, name));
}
// Written last: the server treats the folder as built once this exists.
writeFileSync(join(out, "BUILT"), new Date().toISOString() + "\n");
console.log(`GraphiQL: ${VENDOR.length + OWN.length} files in ${out}`);
