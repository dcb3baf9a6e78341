// Onboarding: goals, interests (with "Other" in free text), level, weekly time, and each consent asked in plain
// words. Consents are saved first, then the answers, whose payload carries the first recommendations.
import type { ConsentPurpose, SelfAssessedLevel } from "../../src/gql/graphql";
import { SetConsentMutation } from "../../src/lib/operations";
import { CreateLearnerMutation, LearnerQuery, OnboardingOptionsQuery, SubmitOnboardingMutation } from "../../src/learner/operations";
import { type App, checkPayload, LIST_SIZE, mutate, query, type Screen } from "../app";
import { h, notice, replace } from "../dom";
import { consentField } from "./consents";

const LEVELS: [SelfAssessedLevel, string][] = [["BEGINNER", "New to it"], ["INTERMEDIATE", "I know the basics"],
  ["ADVANCED", "I am at ease with it"]];
const WEEKLY: [number, string][] = [[60, "About 1 hour"], [120, "About 2 hours"], [240, "About 4 hours"],
  [360, "About 6 hours"], [600, "10 hours or more"]];

function checkboxes(name: string, values: readonly string[], chosen: readonly string[]): HTMLElement[] {
  return values.map((value, index) => h("label", { class: "chip" },
    h("input", { type: "checkbox", name, value, id: `${name}-${index}`, checked: chosen.includes(value) }), value));
}

function picked(form: HTMLFormElement, name: string): string[] {
  return [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((input) => input.value);
}

async function ensureLearner(app: App): Promise<void> {
  const { me } = await query(app, LearnerQuery, {}, "network-only");
  if (me) return;
  const created = await mutate(app, CreateLearnerMutation, { input: { id: app.session.userId } });
  checkPayload(created.upsertUser);
}

async function save(app: App, form: HTMLFormElement, granted: Map<ConsentPurpose, boolean>): Promise<void> {
  await ensureLearner(app);
  for (const input of form.querySelectorAll<HTMLInputElement>(".consent input")) {
    const purpose = input.name as ConsentPurpose;
    if (input.disabled || granted.get(purpose) === input.checked) continue;
    const result = await mutate(app, SetConsentMutation, { purpose, granted: input.checked, first: LIST_SIZE });
    checkPayload(result.setConsent);
  }
  const other = (form.elements.namedItem("other") as HTMLInputElement).value.trim();
  const weekly = (form.elements.namedItem("weekly") as HTMLSelectElement).value;
  const level = form.querySelector<HTMLInputElement>('input[name="level"]:checked')?.value as SelfAssessedLevel | undefined;
  const result = await mutate(app, SubmitOnboardingMutation, { first: LIST_SIZE, input: {
    goals: picked(form, "goals"), interests: picked(form, "interests").filter((value) => value !== "__other"),
    other: picked(form, "interests").includes("__other") && other ? other : null,
    weeklyMinutes: weekly ? Number(weekly) : null, level: level ?? null,
  } });
  checkPayload(result.submitOnboarding);
}

/** The onboarding form. */
export const onboardingPage: Screen = async (app, main) => {
  const [options, learner] = await Promise.all([query(app, OnboardingOptionsQuery, {}, "network-only"),
    query(app, LearnerQuery, {}, "network-only")]);
  const me = learner.me;
  const granted = new Map(options.consents.map((consent) => [consent.purpose, consent.granted]));
  const status = h("div", { "aria-live": "polite" });
  const otherText = h("input", { type: "text", name: "other", id: "other-text", maxlength: 2000,
    placeholder: "e.g. public speaking, bookkeeping", hidden: true });
  const otherLabel = h("label", { for: "other-text", hidden: true }, "Your other interests, in your words");
  const otherBox = h("input", { type: "checkbox", name: "interests", value: "__other", id: "interests-other",
    onchange: (event: Event) => {
      const on = (event.currentTarget as HTMLInputElement).checked;
      otherText.hidden = !on;
      otherLabel.hidden = !on;
      if (on) otherText.focus();
    } });
  const form = h("form", { class: "stack", novalidate: true },
    h("fieldset", null, h("legend", null, "What do you want to learn? (your goals)"),
      h("div", { class: "chips" }, checkboxes("goals", options.taxonomy.skills, me?.goals ?? []))),
    h("fieldset", null, h("legend", null, "What are you interested in?"),
      h("div", { class: "chips" }, checkboxes("interests", options.taxonomy.topics, me?.interests ?? []),
        h("label", { class: "chip" }, otherBox, "Other")),
      otherLabel, otherText),
    h("fieldset", null, h("legend", null, "Your level"), LEVELS.map(([value, text]) => h("label", { class: "radio" },
      h("input", { type: "radio", name: "level", value, checked: me?.onboarding.selfAssessedLevel === value.toLowerCase() }), text))),
    h("p", null, h("label", { for: "weekly" }, "Time you can give each week"), " ",
      h("select", { id: "weekly", name: "weekly" }, h("option", { value: "" }, "Not sure yet"),
        WEEKLY.map(([minutes, text]) => h("option", { value: minutes, selected: me?.weeklyMinutesTarget === minutes }, text)))),
    h("fieldset", null, h("legend", null, "What may Pathwise use? You can change this any time in Privacy."),
      options.privacyNotice.purposes.map((purpose) => consentField(purpose, granted.get(purpose.purpose) ?? false))),
    h("button", { type: "submit", class: "primary", id: "finish-onboarding" }, "Show my courses"),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector<HTMLButtonElement>("#finish-onboarding") as HTMLButtonElement;
    button.disabled = true;
    replace(status, notice("Saving your answers…"));
    try {
      await save(app, form, granted);
      window.dispatchEvent(new Event("pathwise:onboarded"));
      app.navigate("/");
    } catch (error) {
      button.disabled = false;
      replace(status, notice(`Could not save: ${(error as Error).message}`, "alert"));
    }
  });
  replace(main, h("h1", { tabindex: "-1" }, me?.onboarding.completedAt ? "Your preferences" : "Welcome to Pathwise"),
    h("p", { class: "lead" }, "Tell us a little about what you want, so we can suggest courses. Every question is optional."),
    form);
};
