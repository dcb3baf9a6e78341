// Time series charts (uPlot): one value per UTC day per series, days on x. Each chart is a <figure> with a
// caption and a text summary for screen readers; the same numbers are in a table next to it on every page.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

import { daySeconds } from "./format";
import { h } from "./dom";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  dash?: number[];
  /** Drawn thin and without points: the bounds of an interval band. */
  bound?: boolean;
}

export interface ChartOptions {
  title: string;
  /** What the chart shows, in words (the figure's accessible description). */
  summary: string;
  days: string[];
  series: ChartSeries[];
  format: (value: number) => string;
  /** The y axis' tick labels; `format` by default. */
  tick?: (value: number) => string;
  /** Fill between two series (indexes into `series`): an interval. */
  bands?: { upper: number; lower: number; color: string }[];
  /** Draw the y = 0 line (a lift). */
  zero?: boolean;
  height?: number;
}

/** The colours of the series, in order; each is at least 3:1 against the white background. */
export { pivot } from "./series";

export const PALETTE = ["#1f5fbf", "#b3461f", "#2e7d32", "#7b3fa0", "#8a6d00", "#00707a", "#b0245b", "#4d5560"];

const DAY = 86_400;

/** A figure that draws its chart once it has a width, and redraws it when resized. */
export function timeChart(options: ChartOptions): HTMLElement {
  const canvas = h("div", { class: "chart-plot", role: "img", "aria-label": options.summary });
  const figure = h("figure", { class: "chart", "data-series": options.series.length, "data-days": options.days.length },
    h("figcaption", {}, options.title), canvas);
  let plot: uPlot | null = null;
  const observer = new ResizeObserver(() => {
    const width = Math.max(280, Math.floor(canvas.clientWidth));
    if (!canvas.isConnected) {
      observer.disconnect();
      plot?.destroy();
      return;
    }
    if (plot) plot.setSize({ width, height: options.height ?? 260 });
    else plot = draw(canvas, options, width);
  });
  observer.observe(canvas);
  return figure;
}

function draw(target: HTMLElement, options: ChartOptions, width: number): uPlot {
  const xs = options.days.map(daySeconds);
  // One day alone would make uPlot span years: show half a day on either side of the first and last.
  const xRange: uPlot.Range.MinMax = [(xs[0] ?? 0) - DAY / 2, (xs[xs.length - 1] ?? 0) + DAY / 2];
  const data: uPlot.AlignedData = [xs, ...options.series.map((series) => series.values)];
  const series: uPlot.Series[] = [
    { label: "Day (UTC)", value: (_u, v) => (v === null ? "–" : new Date(v * 1000).toISOString().slice(0, 10)) },
    ...options.series.map((s): uPlot.Series => ({
      label: s.label,
      stroke: s.color,
      width: s.bound ? 1 : 2,
      dash: s.dash,
      points: { show: !s.bound, size: 7, fill: s.color },
      spanGaps: false,
      value: (_u, v) => (v === null || v === undefined ? "–" : options.format(v)),
    })),
  ];
  const opts: uPlot.Options = {
    width,
    height: options.height ?? 260,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    scales: {
      x: { time: true, auto: false, range: () => xRange },
      y: { range: (_u, min, max) => yRange(min, max, options.zero ?? false) },
    },
    axes: [
      { stroke: "#333", grid: { stroke: "#e3e6ea" }, space: 60, incrs: [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY],
        values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)) },
      { stroke: "#333", grid: { stroke: "#e3e6ea" }, size: 84,
        values: (_u, ticks) => ticks.map(options.tick ?? options.format) },
    ],
    series,
    bands: options.bands?.map((band) => ({ series: [band.upper + 1, band.lower + 1], fill: band.color })),
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    hooks: { draw: [(u) => drawWhiskers(u, options), ...(options.zero ? [drawZero] : [])] },
  };
  return new uPlot(opts, data, target);
}

/** A y range around the data (with 0 in it for a lift), padded by a tenth. */
function yRange(min: number | null, max: number | null, zero: boolean): [number, number] {
  let low = min ?? 0;
  let high = max ?? 1;
  if (zero || low >= 0) low = Math.min(low, 0);
  if (zero) high = Math.max(high, 0);
  if (low === high) return [low - 1, high + 1];
  const pad = (high - low) * 0.1;
  return [low === 0 ? 0 : low - pad, high + pad];
}

/** Each band's interval as a vertical whisker at every day (a band alone shows nothing for a single day). */
function drawWhiskers(u: uPlot, options: ChartOptions): void {
  const context = u.ctx;
  context.save();
  context.lineWidth = 2;
  for (const band of options.bands ?? []) {
    const upper = options.series[band.upper];
    const lower = options.series[band.lower];
    if (!upper || !lower || !u.series[band.upper + 1]?.show) continue;
    context.strokeStyle = upper.color;
    u.data[0].forEach((x, i) => {
      const high = upper.values[i];
      const low = lower.values[i];
      if (high === null || high === undefined || low === null || low === undefined) return;
      const px = Math.round(u.valToPos(x, "x", true));
      const top = u.valToPos(high, "y", true);
      const bottom = u.valToPos(low, "y", true);
      context.beginPath();
      context.moveTo(px, top);
      context.lineTo(px, bottom);
      context.moveTo(px - 5, top);
      context.lineTo(px + 5, top);
      context.moveTo(px - 5, bottom);
      context.lineTo(px + 5, bottom);
      context.stroke();
    });
  }
  context.restore();
}

function drawZero(u: uPlot): void {
  const y = Math.round(u.valToPos(0, "y", true));
  const context = u.ctx;
  context.save();
  context.strokeStyle = "#333";
  context.lineWidth = 1;
  context.setLineDash([4, 4]);
  context.beginPath();
  context.moveTo(u.bbox.left, y);
  context.lineTo(u.bbox.left + u.bbox.width, y);
  context.stroke();
  context.restore();
}
