// Client-side routes over the History API: the server answers index.html for any path that is not its API.
export interface Match {
  name: string;
  params: Record<string, string>;
}

const ROUTES: [string, RegExp][] = [
  ["home", /^\/$/],
  ["onboarding", /^\/onboarding\/?$/],
  ["course", /^\/course\/(?<id>[^/]+)\/?$/],
  ["practice", /^\/practice\/?$/],
  ["review", /^\/review\/?$/],
  ["path", /^\/path\/?$/],
  ["privacy", /^\/privacy\/?$/],
];

/** The route of a path, with its decoded parameters; `notFound` for any other path. */
export function match(path: string): Match {
  for (const [name, pattern] of ROUTES) {
    const found = pattern.exec(path);
    if (found) {
      const params: Record<string, string> = {};
      for (const [key, value] of Object.entries(found.groups ?? {})) params[key] = decodeURIComponent(value);
      return { name, params };
    }
  }
  return { name: "notFound", params: {} };
}

/** Follow same-origin links with `navigate` instead of reloading the page. */
export function interceptLinks(root: HTMLElement, navigate: (path: string) => void): void {
  root.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const link = (event.target as Element | null)?.closest("a");
    if (!link || link.target || link.hasAttribute("download") || link.origin !== window.location.origin) return;
    event.preventDefault();
    navigate(link.pathname + link.search);
  });
}
