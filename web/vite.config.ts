// Vite's settings shared by the learner app and the partner console (each will build into dist/<name>/), and
// Vitest's: the unit tests in tests/unit/ run in Node with their own browser fakes (no DOM library needed).
import { defineConfig } from "vitest/config";

export default defineConfig({
  build: { target: "es2022", sourcemap: true },
  test: {
    include: ["tests/unit/**/*.test.ts", "console/**/*.test.ts"],
    environment: "node",
    restoreMocks: true,
  },
});
