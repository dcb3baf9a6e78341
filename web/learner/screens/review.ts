// The review queue: exercises due again (spaced repetition), least likely remembered first.
import { ReviewQueueQuery } from "../../src/learner/operations";
import { query, type Screen } from "../app";
import { h, percent, replace } from "../dom";

/** The review screen. */
export const reviewPage: Screen = async (app, main) => {
  const data = await query(app, ReviewQueueQuery, {}, "network-only");
  const items = data.reviewQueue;
  replace(main, h("h1", { tabindex: "-1" }, "Due for review"),
    h("p", { class: "lead" }, "Exercises you answered before, due again so that you keep them in mind."),
    items.length === 0 ? h("p", { id: "review-empty" }, "Nothing is due now. Practise, and items come back here when it is time.") :
      h("ul", { class: "cards", id: "review" }, items.map((item) => h("li", { class: "card" },
        h("p", null, item.exercise?.prompt ?? item.exerciseId),
        h("p", { class: "meta" }, `Chance you remember it: ${percent(item.recallProbability)} · reviewed ${item.reviews} times`),
        h("a", { href: `/practice?skill=${encodeURIComponent(item.skills[0] ?? "")}` }, "Practise this skill")))));
};
