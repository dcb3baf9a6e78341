// Practice: the next exercise of a skill, an answer, and the learner's mastery of the skill before and after.
// The platform grades answers (it owns the item bank); on a `pathwise demo` server POST /demo/answers stands in
// for it, elsewhere the learner says whether they got it right. The graded answer is a `quiz_answer` event.
import type { NextExerciseQuery as Data } from "../../src/gql/graphql";
import { NextExerciseQuery, RecordAnswerMutation, SkillsQuery } from "../../src/learner/operations";
import { type App, mutate, query, type Screen } from "../app";
import { h, notice, percent, replace } from "../dom";

type Next = Data["nextExercises"][number];

/** The grade of an answer from the demo server's stand-in for the platform. */
async function demoGrade(app: App, exerciseId: string, answer: string): Promise<boolean> {
  const response = await fetch("/demo/answers", { method: "POST", body: JSON.stringify({ exerciseId, answer }),
    headers: { "content-type": "application/json", authorization: `Bearer ${app.session.token}` } });
  const body = (await response.json()) as { correct?: boolean; errors?: { message: string }[] };
  if (!response.ok || typeof body.correct !== "boolean") throw new Error(body.errors?.[0]?.message ?? "not graded");
  return body.correct;
}

async function record(app: App, next: Next, correct: boolean, startedAt: number): Promise<void> {
  const result = await mutate(app, RecordAnswerMutation, { events: [{
    eventId: crypto.randomUUID(), type: "quiz_answer", timestamp: new Date().toISOString(),
    properties: { item_id: next.exercise.id, skill: next.skill, correct, response_time_ms: Math.round(performance.now() - startedAt) },
  }] });
  const problem = result.trackEvents.errors[0] ?? result.trackEvents.results.find((item) => item.status === "REJECTED");
  if (problem) throw new Error(problem.message ?? "the answer was not recorded");
}

function masteryLine(data: Data, skill: string): HTMLElement {
  const mastery = data.mastery.skills.find((item) => item.skillId === skill);
  const value = mastery?.probability ?? 0;
  return h("div", { class: "mastery", id: "mastery", "data-probability": value.toFixed(4) },
    h("label", { for: "mastery-meter" }, `Mastery of ${mastery?.skillName ?? skill}: ${percent(value)}`),
    h("meter", { id: "mastery-meter", min: 0, max: 1, value }),
    mastery ? h("small", null, ` ${mastery.correct} right of ${mastery.attempts}${mastery.mastered ? " · mastered" : ""}`) : null);
}

function answerInput(next: Next): HTMLElement {
  const exercise = next.exercise;
  if (exercise.format === "MULTIPLE_CHOICE") {
    return h("fieldset", { class: "choices-list" }, h("legend", null, exercise.prompt),
      exercise.choices.map((choice, index) => h("label", { class: "radio" },
        h("input", { type: "radio", name: "answer", value: choice, id: `choice-${index}`, required: true }), choice)));
  }
  return h("p", null, h("label", { for: "answer", class: "prompt" }, exercise.prompt),
    h("input", { type: exercise.format === "NUMERIC" ? "text" : "text", id: "answer", name: "answer", required: true,
      inputmode: exercise.format === "NUMERIC" ? "decimal" : null, autocomplete: "off" }));
}

async function drawExercise(app: App, area: HTMLElement, skill: string, before: string | null): Promise<void> {
  const draw = String(Number(area.dataset.draw ?? "0") + 1);
  area.dataset.draw = draw;
  const data = await query(app, NextExerciseQuery, { skill }, "network-only");
  if (area.dataset.draw !== draw) return;  // another skill was chosen meanwhile
  const next = data.nextExercises[0];
  const mastery = masteryLine(data, skill);
  if (before !== null) mastery.append(h("p", { class: "moved", id: "mastery-moved" }, `Mastery moved from ${before} to ${percent(data.mastery.skills.find((item) => item.skillId === skill)?.probability ?? 0)}.`));
  const result = h("p", { id: "practice-result", class: "result", "aria-live": "polite" });
  if (!next) return replace(area, result, mastery, notice("Nothing to practise on this skill right now: come back later."));
  const startedAt = performance.now();
  const status = h("div", { "aria-live": "polite" });
  const current = percent(data.mastery.skills.find((item) => item.skillId === skill)?.probability ?? 0);
  const grade = async (correct: boolean | null, form: HTMLFormElement): Promise<void> => {
    const answer = new FormData(form).get("answer");
    if (correct === null && (typeof answer !== "string" || !answer.trim())) {
      return replace(status, notice("Choose or type an answer first.", "alert"));
    }
    for (const button of form.querySelectorAll("button")) button.disabled = true;
    try {
      const right = correct ?? await demoGrade(app, next.exercise.id, String(answer));
      await record(app, next, right, startedAt);
      replace(status, notice(right ? "Right!" : "Not quite."));
      await drawExercise(app, area, skill, current);
      area.querySelector<HTMLElement>("#practice-result")?.replaceChildren(right ? "Your last answer was right." : "Your last answer was not right.");
    } catch (error) {
      for (const button of form.querySelectorAll("button")) button.disabled = false;
      replace(status, notice(`Could not record the answer: ${(error as Error).message}`, "alert"));
    }
  };
  const form = h("form", { class: "stack exercise", "data-exercise": next.exercise.id, novalidate: true },
    h("p", { class: "hint" }, next.reasonText), answerInput(next),
    app.demo ? h("button", { type: "submit", class: "primary" }, "Check my answer") :
      h("div", { class: "actions" }, h("button", { type: "button", onclick: () => void grade(true, form) }, "I got it right"),
        h("button", { type: "button", onclick: () => void grade(false, form) }, "I got it wrong")),
    status);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void grade(null, form);
  });
  replace(area, result, mastery, form);
}

/** The practice screen: pick a skill, answer its next exercise, watch mastery move. */
export const practicePage: Screen = async (app, main) => {
  const data = await query(app, SkillsQuery, {});
  const skills = data.skills.edges.map((edge) => edge.node);
  const area = h("section", { "aria-label": "Exercise" });
  const chosen = new URLSearchParams(window.location.search).get("skill") ?? skills[0]?.id ?? "";
  const select = h("select", { id: "skill", onchange: (event: Event) => {
    const skill = (event.currentTarget as HTMLSelectElement).value;
    history.replaceState(null, "", `/practice?skill=${encodeURIComponent(skill)}`);
    void drawExercise(app, area, skill, null);
  } }, skills.map((skill) => h("option", { value: skill.id, selected: skill.id === chosen }, skill.name)));
  replace(main, h("h1", { tabindex: "-1" }, "Practice"),
    h("p", null, h("label", { for: "skill" }, "Skill"), " ", select), area);
  if (chosen) await drawExercise(app, area, chosen, null);
  else replace(area, notice("There are no skills to practise yet."));
};
