// How numbers, rates and times read in the console.

const integer = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });

/** A count, or an en dash for a missing (suppressed) one. */
export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : integer.format(value);
}

/** A rate 0–1 as a percentage with `digits` decimals. */
export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? "–" : `${(value * 100).toFixed(digits)} %`;
}

/** A signed relative change (lift) as a percentage. */
export function signedPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return "–";
  const text = `${(value * 100).toFixed(digits)} %`;
  return value > 0 ? `+${text}` : text;
}

/** An interval of two rates, as [low, high] percentages. */
export function interval(low: number | null | undefined, high: number | null | undefined): string {
  if (low === null || low === undefined || high === null || high === undefined) return "–";
  return `[${signedPercent(low)}, ${signedPercent(high)}]`;
}

/** A decimal with `digits` decimals. */
export function decimal(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined ? "–" : value.toFixed(digits);
}

/** A p-value: 4 decimals, "< 0.0001" below. */
export function pValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return value < 0.0001 ? "< 0.0001" : value.toFixed(4);
}

/** Milliseconds. */
export function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : `${value.toFixed(1)} ms`;
}

/** A timestamp as UTC date and minutes. */
export function when(value: string | null | undefined): string {
  if (!value) return "–";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A UTC day (YYYY-MM-DD) as seconds since the epoch, the charts' x. */
export function daySeconds(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}
