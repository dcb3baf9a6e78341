// The partner console: sign-in with a partner's or admin's token, a role check, then pages of charts and tables.
import "./style.css";

import { ConsoleError, createApi, type Api } from "./api";
import { BASE, consolePath, match, type Page, type PageContext } from "./context";
import { h, notice, replace } from "./dom";
import { PAGES } from "./pages";
import { adoptTokenFromUrl, forgetToken, readToken, saveToken } from "./session";
import { RoleCheckQuery } from "../src/console/operations";

const root = document.getElementById("app")!;
const storage = window.sessionStorage;

/** Signs in with the session's token, or asks for one. */
async function start(message?: string): Promise<void> {
  adoptTokenFromUrl(window.location, window.history, storage);
  const token = readToken(storage);
  if (!token) return signIn(message);
  const api = createApi(() => readToken(storage));
  replace(root, h("main", { id: "main" }, notice("Checking your token…")));
  try {
    await api.query(RoleCheckQuery, {});
  } catch (error) {
    if (!(error instanceof ConsoleError)) throw error;
    if (error.code === "FORBIDDEN") return forbidden();
    if (error.code === "UNAUTHENTICATED") {
      forgetToken(storage);
      return signIn(`That token was not accepted: ${error.message}`);
    }
    replace(root, h("main", { id: "main" }, h("h1", {}, "Pathwise partner console"),
      notice(`The server could not be reached: ${error.message}`, "error"),
      h("button", { type: "button", onclick: () => void start() }, "Try again")));
    return;
  }
  shell(api);
}

function signIn(message?: string): void {
  const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", required: true,
    spellcheck: "false" });
  const form = h("form", { class: "signin", onsubmit: (event: Event) => {
    event.preventDefault();
    saveToken(storage, input.value);
    void start();
  } },
  h("label", { for: "token" }, "Bearer token (partner or admin)"), input,
  h("p", { class: "hint" }, "Issued by your platform, or for a local server by ",
    h("code", {}, "pathwise token you --role partner"), ". It is kept in this tab only."),
  h("button", { type: "submit" }, "Sign in"));
  replace(root, h("main", { id: "main", class: "narrow" }, h("h1", {}, "Pathwise partner console"),
    message ? notice(message, "error") : null, form));
  input.focus();
}

function forbidden(): void {
  replace(root, h("main", { id: "main", class: "narrow" }, h("h1", {}, "This console is for partners and admins"),
    h("button", { type: "button", onclick: signOut }, "Use another token")));
}

function signOut(): void {
  forgetToken(storage);
  router = null;
  signIn();
}

/** The header, the navigation and the current page; links and the back button render pages in place. */
function shell(api: Api): void {
  const main = h("main", { id: "main", tabindex: -1 });
  const nav = h("nav", { "aria-label": "Console" }, h("ul", {}, PAGES.filter((page) => page.nav).map((page) =>
    h("li", {}, h("a", { href: `${BASE}${page.path}`, "data-console-link": true, "data-path": page.path },
      page.nav!)))));
  // Focus moves by script: a fragment navigation would fire popstate and render the page again.
  const skip = h("a", { class: "skip", href: "#main", onclick: (event: Event) => {
    event.preventDefault();
    main.focus();
  } }, "Skip to content");
  replace(root, skip,
    h("header", { class: "top" }, h("span", { class: "brand" }, "Pathwise console"),
      h("button", { type: "button", class: "link-button", onclick: signOut }, "Sign out")),
    nav, main);
  let rendering = 0;
  const render = async (): Promise<void> => {
    const path = consolePath(window.location.pathname);
    const found = match(PAGES, path);
    const number = ++rendering;
    for (const anchor of nav.querySelectorAll<HTMLAnchorElement>("a[data-path]")) {
      const section = anchor.dataset.path ?? "";
      const current = section === "" ? path === "" : path === section || path.startsWith(`${section}/`);
      if (current) anchor.setAttribute("aria-current", "page");
      else anchor.removeAttribute("aria-current");
    }
    if (!found) return void replace(main, h("h1", {}, "Not found"), notice(`No console page at /${path}.`));
    const title = found.page.title(found.params);
    document.title = `${title} · Pathwise console`;
    replace(main, h("h1", {}, title), notice("Loading…"));
    const content = await load(found.page, context, found.params);
    if (number === rendering) replace(main, h("h1", {}, title), content);
  };
  const navigate = (path: string): void => {
    window.history.pushState(null, "", `${BASE}${path}`);
    void render();
  };
  const context: PageContext = { api, navigate };
  router = { render, main };
  void render();
}

/** The shell's renderer while signed in; links and the back button go through it. */
let router: { render: () => Promise<void>; main: HTMLElement } | null = null;

document.addEventListener("click", (event) => {
  const anchor = (event.target as Element | null)?.closest?.("a[data-console-link]");
  if (!router || !(anchor instanceof HTMLAnchorElement) || event.button !== 0 || event.metaKey || event.ctrlKey
    || event.shiftKey || event.altKey) return;
  event.preventDefault();
  window.history.pushState(null, "", anchor.pathname);
  const { render, main } = router;
  void render().then(() => main.focus());
});
window.addEventListener("popstate", () => void router?.render());

/** A page's content, or the reason it could not be shown. */
async function load(page: Page, context: PageContext, params: Record<string, string>): Promise<Node> {
  try {
    return await page.render(context, params);
  } catch (error) {
    if (error instanceof ConsoleError && error.code === "UNAUTHENTICATED") {
      forgetToken(storage);
      router = null;
      signIn(`Your token is no longer accepted: ${error.message}`);
      return document.createTextNode("");
    }
    const text = error instanceof ConsoleError ? `${error.message} (${error.code})` : String(error);
    return notice(`This page could not be loaded: ${text}`, "error");
  }
}

void start();
