// The partner console's build: web/console/ -> web/dist/console/, served by `pathwise serve` at /console.
// Run from web/: `vite build --config console/vite.config.ts` (npm run build:console, or `make web`).
import { defineConfig } from "vite";

export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  base: "/console/",
  build: {
    outDir: new URL("../dist/console/", import.meta.url).pathname,
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    // uPlot's stylesheet and the console's: one file, no inline style (the server's CSP may forbid it).
    cssCodeSplit: false,
  },
});
