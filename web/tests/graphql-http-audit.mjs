// The graphql-http package's GraphQL-over-HTTP conformance audit against a running server.
// Usage: node tests/graphql-http-audit.mjs http://127.0.0.1:8000/graphql
// Prints one JSON object: {ok, warn, error, notice, results: [{id, name, status, reason}]}; exits 0 unless it cannot run.
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node tests/graphql-http-audit.mjs <GraphQL URL>");
  process.exit(2);
}
const results = await auditServer({ url });
const counts = { ok: 0, warn: 0, error: 0, notice: 0 };
const rows = [];
for (const result of results) {
  counts[result.status] += 1;
  rows.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.status === "ok" ? undefined : String(result.reason),
  });
}
console.log(JSON.stringify({ ...counts, results: rows }));
