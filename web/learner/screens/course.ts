// A course: what it is, enrolment, and similar courses. The enrol mutation's payload carries the learner's
// enrolments and recommendations, so the home list drops the course without a refetch.
import { EnrollMutation } from "../../src/lib/operations";
import { CoursePageQuery } from "../../src/learner/operations";
import { checkPayload, LIST_SIZE, mutate, query, type Screen } from "../app";
import { duration, h, label, notice, replace } from "../dom";

/** The course page for `params.id`. */
export const coursePage: Screen = async (app, main, params) => {
  const courseId = params.id ?? "";
  const data = await query(app, CoursePageQuery, { id: courseId }, "cache-and-network");
  const course = data.course;
  if (!course) {
    replace(main, h("h1", { tabindex: "-1" }, "Course not found"), h("p", null, h("a", { href: "/" }, "Back to your courses")));
    return;
  }
  app.tracker.track("course_view", { courseId: course.id });
  const enrolment = data.me?.enrollments.find((item) => item.course?.id === course.id);
  const status = h("div", { "aria-live": "polite" });
  const enrolled = (progress: number): HTMLElement =>
    h("p", { class: "enrolled", "data-enrolled": "true" }, `You are enrolled (${Math.round(progress * 100)}% done).`);
  const action = enrolment ? enrolled(enrolment.progress) : h("button", { type: "button", class: "primary", id: "enrol",
    onclick: async (event: Event) => {
      (event.currentTarget as HTMLButtonElement).disabled = true;
      try {
        const result = await mutate(app, EnrollMutation, { courseId: course.id, first: LIST_SIZE });
        checkPayload(result.enroll);
        action.replaceWith(enrolled(result.enroll.enrollment?.progress ?? 0));
        replace(status, notice(`Enrolled in ${course.title}. It leaves your recommendations.`));
      } catch (error) {
        (event.currentTarget as HTMLButtonElement).disabled = false;
        replace(status, notice(`Could not enrol: ${(error as Error).message}`, "alert"));
      }
    } }, "Enrol");
  const facts: [string, string][] = [["Level", label(course.level)], ["Length", duration(course.durationMinutes)],
    ["Format", label(course.format)], ["Language", course.language], ["Provider", course.provider ?? ""],
    ["Instructors", course.instructors.join(", ")], ["Skills", course.skills.join(", ")],
    ["Rating", course.rating ? `${course.rating.toFixed(1)} of 5 (${course.ratingCount} ratings)` : "not rated yet"]];
  replace(main,
    h("p", { class: "crumbs" }, h("a", { href: "/" }, "← Recommended for you")),
    h("h1", { tabindex: "-1" }, course.title),
    h("p", { class: "lead" }, course.summary),
    action, status,
    h("dl", { class: "facts" }, facts.filter(([, value]) => value).map(([term, value]) => [h("dt", null, term), h("dd", null, value)])),
    course.description ? h("p", null, course.description) : null,
    h("p", null, h("a", { href: "/practice" }, "Practise the skills it teaches")),
    h("section", { "aria-labelledby": "similar-title" },
      h("h2", { id: "similar-title" }, "Similar courses"),
      data.similarCourses.length === 0 ? h("p", null, "No similar courses yet.") :
        h("ul", { class: "similar", id: "similar" }, data.similarCourses.map((item) => h("li", null,
          h("a", { href: `/course/${encodeURIComponent(item.course.id)}` }, item.course.title),
          h("span", { class: "meta" }, ` ${[label(item.course.level), duration(item.course.durationMinutes)].filter(Boolean).join(" · ")}`),
          item.reasons[0] ? h("small", null, item.reasons[0].text) : null)))));
};
