// Consent statistics: per purpose, how many learners granted, refused or never answered (counts only, small
// groups withheld).
import type { PageContext } from "../context";
import { badge, h, stat, table } from "../dom";
import { count, percent } from "../format";
import { ConsentStatisticsQuery } from "../../src/console/operations";
import type { ConsoleConsentStatisticsQuery } from "../../src/gql/graphql";

type PurposeCount = ConsoleConsentStatisticsQuery["consentStatistics"]["purposes"][number];

const WORDS: Record<string, string> = {
  ESSENTIAL: "Running the service", PERSONALIZATION: "Personal recommendations",
  BEHAVIORAL_TRACKING: "Behavioural events", THIRD_PARTY_IMPORT: "Connected accounts", ANALYTICS: "Aggregate statistics",
};

export async function renderConsents({ api }: PageContext): Promise<Node> {
  const { consentStatistics: stats } = await api.query(ConsentStatisticsQuery, {});
  return h("div", {},
    h("div", { class: "stats" }, stat("learners known", count(stats.learners))),
    h("section", { "aria-labelledby": "by-purpose" }, h("h2", { id: "by-purpose" }, "Choices per purpose"),
      h("ul", { class: "stacked-bars" }, stats.purposes.map((row) => bar(row, stats.learners))),
      legend()),
    table<PurposeCount>("Consent choices per purpose", [
      { header: "Purpose", cell: (r) => [h("strong", {}, r.purpose), h("div", { class: "muted" }, WORDS[r.purpose] ?? "")] },
      { header: "Granted", cell: (r) => count(r.granted), numeric: true },
      { header: "Refused", cell: (r) => count(r.refused), numeric: true },
      { header: "Never answered", cell: (r) => count(r.undecided), numeric: true },
      { header: "Granted by default", cell: (r) => (r.grantedByDefault ? "yes: the undecided count as granting" : "no") },
      { header: "Shown", cell: (r) => (r.suppressed ? badge("suppressed: a group under the minimum", "warn") : "yes") },
    ], stats.purposes));
}

function bar(row: PurposeCount, learners: number): HTMLElement {
  const label = h("span", { class: "bar-label" }, row.purpose);
  if (row.suppressed || learners === 0) {
    return h("li", {}, label, h("span", { class: "bar-suppressed" },
      row.suppressed ? "suppressed (a count under the minimum group)" : "no learners yet"));
  }
  const parts = [["granted", row.granted], ["refused", row.refused], ["undecided", row.undecided]] as const;
  const text = parts.map(([name, value]) => `${name} ${count(value)} (${percent((value ?? 0) / learners, 0)})`).join(", ");
  const track = h("span", { class: "bar-track stacked", role: "img", "aria-label": `${row.purpose}: ${text}` },
    parts.map(([name, value]) => {
      const segment = h("span", { class: `bar-segment seg-${name}` });
      segment.style.width = `${((value ?? 0) / learners) * 100}%`;
      return segment;
    }));
  return h("li", {}, label, track, h("span", { class: "bar-text" }, text));
}

function legend(): HTMLElement {
  return h("p", { class: "legend" }, ["granted", "refused", "undecided"].map((name) =>
    h("span", { class: "legend-item" }, h("span", { class: `swatch seg-${name}` }), name)));
}
