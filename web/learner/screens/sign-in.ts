// Sign-in: the platform opens the app with a token; on a `pathwise demo` server, pick a demo learner instead.
import { h, notice, replace } from "../dom";
import { type DemoLearner, demoToken, type Session } from "../session";

/** The sign-in screen: a picker of demo learners (with "a new learner") in demo mode, else how to sign in. */
export async function signInPage(main: HTMLElement, learners: DemoLearner[] | null,
  signedIn: (session: Session) => void): Promise<void> {
  if (learners === null) {
    replace(main, h("h1", { tabindex: "-1" }, "Sign in through your learning platform"),
      h("p", null, "Your platform opens this app already signed in (it adds your token to the address). ",
        "Open it again from your platform."));
    return;
  }
  const status = h("div", { "aria-live": "polite" });
  const pick = async (request: { userId: string } | { newLearner: true }): Promise<void> => {
    replace(status, notice("Signing in…"));
    try {
      signedIn(await demoToken(request));
    } catch (error) {
      replace(status, notice(`Could not sign in: ${(error as Error).message}`, "alert"));
    }
  };
  const choices = learners.map((learner) => h("li", null,
    h("button", { type: "button", class: "choice", "data-user": learner.userId,
      onclick: () => void pick({ userId: learner.userId }) }, learner.name, h("small", null, learner.userId))));
  replace(main,
    h("h1", { tabindex: "-1" }, "Try Pathwise"),
    h("p", null, "This server runs the demo data. Pick a demo learner, or start as a new learner and onboard. ",
      "Outside demo mode your platform signs learners in."),
    h("ul", { class: "choices" },
      h("li", null, h("button", { type: "button", class: "choice primary", "data-user": "new",
        onclick: () => void pick({ newLearner: true }) }, "A new learner", h("small", null, "starts with onboarding"))),
      choices),
    status);
}
