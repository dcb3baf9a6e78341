// One experiment's results: per-variant table (rates, lift with its 95 % interval, p-value, significance,
// suppressed variants marked), the sample-ratio check, the learners needed, and a chart over days: the lift of
// each treatment with its interval (A/B), or the learners' preference (interleaving).
import type { PageContext } from "../context";
import { PALETTE, pivot, timeChart, type ChartSeries } from "../charts";
import { badge, h, replace, stat, table, type Child } from "../dom";
import { count, decimal, interval, ms, pValue, percent, signedPercent, when } from "../format";
import { lifeCycleButtons, STATUS_TONES } from "./experiments";
import { ExperimentReportQuery } from "../../src/console/operations";
import type { ConsoleExperimentReportQuery } from "../../src/gql/graphql";

type Report = ConsoleExperimentReportQuery["experimentReport"];
type Variant = Report["variants"][number];
type MetricRow = Variant["metrics"][number] & { variant: string };
type Interleaving = NonNullable<Report["interleaving"]>;

export async function renderExperiment(context: PageContext, params: Record<string, string>): Promise<Node> {
  const id = params.id ?? "";
  const root = h("div", {});
  const refresh = async (): Promise<void> => {
    const { experiment, experimentReport: report } = await context.api.query(ExperimentReportQuery, { id });
    replace(root,
      h("div", { class: "summary-bar" }, badge(experiment.status, STATUS_TONES[experiment.status] ?? "muted"),
        h("span", {}, `${experiment.kind === "A_B" ? "A/B test" : "Interleaving"} · primary metric ${report.primaryMetric}`),
        lifeCycleButtons(context.api, experiment, refresh),
        h("button", { type: "button", onclick: () => void refresh() }, "Refresh")),
      experiment.hypothesis ? h("p", { class: "lede" }, experiment.hypothesis) : null,
      overview(report),
      report.kind === "INTERLEAVING" && report.interleaving ? interleaving(report.interleaving) : abResults(report));
  };
  await refresh();
  return root;
}

function overview(report: Report): HTMLElement {
  const interleaved = report.kind === "INTERLEAVING";
  // Interleaving shows every learner both rankers: each is counted in both variants.
  const counted = interleaved ? Math.max(0, ...report.variants.map((v) => v.learners))
    : report.variants.reduce((sum, v) => sum + v.learners, 0);
  const ratio = report.sampleRatio;
  const control = report.variants.find((v) => v.control);
  const needed = interleaved ? "not computed for interleaving"
    : report.recommendedLearners && control ? `control has ${count(control.learners)}` : "known once the control has a rate";
  return h("section", { "aria-labelledby": "overview" }, h("h2", { id: "overview", class: "visually-hidden" }, "Overview"),
    h("div", { class: "stats" },
      stat("learners counted", count(counted), `started ${when(report.startedAt)}`),
      stat("not counted", count(report.excludedLearners + report.mixedLearners),
        `${count(report.excludedLearners)} without analytics consent, ${count(report.mixedLearners)} in two variants`),
      stat("learners needed per variant", count(report.recommendedLearners), needed),
      interleaved ? stat("sample ratio", "–", "not used: every learner sees both rankers")
        : stat("sample ratio", ratio.mismatch ? badge("mismatch", "bad") : badge("as expected", "ok"),
          `observed ${ratio.observed.join(" / ")}, expected ${ratio.expectedShares.map((s) => percent(s, 0)).join(" / ")}, p ${pValue(ratio.pValue)}`),
      stat("minimum group", count(report.minGroup), `report of ${when(report.generatedAt)}`)),
    ratio.mismatch ? h("p", { class: "notice notice-error", role: "alert" }, "Sample ratio mismatch: the variants ",
      "did not get the learners their shares predict, so the assignment or the logging is off; do not trust the lift.") : null);
}

function primary(variant: Variant, metric: string): Variant["metrics"][number] | undefined {
  return variant.metrics.find((m) => m.metric === metric);
}

function significance(significant: boolean | undefined): Child {
  if (significant === undefined) return "–";
  return significant ? badge("significant", "ok") : badge("not yet", "muted");
}

function abResults(report: Report): Node[] {
  const metric = report.primaryMetric;
  const suppressed = (v: Variant): Child[] =>
    v.suppressed ? [" ", badge(`suppressed: under ${report.minGroup} learners`, "warn")] : [];
  const rows: MetricRow[] = report.variants.filter((v) => !v.control).flatMap((v) =>
    v.metrics.map((m) => ({ ...m, variant: v.name })));
  return [
    h("section", { "aria-labelledby": "variants" }, h("h2", { id: "variants" }, `Variants on ${metric}`),
      table<Variant>("Results per variant", [
        { header: "Variant", cell: (v) => [h("strong", {}, v.name), v.control ? " (control)" : null, ...suppressed(v)] },
        { header: "Strategy", cell: (v) => v.strategy },
        { header: "Share", cell: (v) => percent(v.share, 0), numeric: true },
        { header: "Learners", cell: (v) => count(v.learners), numeric: true },
        { header: "Impressions", cell: (v) => count(v.impressions), numeric: true },
        { header: "Clicks", cell: (v) => count(v.clicks), numeric: true },
        { header: "Click-through", cell: (v) => percent(v.clickThroughRate, 2), numeric: true },
        ...(metric === "CLICK_THROUGH" ? [] : [{ header: `Primary: ${metric}`,
          cell: (v: Variant) => decimal(primary(v, metric)?.rate, 4), numeric: true }]),
        { header: "Lift", cell: (v) => (v.control ? "control" : signedPercent(primary(v, metric)?.comparison?.lift)), numeric: true },
        { header: "95 % interval", cell: (v) => (v.control ? "–" : interval(primary(v, metric)?.comparison?.liftLow,
          primary(v, metric)?.comparison?.liftHigh)), numeric: true },
        { header: "p-value", cell: (v) => (v.control ? "–" : pValue(primary(v, metric)?.comparison?.pValue)), numeric: true },
        { header: "Significant", cell: (v) => (v.control ? "–" : significance(primary(v, metric)?.comparison?.significant)) },
        { header: "Fallback rate", cell: (v) => percent(v.served?.fallbackRate), numeric: true },
        { header: "p95 latency", cell: (v) => ms(v.served?.latencyP95Ms), numeric: true },
      ], report.variants, (v) => (v.suppressed ? "suppressed" : null))),
    liftChart(report),
    h("section", { "aria-labelledby": "all-metrics" }, h("h2", { id: "all-metrics" }, "Every metric against the control"),
      table<MetricRow>("Metrics per treatment", [
        { header: "Variant", cell: (m) => m.variant },
        { header: "Metric", cell: (m) => m.metric },
        { header: "Learners", cell: (m) => count(m.learners), numeric: true },
        { header: "Rate", cell: (m) => decimal(m.rate, 4), numeric: true },
        { header: "Control rate", cell: (m) => decimal(m.comparison?.controlRate, 4), numeric: true },
        { header: "Lift", cell: (m) => signedPercent(m.comparison?.lift), numeric: true },
        { header: "95 % interval", cell: (m) => interval(m.comparison?.liftLow, m.comparison?.liftHigh), numeric: true },
        { header: "p-value", cell: (m) => pValue(m.comparison?.pValue), numeric: true },
        { header: "Significant", cell: (m) => significance(m.comparison?.significant) },
      ], rows)),
  ];
}

function liftChart(report: Report): HTMLElement {
  const lift = pivot(report.daily, (d) => d.day, (d) => d.variant, (d) => d.comparison.lift ?? null, null);
  const low = pivot(report.daily, (d) => d.day, (d) => d.variant, (d) => d.comparison.liftLow ?? null, null);
  const high = pivot(report.daily, (d) => d.day, (d) => d.variant, (d) => d.comparison.liftHigh ?? null, null);
  if (!lift.days.length) {
    return h("p", { class: "empty" }, "Lift over days: no day has every arm at the minimum group yet.");
  }
  const series: ChartSeries[] = [];
  const bands: { upper: number; lower: number; color: string }[] = [];
  lift.keys.forEach((variant, i) => {
    const color = PALETTE[(i + 1) % PALETTE.length]!;
    series.push({ label: `${variant} lift`, values: lift.values.get(variant)!, color });
    series.push({ label: `${variant} 95 % high`, values: high.values.get(variant)!, color, bound: true, dash: [3, 3] });
    series.push({ label: `${variant} 95 % low`, values: low.values.get(variant)!, color, bound: true, dash: [3, 3] });
    bands.push({ upper: series.length - 2, lower: series.length - 1, color: `${color}26` });
  });
  const last = report.daily[report.daily.length - 1];
  const summary = last ? `Cumulative click-through lift against the control per day; on ${last.day} ${last.variant} ` +
    `${signedPercent(last.comparison.lift)} ${interval(last.comparison.liftLow, last.comparison.liftHigh)}.` : "";
  return h("section", { "aria-labelledby": "lift-days" }, h("h2", { id: "lift-days" }, "Lift over days"),
    timeChart({ title: "Click-through lift against the control, cumulative, with its 95 % interval", days: lift.days,
      series, bands, zero: true, format: (v) => signedPercent(v), tick: (v) => signedPercent(v, 0), summary }));
}

function interleaving(result: Interleaving): Node[] {
  const p = result.preference;
  const points = result.daily;
  return [
    h("section", { "aria-labelledby": "credit" }, h("h2", { id: "credit" }, "Credit and preference"),
      table<Interleaving>("Interleaving credit", [
        { header: "Control", cell: (r) => r.control },
        { header: "Treatment", cell: (r) => r.treatment },
        { header: "Credit for", cell: (r) => r.credit },
        { header: "Control credit", cell: (r) => count(r.creditControl), numeric: true },
        { header: "Treatment credit", cell: (r) => count(r.creditTreatment), numeric: true },
      ], [result]),
      table<Interleaving>("Learners' preference", [
        { header: "Learners with credit", cell: (r) => count(r.preference.learners), numeric: true },
        { header: "Prefer control", cell: (r) => count(r.preference.winsControl), numeric: true },
        { header: "Prefer treatment", cell: (r) => count(r.preference.winsTreatment), numeric: true },
        { header: "Ties", cell: (r) => count(r.preference.ties), numeric: true },
        { header: "Preference", cell: (r) => decimal(r.preference.score, 3), numeric: true },
        { header: "95 % interval", cell: (r) => `[${decimal(r.preference.scoreLow, 3)}, ${decimal(r.preference.scoreHigh, 3)}]`, numeric: true },
        { header: "p-value", cell: (r) => pValue(r.preference.pValue), numeric: true },
        { header: "Significant", cell: (r) => significance(r.preference.significant) },
      ], [result])),
    points.length
      ? h("section", { "aria-labelledby": "preference-days" }, h("h2", { id: "preference-days" }, "Preference over days"),
        timeChart({ title: `Preference for ${result.treatment} over ${result.control} (above 0: treatment), with its 95 % interval`,
          days: points.map((d) => d.day), zero: true, format: (v) => decimal(v, 3),
          summary: `Preference score per day; overall ${decimal(p.score, 3)}, p ${pValue(p.pValue)}.`,
          series: [
            { label: "preference", values: points.map((d) => d.preference.score), color: PALETTE[0]! },
            { label: "95 % high", values: points.map((d) => d.preference.scoreHigh ?? null), color: PALETTE[0]!, bound: true, dash: [3, 3] },
            { label: "95 % low", values: points.map((d) => d.preference.scoreLow ?? null), color: PALETTE[0]!, bound: true, dash: [3, 3] },
          ],
          bands: [{ upper: 1, lower: 2, color: `${PALETTE[0]}26` }] }))
      : h("p", { class: "empty" }, "Preference over days: no day has enough learners yet."),
  ];
}
