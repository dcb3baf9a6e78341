// The learner app's build: web/learner/ -> web/dist/learner/ (served by `pathwise serve` at /), with no inline
// script or style (the server's Content-Security-Policy allows files from 'self' only).
import { resolve } from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  build: {
    outDir: resolve(import.meta.dirname, "../dist/learner"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
