// The form that creates an experiment: id, name, hypothesis, kind, variants (strategy and share), the primary
// metric and guardrails. The server checks it (shares summing to 1, known strategies); its errors show by field.
import { ConsoleError } from "../api";
import type { PageContext } from "../context";
import { h, notice, replace } from "../dom";
import { experimentPath } from "./experiments";
import { CreateExperimentMutation, RecommendersQuery } from "../../src/console/operations";
import type { ExperimentKind, ExperimentMetric, VariantInput } from "../../src/gql/graphql";

const METRICS: ExperimentMetric[] = ["CLICK_THROUGH", "ENROLMENT", "COMPLETION", "DISMISSAL", "MASTERY_GAINED"];

let fieldNumber = 0;

/** A labelled input; ids are unique per page. */
function field(label: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  const id = `field-${++fieldNumber}`;
  input.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) input.setAttribute("aria-describedby", hintId);
  return h("div", { class: "field" }, h("label", { for: id }, label), input,
    hint ? h("span", { class: "hint", id: hintId }, hint) : null);
}

export async function renderExperimentForm(context: PageContext): Promise<Node> {
  const { recommenders } = await context.api.query(RecommendersQuery, {});
  const strategies = recommenders.filter((r) => r.enabled).map((r) => r.name);
  const id = h("input", { name: "id", required: true, maxlength: 200, autocomplete: "off" });
  const name = h("input", { name: "name", required: true, autocomplete: "off" });
  const hypothesis = h("textarea", { name: "hypothesis", rows: 3 });
  const kind = h("select", { name: "kind" }, h("option", { value: "A_B" }, "A/B: one variant per learner"),
    h("option", { value: "INTERLEAVING" }, "Interleaving: two rankers merged in every list"));
  const primary = h("select", { name: "primaryMetric" }, METRICS.map((m) => h("option", { value: m }, m)));
  const guardrails = METRICS.map((metric) => h("input", { type: "checkbox", name: "guardrail", value: metric,
    id: `guardrail-${metric}` }));
  const variantRows = h("div", { class: "variants" });
  const addVariant = (strategy: string, share: number): void => {
    const n = variantRows.children.length + 1;
    const row = h("fieldset", { class: "variant" }, h("legend", {}, `Variant ${n}${n === 1 ? " (control)" : ""}`),
      field("Name", h("input", { name: "variantName", required: true, value: n === 1 ? "control" : `treatment${n > 2 ? n - 1 : ""}` })),
      field("Strategy", h("select", { name: "variantStrategy" }, strategies.map((s) =>
        h("option", { value: s, selected: s === strategy }, s)))),
      field("Traffic share", h("input", { name: "variantShare", type: "number", min: 0, max: 1, step: "0.01",
        value: share, required: true }), "0–1; the shares sum to 1 (not used by interleaving)"),
      n > 2 ? h("button", { type: "button", onclick: () => row.remove() }, `Remove variant ${n}`) : null);
    variantRows.appendChild(row);
  };
  addVariant(strategies.includes("popular") ? "popular" : strategies[0] ?? "", 0.5);
  addVariant(strategies.find((s) => s !== "popular") ?? strategies[0] ?? "", 0.5);
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "experiment-form", novalidate: false, onsubmit: async (event: Event) => {
    event.preventDefault();
    const variants: VariantInput[] = [...variantRows.querySelectorAll("fieldset")].map((row) => ({
      name: row.querySelector<HTMLInputElement>("[name=variantName]")!.value.trim(),
      strategy: row.querySelector<HTMLSelectElement>("[name=variantStrategy]")!.value,
      share: Number(row.querySelector<HTMLInputElement>("[name=variantShare]")!.value),
    }));
    const input = {
      id: id.value.trim(), name: name.value.trim(), hypothesis: hypothesis.value.trim(),
      kind: kind.value as ExperimentKind, primaryMetric: primary.value as ExperimentMetric, variants,
      guardrails: guardrails.filter((box) => box.checked).map((box) => box.value as ExperimentMetric),
    };
    try {
      const { createExperiment } = await context.api.mutate(CreateExperimentMutation, { input });
      if (createExperiment.errors.length || !createExperiment.experiment) {
        return void replace(status, notice(createExperiment.errors.map((e) =>
          `${e.field ? `${e.field}: ` : ""}${e.message}`).join("; ") || "Not created.", "error"));
      }
      context.navigate(experimentPath(createExperiment.experiment.id));
    } catch (error) {
      replace(status, notice(error instanceof ConsoleError ? `${error.message} (${error.code})` : String(error), "error"));
    }
  } },
  field("Id", id, "how events and reports name it; at most 200 characters"), field("Name", name),
  field("Hypothesis", hypothesis), field("Kind", kind),
  h("h2", {}, "Variants"), variantRows,
  h("button", { type: "button", onclick: () => addVariant(strategies[0] ?? "", 0) }, "Add a variant"),
  h("h2", {}, "Metrics"), field("Primary metric", primary),
  h("fieldset", { class: "guardrails" }, h("legend", {}, "Guardrails"), guardrails.map((box) =>
    h("span", { class: "check" }, box, h("label", { for: box.id }, box.value)))),
  status, h("button", { type: "submit", class: "primary" }, "Create experiment"));
  return form;
}
