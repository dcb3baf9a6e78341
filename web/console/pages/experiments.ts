// Experiments: the list with their life-cycle buttons (start, pause, stop).
import { ConsoleError, type Api } from "../api";
import { link, type PageContext } from "../context";
import { badge, h, notice, replace, table } from "../dom";
import { percent, when } from "../format";
import {
  ExperimentsQuery, PauseExperimentMutation, StartExperimentMutation, StopExperimentMutation,
} from "../../src/console/operations";
import type { ConsoleExperimentFragment } from "../../src/gql/graphql";

export type Experiment = ConsoleExperimentFragment;

/** An experiment's page. The trailing slash keeps an id with a dot (`v1.2`) from reading as a file name to the
 * server, which answers a path under /console with the app's index.html only when its last part has no dot. */
export function experimentPath(id: string): string {
  return `experiments/${encodeURIComponent(id)}/`;
}

export const STATUS_TONES: Record<string, "ok" | "warn" | "muted" | "info"> = {
  DRAFT: "info", RUNNING: "ok", PAUSED: "warn", STOPPED: "muted",
};

export async function renderExperiments(context: PageContext): Promise<Node> {
  const body = h("div", {});
  const refresh = async (): Promise<void> => {
    const { experiments } = await context.api.query(ExperimentsQuery, { first: 100, after: null });
    const rows = experiments.edges.map((edge) => edge.node);
    replace(body, table<Experiment>(`Experiments (${experiments.totalCount})`, [
      { header: "Experiment", cell: (e) => [link(experimentPath(e.id), e.name),
        h("div", { class: "muted" }, e.id)] },
      { header: "Status", cell: (e) => badge(e.status, STATUS_TONES[e.status] ?? "muted") },
      { header: "Kind", cell: (e) => e.kind },
      { header: "Primary metric", cell: (e) => e.primaryMetric },
      { header: "Variants", cell: (e) => e.variants.map((v) =>
        h("div", {}, `${v.name}: ${v.strategy}${e.kind === "A_B" ? ` (${percent(v.share, 0)})` : ""}`)) },
      { header: "Started", cell: (e) => when(e.startedAt) },
      { header: "Actions", cell: (e) => lifeCycleButtons(context.api, e, refresh) },
    ], rows));
  };
  await refresh();
  return h("div", {}, h("p", {}, link("experiments/new", "New experiment")), body);
}

/** Start / pause / stop as the experiment's status allows; `done` runs after a change. */
export function lifeCycleButtons(api: Api, experiment: Experiment, done: () => Promise<void>): HTMLElement {
  const status = h("span", { role: "status", class: "action-status" });
  const act = (verb: string, run: () => Promise<{ errors: { code: string; message: string }[] }>) =>
    h("button", { type: "button", "aria-label": `${verb} ${experiment.name}`, onclick: async () => {
      if (verb === "Stop" && !window.confirm(`Stop ${experiment.name}? A stopped experiment cannot start again.`)) return;
      try {
        const payload = await run();
        if (payload.errors.length) return void replace(status, payload.errors.map((e) => e.message).join("; "));
        await done();
      } catch (error) {
        replace(status, error instanceof ConsoleError ? error.message : String(error));
      }
    } }, verb);
  const id = experiment.id;
  const buttons = [
    experiment.status === "DRAFT" || experiment.status === "PAUSED"
      ? act("Start", async () => (await api.mutate(StartExperimentMutation, { id })).startExperiment) : null,
    experiment.status === "RUNNING"
      ? act("Pause", async () => (await api.mutate(PauseExperimentMutation, { id })).pauseExperiment) : null,
    experiment.status === "RUNNING" || experiment.status === "PAUSED"
      ? act("Stop", async () => (await api.mutate(StopExperimentMutation, { id })).stopExperiment) : null,
  ];
  return h("div", { class: "actions" }, buttons, status);
}

export function experimentError(error: unknown): HTMLElement {
  return notice(error instanceof ConsoleError ? `${error.message} (${error.code})` : String(error), "error");
}
