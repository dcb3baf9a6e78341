// Runs GraphQL Code Generator (codegen.ts: ../schema/schema.graphql + the operations in src/ -> src/gql/) and
// prints its log only when it fails, with its exit code.
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cli = resolve(web, "node_modules/@graphql-codegen/cli/cjs/bin.js");
const run = spawnSync(process.execPath, [cli, "--config", "codegen.ts", "--errors-only"], { cwd: web, encoding: "utf8" });
if (run.status !== 0) {
  process.stderr.write(`${run.stdout ?? ""}${run.stderr ?? ""}`);
  console.error(`GraphQL Code Generator failed (exit ${run.status ?? run.signal}): see above`);
  process.exit(run.status || 1);
}
