// The audit log (admins only): who read or changed a learner's data, consent changes, exports and erasures.
import { ConsoleError } from "../api";
import type { PageContext } from "../context";
import { h, notice, replace, table } from "../dom";
import { when } from "../format";
import { AuditLogQuery } from "../../src/console/operations";
import type { ConsoleAuditLogQuery } from "../../src/gql/graphql";

type Entry = NonNullable<ConsoleAuditLogQuery["auditLog"]["edges"][number]["node"]>;

export async function renderAudit({ api }: PageContext): Promise<Node> {
  const rows: Entry[] = [];
  const body = h("div", {});
  const more = h("button", { type: "button", onclick: () => void page() }, "Load more");
  const learner = h("input", { id: "audit-user", name: "userId", type: "search", autocomplete: "off" });
  let after: string | null = null;
  const page = async (): Promise<void> => {
    const userId = learner.value.trim() || null;
    const { auditLog } = await api.query(AuditLogQuery, { first: 50, after, userId });
    rows.push(...auditLog.edges.map((edge) => edge.node));
    after = auditLog.pageInfo.endCursor ?? null;
    more.hidden = !auditLog.pageInfo.hasNextPage;
    replace(body, h("p", { class: "muted" }, `${rows.length} of ${auditLog.totalCount} entries, newest first.`),
      table<Entry>("Audit log", [
        { header: "When", cell: (r) => when(r.at) },
        { header: "Action", cell: (r) => r.action },
        { header: "Learner", cell: (r) => r.userId ?? r.erasedLearner ?? "–" },
        { header: "By", cell: (r) => `${r.actorId} (${r.actorRoles.join(", ")})` },
        { header: "Through", cell: (r) => h("code", {}, r.operation) },
        { header: "Purpose", cell: (r) => r.purpose ?? "–" },
        { header: "Deleted", cell: (r) => r.counts.map((c) => `${c.collection}: ${c.count}`).join(", ") || "–" },
      ], rows));
  };
  try {
    await page();
  } catch (error) {
    if (error instanceof ConsoleError && error.code === "FORBIDDEN") {
      return notice("The audit log is for admins only: sign in with an admin's token to read it.");
    }
    throw error;
  }
  const filter = h("form", { class: "controls", onsubmit: (event: Event) => {
    event.preventDefault();
    rows.length = 0;
    after = null;
    void page();
  } }, h("label", { for: "audit-user" }, "Learner id"), learner, h("button", { type: "submit" }, "Filter"));
  return h("div", {}, filter, body, more);
}
