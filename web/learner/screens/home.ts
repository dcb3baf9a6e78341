// Home: the learner's recommendations with the reason for each, and feedback buttons that change the list at once
// (each mutation's payload carries `user { recommendations }`, which Graphcache writes over the cached list; the
// subscribed query below re-renders from it). Impressions and clicks go to the tracker.
import type { OperationResult } from "@urql/core";

import type { DifficultyFeedback, RecommendationListFragment, RecommendationsQuery as Data } from "../../src/gql/graphql";
import { RecommendationsQuery } from "../../src/lib/operations";
import { DifficultyFeedbackMutation, MarkNotInterestedMutation } from "../../src/learner/operations";
import { type App, checkPayload, failure, LIST_SIZE, mutate, type Screen } from "../app";
import { duration, h, label, notice, replace } from "../dom";

type Item = RecommendationListFragment["items"][number];
export const FIRST_PAINT_MARK = "pathwise:recommendations-painted";

const FEEDBACK: [string, DifficultyFeedback | "NOT_INTERESTED"][] = [
  ["Not interested", "NOT_INTERESTED"], ["Too easy", "TOO_EASY"], ["Too hard", "TOO_HARD"],
  ["Already know this", "ALREADY_KNOW"],
];

/** The properties of a recommendation event: the list's request, the item's position and the experiment arm
 * (an interleaved list credits each item's own ranker). */
export function recommendationProperties(list: RecommendationListFragment, item: Item, position: number): Record<string, unknown> {
  const variant = list.variant === "interleaved" ? item.variant : list.variant;
  return { request_id: list.requestId, position, strategy: list.strategy,
    ...(list.experiment ? { experiment: list.experiment, variant } : {}) };
}

async function sendFeedback(app: App, courseId: string, kind: DifficultyFeedback | "NOT_INTERESTED"): Promise<void> {
  if (kind === "NOT_INTERESTED") {
    const data = await mutate(app, MarkNotInterestedMutation, { courseId, first: LIST_SIZE });
    return checkPayload(data.markNotInterested);
  }
  const data = await mutate(app, DifficultyFeedbackMutation, { courseId, kind, first: LIST_SIZE });
  checkPayload(data.courseDifficultyFeedback);
}

function card(app: App, list: RecommendationListFragment, item: Item, position: number, status: HTMLElement): HTMLElement {
  const course = item.course;
  const titleId = `rec-${position}`;
  const buttons = FEEDBACK.map(([text, kind]) => h("button", {
    type: "button", class: "quiet", "data-feedback": kind, "aria-describedby": titleId,
    onclick: async (event: Event) => {
      const group = (event.currentTarget as HTMLElement).parentElement as HTMLElement;
      for (const button of group.querySelectorAll("button")) button.disabled = true;
      replace(status, notice(`Updating your list after “${text}” on ${course.title}…`));
      try {
        await sendFeedback(app, course.id, kind);
        replace(status, notice(`Noted: “${text}” on ${course.title}. Your list is updated.`));
      } catch (error) {
        for (const button of group.querySelectorAll("button")) button.disabled = false;
        replace(status, notice(`Could not send that: ${(error as Error).message}`, "alert"));
      }
    },
  }, text));
  const link = h("a", { href: `/course/${encodeURIComponent(course.id)}`, onclick: () => {
    app.tracker.track("recommendation_click", { courseId: course.id, properties: recommendationProperties(list, item, position) });
  } }, course.title);
  return h("li", { class: "card", "data-course-id": course.id },
    h("h2", { id: titleId }, link),
    h("p", { class: "meta" }, [label(course.level), duration(course.durationMinutes), label(course.format),
      course.rating ? `★ ${course.rating.toFixed(1)}` : ""].filter(Boolean).join(" · ")),
    h("p", null, course.summary),
    h("ul", { class: "reasons", "aria-label": "Why this course" }, item.reasons.map((reason) =>
      h("li", { "data-reason": reason.code }, reason.text))),
    h("div", { class: "actions", role: "group", "aria-label": `Feedback on ${course.title}` }, buttons));
}

/** Home: recommendations, kept current by the cache. */
export const homePage: Screen = async (app, main) => {
  const why = h("p", { class: "why", id: "recs-why" });
  const list = h("ol", { class: "cards", id: "recommendations", "aria-describedby": "recs-why" });
  const status = h("div", { class: "status", "aria-live": "polite" });
  replace(main, h("h1", { tabindex: "-1" }, "Recommended for you"), why, status, list);
  const impressed = new Set<string>();
  const draw = (result: OperationResult<Data>): void => {
    const problem = failure(result);
    if (problem !== null) return replace(status, notice(problem, "alert"));
    const recommendations = result.data?.recommendations;
    if (!recommendations) return;
    why.textContent = recommendations.explanation;
    why.dataset.strategy = recommendations.strategy;
    why.dataset.reason = recommendations.notPersonalizedReason ?? "";
    list.dataset.requestId = recommendations.requestId;
    replace(list, recommendations.items.length === 0 ? h("li", null, "Nothing to recommend right now.") :
      recommendations.items.map((item, position) => card(app, recommendations, item, position, status)));
    recommendations.items.forEach((item, position) => {
      const key = `${recommendations.requestId}:${item.course.id}`;
      if (impressed.has(key)) return;
      impressed.add(key);
      app.tracker.track("recommendation_impression", { courseId: item.course.id,
        properties: recommendationProperties(recommendations, item, position) });
    });
    if (performance.getEntriesByName(FIRST_PAINT_MARK).length === 0) {
      requestAnimationFrame(() => performance.mark(FIRST_PAINT_MARK));
    }
  };
  const subscription = app.client.query(RecommendationsQuery, { first: LIST_SIZE }).subscribe(draw);
  return () => subscription.unsubscribe();
};
