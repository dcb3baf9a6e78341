// A learning path to a goal typed in words: the steps (a course, or practice) with their reasons and time.
import type { LearningPathQuery as Data } from "../../src/gql/graphql";
import { LearningPathQuery } from "../../src/learner/operations";
import { type App, query, type Screen } from "../app";
import { duration, h, notice, replace } from "../dom";

function drawPath(path: Data["learningPath"]): HTMLElement {
  return h("div", { id: "path" },
    h("p", null, `Read as: ${path.matches.map((match) => `“${match.phrase}” → ${match.skillName}`).join("; ") || "—"}`),
    h("p", { class: "lead" }, `${path.steps.length} ${path.steps.length === 1 ? "step" : "steps"}, about ${duration(path.totalMinutes)}: `,
      `${path.totalWeeks} weeks at ${duration(path.weeklyMinutes)} a week.`),
    h("ol", { class: "steps" }, path.steps.map((step) => h("li", { class: "card", "data-kind": step.kind },
      step.course ? h("a", { href: `/course/${encodeURIComponent(step.course.id)}` }, step.course.title) :
        h("a", { href: `/practice?skill=${encodeURIComponent(step.skill?.id ?? "")}` }, `Practise ${step.skill?.name ?? ""}`),
      h("p", { class: "meta" }, `${step.reasonText} · ${duration(step.estimatedMinutes)} · done by week ${step.cumulativeWeeks}`)))),
    path.skipped.length ? h("p", null, `Skipped, you already know them: ${path.skipped.map((item) => item.skill.name).join(", ")}.`) : null);
}

async function findPath(app: App, goal: string, area: HTMLElement): Promise<void> {
  replace(area, notice("Finding your path…"));
  try {
    const data = await query(app, LearningPathQuery, { goal }, "network-only");
    replace(area, drawPath(data.learningPath));
  } catch (error) {
    replace(area, notice(`No path for that goal: ${(error as Error).message}`, "alert"));
  }
}

/** The learning path screen. */
export const learningPathPage: Screen = async (app, main) => {
  const area = h("section", { "aria-live": "polite", "aria-label": "Your path" });
  const input = h("input", { type: "text", id: "goal", name: "goal", maxlength: 500, required: true,
    placeholder: "e.g. I want to analyse sales data with SQL" });
  const form = h("form", { class: "inline" }, h("label", { for: "goal" }, "Your goal, in your words"), input,
    h("button", { type: "submit", class: "primary" }, "Show my path"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.value.trim()) void findPath(app, input.value.trim(), area);
  });
  replace(main, h("h1", { tabindex: "-1" }, "Learning path"), form, area);
};
