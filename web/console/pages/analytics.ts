// Course funnels (bars per stage, suppressed stages marked) and the skills where learners struggle.
import type { PageContext } from "../context";
import { badge, h, table } from "../dom";
import { count, decimal, percent } from "../format";
import { FunnelsQuery, StrugglesQuery } from "../../src/console/operations";
import type { ConsoleFunnelsQuery, ConsoleStrugglesQuery } from "../../src/gql/graphql";

type Funnel = ConsoleFunnelsQuery["courseFunnels"][number];
type Stage = Funnel["stages"][number];
type Struggle = ConsoleStrugglesQuery["skillStruggles"][number];

const STAGES: Record<string, string> = {
  VIEWED: "Viewed", ENROLLED: "Enrolled", PROGRESS_25: "25 % done", PROGRESS_50: "50 % done",
  PROGRESS_75: "75 % done", COMPLETED: "Completed",
};

export async function renderAnalytics({ api }: PageContext): Promise<Node> {
  const [{ courseFunnels }, { skillStruggles }] = await Promise.all([
    api.query(FunnelsQuery, { first: 10 }), api.query(StrugglesQuery, { first: 20 })]);
  return h("div", {},
    h("p", { class: "lede" }, "Counts only learners who grant the ANALYTICS purpose; a number over fewer learners ",
      "than the deployment's minimum group is withheld and its stage marked suppressed."),
    h("section", { "aria-labelledby": "funnels" }, h("h2", { id: "funnels" }, "Course funnels"),
      courseFunnels.length
        ? h("div", { class: "funnels" }, courseFunnels.map(funnel))
        : h("p", { class: "empty" }, "No course has enough learners for a funnel yet.")),
    h("section", { "aria-labelledby": "struggles" }, h("h2", { id: "struggles" }, "Struggle points"),
      table<Struggle>("Skills where learners struggle most", [
        { header: "Skill", cell: (r) => [h("strong", {}, r.name), r.suppressed ? " " : null, r.suppressed ? badge("suppressed", "warn") : null] },
        { header: "Learners", cell: (r) => count(r.learners), numeric: true },
        { header: "Mean mastery", cell: (r) => decimal(r.meanMastery), numeric: true },
        { header: "Mastered", cell: (r) => percent(r.masteredShare), numeric: true },
        { header: "Answers", cell: (r) => count(r.answers), numeric: true },
        { header: "Failure rate", cell: (r) => percent(r.failureRate), numeric: true },
        { header: "Hints per answer", cell: (r) => decimal(r.meanHints), numeric: true },
        { header: "Items failed most", cell: (r) => r.items.map((item) => h("div", {}, item.suppressed
          ? `${item.itemId}: suppressed` : `${item.itemId}: ${percent(item.failureRate)} of ${count(item.answers)}`)) },
      ], skillStruggles, (r) => (r.suppressed ? "suppressed" : null))));
}

function funnel(course: Funnel): HTMLElement {
  const first = course.stages[0]?.learners ?? null;
  return h("article", { class: "funnel" },
    h("h3", {}, course.title, h("span", { class: "muted" }, ` · ${learners(course.learners)}`)),
    h("ol", { class: "bars" }, course.stages.map((stage) => stageBar(stage, first))));
}

function stageBar(stage: Stage, first: number | null): HTMLElement {
  const name = STAGES[stage.stage] ?? stage.stage;
  if (stage.suppressed || stage.learners === null || stage.learners === undefined) {
    return h("li", { class: "suppressed" }, h("span", { class: "bar-label" }, name),
      h("span", { class: "bar-suppressed" }, "suppressed: fewer learners than the minimum group"));
  }
  const share = first ? stage.learners / first : 0;
  const text = `${learners(stage.learners)}, ${percent(stage.shareOfFirst)} of viewers` +
    (stage.dropOff !== null && stage.dropOff !== undefined ? `, ${count(stage.dropOff)} dropped` : "");
  const fill = h("span", { class: "bar-fill" });
  fill.style.width = `${Math.max(share * 100, 0.5)}%`;
  return h("li", {}, h("span", { class: "bar-label" }, name),
    h("span", { class: "bar-track", role: "img", "aria-label": `${name}: ${text}` }, fill),
    h("span", { class: "bar-text" }, text));
}

function learners(value: number | null | undefined): string {
  return `${count(value)} ${value === 1 ? "learner" : "learners"}`;
}
