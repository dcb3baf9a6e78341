// A new learner's journey in the learner app, on a phone-sized screen (headless Chromium): signs in as a new demo
// learner, onboards with consents, sees recommendations with reasons, marks one "not interested" (it leaves the
// list without a reload), enrols, answers practice items (mastery moves), sees the review queue and a learning
// path, downloads their data and deletes it. axe-core runs on every main screen; screenshots go to test-results/.
// Usage: PATHWISE_BASE_URL=http://127.0.0.1:8000 node tests/e2e/learner-journey.mjs   (prints JSON; exit 1 = failed)
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { BASE, check, finish, homeList, onboard, open, practisedSkills, demoAnswers, screen, SHOTS, signInAsNewLearner, nav } from "./learner-lib.mjs";

const run = await open("journey");
const { page } = run;

async function notInterested() {
  const before = await homeList(page);
  const target = before.cards[0].courseId;
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.locator(`li[data-course-id="${target}"] button[data-feedback="NOT_INTERESTED"]`).click();
  await page.locator(`#recommendations li[data-course-id="${target}"]`).waitFor({ state: "detached" });
  const after = await homeList(page);
  check(run, "a course marked not interested leaves the list", !after.cards.some((card) => card.courseId === target), target);
  check(run, "the list changed without a reload", await page.evaluate(() => window.__sameDocument === true));
  check(run, "the list is still full after it", after.cards.length >= before.cards.length - 1, `${after.cards.length}`);
  const easy = after.cards[0].courseId;
  await page.locator(`li[data-course-id="${easy}"] button[data-feedback="TOO_EASY"]`).click();
  await page.locator(`#recommendations li[data-course-id="${easy}"]`).waitFor({ state: "detached" });
  check(run, "a course marked too easy leaves the list at once", true, easy);
}

async function enrol() {
  const { cards } = await homeList(page);
  const courseId = cards[0].courseId;
  await page.locator(`li[data-course-id="${courseId}"] h2 a`).click();
  await page.locator("#enrol").waitFor();
  const similar = await page.locator("#similar li").count();
  check(run, "the course page lists similar courses", similar > 0, `${similar}`);
  await screen(run, "course");
  await page.locator("#enrol").click();
  await page.locator("[data-enrolled]").waitFor();
  await nav(page, "For you");
  await page.locator("#recommendations li.card").first().waitFor();
  const after = await homeList(page);
  check(run, "an enrolled course leaves the recommendations", !after.cards.some((card) => card.courseId === courseId), courseId);
}

async function answer(right) {
  const form = page.locator("form.exercise");
  await form.waitFor();
  const before = Number(await page.locator("#mastery").getAttribute("data-probability"));
  const exercise = await form.getAttribute("data-exercise");
  const accepted = demoAnswers()[exercise] ?? [];
  const radio = page.locator('input[name="answer"][type="radio"]');
  if (await radio.count()) {
    const values = await radio.evaluateAll((inputs) => inputs.map((input) => input.value));
    const pick = values.find((value) => accepted.includes(value) === right) ?? values[0];
    await radio.nth(values.indexOf(pick)).check();
  } else {
    await page.locator("#answer").fill(right ? accepted[0] : "not the answer");
  }
  const stale = await form.elementHandle();
  await form.locator('button[type="submit"]').click();
  await page.waitForFunction((element) => !element.isConnected, stale);  // the next exercise replaced it
  await page.locator("#mastery-moved").waitFor();
  const after = Number(await page.locator("#mastery").getAttribute("data-probability"));
  const result = await page.locator("#practice-result").innerText();
  check(run, `a ${right ? "right" : "wrong"} answer to ${exercise} moves mastery ${right ? "up" : "down"}`,
    right ? after > before : after < before, `${before} -> ${after}; ${result}`);
}

async function practise() {
  const skill = practisedSkills()[0];
  await nav(page, "Practice");
  await page.locator("#skill").selectOption(skill);
  await page.locator(`form.exercise[data-exercise^="${skill}-"]`).waitFor();
  await screen(run, "practice");
  await answer(true);
  await answer(false);
  await screen(run, "practice-answered");
  await nav(page, "Review");
  await page.getByRole("heading", { name: "Due for review" }).waitFor();
  await screen(run, "review");
}

async function learningPath() {
  await nav(page, "Learning path");
  await page.locator("#goal").fill("I want to analyse sales data with SQL");
  await page.getByRole("button", { name: "Show my path" }).click();
  await page.locator("#path, .notice-alert").first().waitFor({ timeout: 90_000 });
  const steps = await page.locator("#path .steps li").count();
  check(run, "a goal in words gives a learning path with steps", steps > 0, `${steps} steps`);
  await screen(run, "learning-path");
}

async function privacy() {
  await nav(page, "Privacy");
  await page.locator("#download-data").waitFor();
  const switchOn = await page.locator("#personalization").isChecked();
  check(run, "the personalization switch shows on", switchOn);
  await screen(run, "privacy");
  const token = await page.evaluate(() => sessionStorage.getItem("pathwise.learner.token"));
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download-data").click()]);
  const file = resolve(SHOTS, "learner-journey-my-data.json");
  await download.saveAs(file);
  const data = JSON.parse(readFileSync(file, "utf8"));
  const counts = Object.fromEntries(data.sections.map((section) => [section.collection, section.count]));
  check(run, "the download holds the learner's data", data.userId && counts.users >= 1 && (counts.enrollments ?? 0) >= 1,
    JSON.stringify(counts));
  await page.locator("#delete-data").click();
  await page.locator("#confirm-delete[open]").waitFor();
  await screen(run, "privacy-delete-confirm");
  await page.locator("#confirm-delete-yes").click();
  await page.locator("#deleted").waitFor();
  await screen(run, "deleted");
  const me = await page.evaluate(async (bearer) => {
    const response = await fetch("/graphql", { method: "POST", body: JSON.stringify({ query: "{ me { id enrollments { id } } }" }),
      headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` } });
    return (await response.json()).data?.me ?? null;
  }, token);
  check(run, "after deletion the server holds no learner", me === null, JSON.stringify(me));
}

try {
  await signInAsNewLearner(run, () => screen(run, "sign-in"));
  await screen(run, "onboarding");
  await onboard(run, { PERSONALIZATION: true, BEHAVIORAL_TRACKING: true });
  const home = await homeList(page);
  check(run, "recommendations are shown", home.cards.length > 0, `${home.cards.length}`);
  check(run, "each recommendation says why", home.cards.every((card) => card.reasons.length > 0 && card.reasons[0].text.length > 5));
  check(run, "the list is personal", home.strategy !== "popular" && home.reason === "", `${home.strategy} ${home.reason}`);
  await screen(run, "home");
  await notInterested();
  await enrol();
  await practise();
  await learningPath();
  await page.waitForTimeout(5500);  // the tracker sends a batch 5 s after its first event
  const impressions = run.events.filter((event) => event.type === "recommendation_impression");
  const clicks = run.events.filter((event) => event.type === "recommendation_click");
  check(run, "impressions were sent with the list's requestId and position",
    impressions.length > 0 && impressions.every((event) => event.properties?.request_id && event.properties.position >= 0),
    `${impressions.length}`);
  check(run, "a click was sent with its requestId", clicks.length > 0 && clicks[0].properties?.request_id, `${clicks.length}`);
  const painted = await page.evaluate(() => performance.getEntriesByName("pathwise:recommendations-painted").length);
  check(run, "the app marks the first recommendations painted", painted === 1);
  await privacy();
  check(run, "no script error on the pages", run.pageErrors.length === 0, JSON.stringify(run.pageErrors));
  await finish(run);
} catch (error) {
  await finish(run, error);
}
