// Rows of (day, key, value) as the charts want them: one array of values per key over the sorted days.

/** Rows by (day, key) pivoted into one value array per key over the sorted days; missing pairs are `missing`. */
export function pivot<T>(rows: readonly T[], day: (row: T) => string, key: (row: T) => string,
  value: (row: T) => number | null, missing: number | null): { days: string[]; keys: string[]; values: Map<string, (number | null)[]> } {
  const days = [...new Set(rows.map(day))].sort();
  const keys = [...new Set(rows.map(key))].sort();
  const index = new Map(days.map((d, i) => [d, i]));
  const values = new Map(keys.map((k) => [k, days.map((): number | null => missing)]));
  for (const row of rows) values.get(key(row))![index.get(day(row))!] = value(row);
  return { days, keys, values };
}
