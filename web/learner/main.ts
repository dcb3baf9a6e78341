// The learner app: signs in, then shows one screen per route inside a shell with the main navigation.
import "./styles.css";

import { createPathwiseClient } from "../src/lib/client";
import { createTracker } from "../src/lib/tracker";
import { LearnerQuery } from "../src/learner/operations";
import { RecommendationsQuery } from "../src/lib/operations";
import { type App, type Cleanup, LIST_SIZE, query, type Screen } from "./app";
import { h, notice, replace } from "./dom";
import { interceptLinks, match } from "./router";
import { coursePage } from "./screens/course";
import { homePage } from "./screens/home";
import { learningPathPage } from "./screens/learning-path";
import { onboardingPage } from "./screens/onboarding";
import { practicePage } from "./screens/practice";
import { privacyPage } from "./screens/privacy";
import { reviewPage } from "./screens/review";
import { signInPage } from "./screens/sign-in";
import { demoLearners, forgetSession, restoreSession, type Session } from "./session";

const SCREENS: Record<string, Screen> = {
  home: homePage, onboarding: onboardingPage, course: coursePage, practice: practicePage, review: reviewPage,
  path: learningPathPage, privacy: privacyPage,
};
// Screens a learner may open before finishing onboarding.
const BEFORE_ONBOARDING = new Set(["onboarding", "privacy"]);
const NAV: [string, string][] = [["/", "For you"], ["/practice", "Practice"], ["/review", "Review"],
  ["/path", "Learning path"], ["/privacy", "Privacy"]];

const root = document.getElementById("app") as HTMLElement;

function shell(app: App): HTMLElement {
  const links = NAV.map(([href, text]) => h("li", null, h("a", { href, "data-nav": href }, text)));
  const main = h("main", { id: "main", tabindex: "-1" });
  replace(root,
    h("a", { class: "skip-link", href: "#main" }, "Skip to content"),
    h("header", { class: "top" },
      h("a", { class: "brand", href: "/" }, "Pathwise"),
      h("nav", { "aria-label": "Main" }, h("ul", null, links)),
      h("button", { type: "button", class: "quiet", onclick: () => app.signOut() }, "Sign out")),
    main);
  return main;
}

function markCurrent(path: string): void {
  for (const link of root.querySelectorAll<HTMLAnchorElement>("a[data-nav]")) {
    if (link.dataset.nav === path) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function start(session: Session, demo: boolean): Promise<void> {
  let cleanup: Cleanup | void;
  let onboarded = false;
  const tracker = createTracker({ token: () => session.token, appVersion: "learner-app/1" });
  const client = createPathwiseClient({ token: () => session.token });
  const app: App = {
    client, tracker, session, demo,
    navigate(path: string) {
      if (path !== window.location.pathname + window.location.search) history.pushState(null, "", path);
      void render();
    },
    signOut() {
      void tracker.flush();
      tracker.stop();
      forgetSession();
      window.location.assign("/");
    },
  };
  if (match(window.location.pathname).name === "home") {
    // ask for the list while the learner is looked up: the home screen's query then shares this request
    void client.query(RecommendationsQuery, { first: LIST_SIZE }).toPromise();
  }
  const main = shell(app);
  interceptLinks(root, (path) => app.navigate(path));
  window.addEventListener("popstate", () => void render());
  window.addEventListener("pathwise:onboarded", () => { onboarded = true; });

  async function render(): Promise<void> {
    cleanup?.();
    cleanup = undefined;
    const route = match(window.location.pathname);
    if (!onboarded && !BEFORE_ONBOARDING.has(route.name)) {
      const { me } = await query(app, LearnerQuery, {}, "network-only");
      // a learner the platform already knows (goals or interests) goes straight in; onboarding stays in reach
      onboarded = Boolean(me && (me.onboarding.completedAt || me.goals.length || me.interests.length));
      if (!onboarded) return app.navigate("/onboarding");
    }
    markCurrent(window.location.pathname);
    const screen = SCREENS[route.name];
    replace(main, notice("Loading…"));
    try {
      if (!screen) return replace(main, h("h1", { tabindex: "-1" }, "Page not found"),
        h("p", null, h("a", { href: "/" }, "Back to your courses")));
      cleanup = await screen(app, main, route.params);
    } catch (error) {
      replace(main, h("h1", { tabindex: "-1" }, "Something went wrong"), notice(String((error as Error).message), "alert"));
    }
    main.querySelector<HTMLElement>("h1")?.focus({ preventScroll: true });
  }

  await render();
}

async function boot(): Promise<void> {
  const session = restoreSession();
  const demo = demoLearners().catch(() => null);
  if (session) return start(session, (await demo) !== null);
  const learners = await demo;
  replace(root, h("main", { id: "main", tabindex: "-1" }));
  const main = root.querySelector("main") as HTMLElement;
  await signInPage(main, learners, (signedIn) => {
    history.replaceState(null, "", "/");
    void start(signedIn, true);
  });
}

void boot();
