// A new learner who declines personalization at onboarding sees popular courses only, and the list says why.
// Usage: PATHWISE_BASE_URL=http://127.0.0.1:8000 node tests/e2e/learner-declines.mjs   (prints JSON; exit 1 = failed)
import { check, finish, homeList, onboard, open, screen, signInAsNewLearner, nav } from "./learner-lib.mjs";

const run = await open("declines");
const { page } = run;
try {
  await signInAsNewLearner(run);
  await onboard(run, { PERSONALIZATION: false, BEHAVIORAL_TRACKING: false, ANALYTICS: false });
  const home = await homeList(page);
  check(run, "the list is popular courses", home.strategy === "popular", home.strategy);
  check(run, "the list says why: personalization was not allowed", home.reason === "NOT_CONSENTED"
    && /personali[sz]ation/i.test(home.explanation), `${home.reason}: ${home.explanation}`);
  check(run, "each course still says why it is there", home.cards.length > 0
    && home.cards.every((card) => card.reasons.length > 0), JSON.stringify(home.cards.map((card) => card.reasons)));
  await screen(run, "home-popular");
  await nav(page, "Privacy");
  await page.locator("#download-data").waitFor();
  check(run, "the privacy centre shows personalization declined",
    !(await page.locator('input[name="PERSONALIZATION"]').isChecked()));
  await screen(run, "privacy");
  check(run, "no script error on the pages", run.pageErrors.length === 0, JSON.stringify(run.pageErrors));
  await finish(run);
} catch (error) {
  await finish(run, error);
}
