// Unit tests of the console's pure parts (Vitest, in Node): routing, the token's session, series and formats.
import { describe, expect, it } from "vitest";

import { consolePath, match, type Page } from "./context";
import { count, interval, pValue, percent, signedPercent } from "./format";
import { pivot } from "./series";
import { adoptTokenFromUrl, forgetToken, readToken, saveToken } from "./session";

const page = (path: string): Page => ({ path, title: () => path, render: async () => ({}) as Node });
const PAGES = [page(""), page("experiments"), page("experiments/new"), page("experiments/:id")];

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length(): number { return this.items.size; }
  clear(): void { this.items.clear(); }
  getItem(key: string): string | null { return this.items.get(key) ?? null; }
  key(index: number): string | null { return [...this.items.keys()][index] ?? null; }
  removeItem(key: string): void { this.items.delete(key); }
  setItem(key: string, value: string): void { this.items.set(key, value); }
}

describe("routing", () => {
  it("matches fixed paths before parameters, and decodes parameters", () => {
    expect(match(PAGES, "")?.page.path).toBe("");
    expect(match(PAGES, "experiments/new")?.page.path).toBe("experiments/new");
    expect(match(PAGES, "experiments/a%20b")).toMatchObject({ page: { path: "experiments/:id" }, params: { id: "a b" } });
    expect(match(PAGES, "experiments/a/b")).toBeNull();
  });

  it("reads the path under the base, without slashes at either end", () => {
    expect(consolePath("/experiments/x/")).toBe("experiments/x");
    expect(consolePath("/")).toBe("");
  });
});

describe("the token's session", () => {
  it("takes #token= into sessionStorage and out of the address bar", () => {
    const storage = new MemoryStorage();
    const replaced: string[] = [];
    const history = { state: null, replaceState: (_s: unknown, _t: string, url: string) => replaced.push(url) } as unknown as History;
    adoptTokenFromUrl({ hash: "#token=abc.def", pathname: "/console/metrics", search: "?x=1" } as Location, history, storage);
    expect(readToken(storage)).toBe("abc.def");
    expect(replaced).toEqual(["/console/metrics?x=1"]);
  });

  it("leaves the session alone without a token in the fragment, and forgets on sign-out", () => {
    const storage = new MemoryStorage();
    saveToken(storage, "  kept \n");
    adoptTokenFromUrl({ hash: "#other=1", pathname: "/console/", search: "" } as Location, {} as History, storage);
    expect(readToken(storage)).toBe("kept");
    forgetToken(storage);
    expect(readToken(storage)).toBeNull();
  });
});

describe("series", () => {
  it("pivots rows by day and key, with the missing value where a pair has no row", () => {
    const rows = [{ d: "2026-01-02", k: "b", v: 3 }, { d: "2026-01-01", k: "a", v: 1 }, { d: "2026-01-02", k: "a", v: 2 }];
    const result = pivot(rows, (r) => r.d, (r) => r.k, (r) => r.v, 0);
    expect(result.days).toEqual(["2026-01-01", "2026-01-02"]);
    expect(result.keys).toEqual(["a", "b"]);
    expect(result.values.get("a")).toEqual([1, 2]);
    expect(result.values.get("b")).toEqual([0, 3]);
    expect(pivot(rows, (r) => r.d, (r) => r.k, (r) => r.v, null).values.get("b")).toEqual([null, 3]);
  });
});

describe("formats", () => {
  it("shows suppressed numbers as a dash and signs lifts", () => {
    expect(count(null)).toBe("–");
    expect(count(1234)).toBe("1,234");
    expect(percent(0.1234)).toBe("12.3 %");
    expect(signedPercent(0.5)).toBe("+50.0 %");
    expect(signedPercent(-0.25)).toBe("-25.0 %");
    expect(interval(-0.1, 0.3)).toBe("[-10.0 %, +30.0 %]");
    expect(interval(null, 0.3)).toBe("–");
    expect(pValue(0.00001)).toBe("< 0.0001");
  });
});
