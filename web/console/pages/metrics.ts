// Serving metrics over time per strategy (servingMetrics): answers per day, fallback rate, latency.
import type { PageContext } from "../context";
import { PALETTE, pivot, timeChart, type ChartSeries } from "../charts";
import { h, replace, table } from "../dom";
import { count, ms, percent } from "../format";
import { ServingMetricsQuery } from "../../src/console/operations";
import type { ConsoleServingMetricsQuery } from "../../src/gql/graphql";

/** One strategy's answers on one UTC day (a row of servingMetrics). */
export type ServingDay = ConsoleServingMetricsQuery["servingMetrics"][number];

const WINDOWS = [7, 28, 90];

export async function renderMetrics({ api }: PageContext): Promise<Node> {
  const body = h("div", {});
  const select = h("select", { id: "window", onchange: () => void show(Number(select.value)) },
    WINDOWS.map((days) => h("option", { value: days, selected: days === 28 }, `last ${days} days`)));
  const show = async (days: number): Promise<void> => {
    const { servingMetrics } = await api.query(ServingMetricsQuery, { days });
    replace(body, metricsContent(servingMetrics));
  };
  await show(28);
  return h("div", {}, h("p", { class: "lede" }, "How the servers answered recommendation requests, per UTC day and ",
    "strategy (popular includes the fallbacks of other strategies). Servers add their counts every 10 seconds."),
  h("div", { class: "controls" }, h("label", { for: "window" }, "Window"), select), body);
}

/** The three charts and the table of one window's rows. */
export function metricsContent(rows: readonly ServingDay[]): Node[] {
  if (!rows.length) return [h("p", { class: "empty" }, "No recommendations were answered in this window yet.")];
  const answers = pivot(rows, (r) => r.day, (r) => r.strategy, (r) => r.answers, 0);
  const fallback = pivot(rows, (r) => r.day, (r) => r.strategy, (r) => r.fallbackRate, null);
  const p95 = pivot(rows, (r) => r.day, (r) => r.strategy, (r) => r.latencyP95Ms ?? null, null);
  const mean = pivot(rows, (r) => r.day, (r) => r.strategy, (r) => r.latencyMeanMs, null);
  const lines = (values: Map<string, (number | null)[]>, suffix = "", dash?: number[]): ChartSeries[] =>
    answers.keys.map((key, i) => ({ label: `${key}${suffix}`, values: values.get(key)!,
      color: PALETTE[i % PALETTE.length]!, dash }));
  const total = rows.reduce((sum, r) => sum + r.answers, 0);
  const byStrategy = answers.keys.map((key) => `${key} ${count(answers.values.get(key)!.reduce<number>((a, b) =>
    a + (b ?? 0), 0))}`).join(", ");
  return [
    h("div", { class: "chart-grid" },
      timeChart({ title: "Recommendations answered per day, by strategy", days: answers.days,
        series: lines(answers.values), format: (v) => count(v),
        summary: `${count(total)} answers over ${answers.days.length} ${answers.days.length === 1 ? "day" : "days"}: ${byStrategy}.` }),
      timeChart({ title: "Fallback rate per day, by strategy", days: fallback.days, series: lines(fallback.values),
        format: (v) => percent(v), summary: "Share of each strategy's answers given by popular instead." }),
      timeChart({ title: "Latency per day, by strategy (p95 solid, mean dashed)", days: mean.days,
        series: [...lines(p95.values, " p95"), ...lines(mean.values, " mean", [6, 4])], format: (v) => ms(v),
        summary: "Server time per answer: 95th percentile and mean, in milliseconds." })),
    table<ServingDay>("Answers per day and strategy", [
      { header: "Day (UTC)", cell: (r) => r.day },
      { header: "Strategy", cell: (r) => r.strategy },
      { header: "Answers", cell: (r) => count(r.answers), numeric: true },
      { header: "Cached", cell: (r) => count(r.cached), numeric: true },
      { header: "Fallbacks", cell: (r) => count(r.fallbacks), numeric: true },
      { header: "Fallback rate", cell: (r) => percent(r.fallbackRate), numeric: true },
      { header: "Mean latency", cell: (r) => ms(r.latencyMeanMs), numeric: true },
      { header: "p95 latency", cell: (r) => (r.latencyP95Ms === null ? "> 2,500 ms" : ms(r.latencyP95Ms)), numeric: true },
    ], [...rows].reverse()),
  ];
}
