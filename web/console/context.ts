// What every page gets: the API, navigation inside the console, and links that stay in the page.
import type { Api } from "./api";
import { h, type Child } from "./dom";

export interface PageContext {
  api: Api;
  /** Goes to a console path ("experiments/x"), adding a history entry. */
  navigate: (path: string) => void;
}

export interface Page {
  /** The path under /console/ ("" for the overview); `:id` takes one segment. */
  path: string;
  /** In the navigation when set. */
  nav?: string;
  title: (params: Record<string, string>) => string;
  render: (context: PageContext, params: Record<string, string>) => Promise<Node>;
}

/** The console's base path, "/console/". */
export const BASE: string = import.meta.env.BASE_URL;

/** A link to a console path; the shell turns its clicks into in-page navigation. */
export function link(path: string, ...children: Child[]): HTMLAnchorElement {
  return h("a", { href: `${BASE}${path}`, "data-console-link": true }, ...children);
}

/** The path under the base: "/console/experiments/x" -> "experiments/x". */
export function consolePath(pathname: string): string {
  const base = BASE.replace(/\/$/, "");
  const rest = pathname.startsWith(base) ? pathname.slice(base.length) : pathname;
  return rest.replace(/^\/+|\/+$/g, "");
}

/** The page whose path matches, with its parameters. */
export function match(pages: readonly Page[], path: string): { page: Page; params: Record<string, string> } | null {
  const parts = path ? path.split("/") : [];
  for (const page of pages) {
    const pattern = page.path ? page.path.split("/") : [];
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((segment, i) => {
      const part = decodeURIComponent(parts[i] ?? "");
      if (segment.startsWith(":")) params[segment.slice(1)] = part;
      return segment.startsWith(":") || segment === part;
    });
    if (ok) return { page, params };
  }
  return null;
}
