// The recommenders: status, artifact version, when trained; and what each served over the last 28 days.
import type { PageContext } from "../context";
import { badge, h, table } from "../dom";
import { count, decimal, percent, when } from "../format";
import { RecommenderPopularityQuery, RecommendersQuery } from "../../src/console/operations";

const TONES: Record<string, "ok" | "warn" | "bad"> = {
  READY: "ok", COMPOSED: "ok", NOT_TRAINED: "warn", STALE: "warn", FAILED: "bad", DISABLED: "warn",
};

export async function renderRecommenders({ api }: PageContext): Promise<Node> {
  const [{ recommenders }, { recommenderPopularity }] = await Promise.all([
    api.query(RecommendersQuery, {}), api.query(RecommenderPopularityQuery, { days: 28 })]);
  type Row = (typeof recommenders)[number];
  type Served = (typeof recommenderPopularity)[number];
  return h("div", {},
    h("section", { "aria-labelledby": "status" }, h("h2", { id: "status" }, "Status and artifacts"),
      table<Row>("Recommenders", [
        { header: "Name", cell: (r) => h("strong", {}, r.name) },
        { header: "Status", cell: (r) => [badge(r.status, TONES[r.status] ?? "muted"),
          r.problem ? h("div", { class: "problem" }, r.problem) : null] },
        { header: "Enabled", cell: (r) => (r.enabled ? "yes" : "no") },
        { header: "Version", cell: (r) => r.version },
        { header: "Artifact version", cell: (r) => h("code", {}, r.artifactVersion ?? "–") },
        { header: "Trained at", cell: (r) => when(r.trainedAt) },
        { header: "Config hash", cell: (r) => h("code", {}, r.configHash?.slice(0, 12) ?? "–") },
        { header: "Source", cell: (r) => r.source },
        { header: "Description", cell: (r) => r.description },
      ], recommenders)),
    h("section", { "aria-labelledby": "served" }, h("h2", { id: "served" }, "What each strategy served (28 days)"),
      table<Served>("Servings by strategy", [
        { header: "Strategy", cell: (r) => r.strategy },
        { header: "Answers", cell: (r) => count(r.answers), numeric: true },
        { header: "Courses served", cell: (r) => count(r.coursesServed), numeric: true },
        { header: "Catalog coverage", cell: (r) => percent(r.coverage), numeric: true },
        { header: "Gini", cell: (r) => decimal(r.gini), numeric: true },
        { header: "Popularity lift", cell: (r) => decimal(r.popularityLift), numeric: true },
        { header: "Top courses", cell: (r) => r.topCourses.slice(0, 3).map((c) =>
          h("div", {}, `${c.title ?? c.courseId} (${percent(c.share)})`)) },
      ], recommenderPopularity)));
}
