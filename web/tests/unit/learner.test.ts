// The learner app's pure parts: tokens read from a JWT, its routes, and the properties of recommendation events.
import { describe, expect, it } from "vitest";

import type { RecommendationListFragment } from "../../src/gql/graphql";
import { match } from "../../learner/router";
import { recommendationProperties } from "../../learner/screens/home";
import { claimsOf, sessionFor } from "../../learner/session";

const jwt = (claims: object): string => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;

const list = (variant: string | null, experiment: string | null): RecommendationListFragment => ({
  __typename: "Recommendations", id: "l", requestId: "req-1", strategy: "hybrid", fallback: false,
  notPersonalizedReason: null, explanation: "", experiment, variant, items: [],
});
const item = (variant: string | null) => ({
  __typename: "RecommendedCourse" as const, id: "l:c1", score: 1, variant, reasons: [],
  course: { __typename: "Course" as const, id: "c1", title: "C", summary: "", level: null, durationMinutes: null,
    format: null, rating: null, skills: [] },
});

describe("learner session", () => {
  it("reads the learner from a token that has not expired", () => {
    expect(sessionFor(jwt({ sub: "demo-ana", exp: 2_000 }), 1_000_000)).toEqual({
      token: jwt({ sub: "demo-ana", exp: 2_000 }), userId: "demo-ana" });
  });

  it("refuses an expired token, one without a subject, and one that is not a JWT", () => {
    expect(sessionFor(jwt({ sub: "demo-ana", exp: 1 }), 5_000)).toBeNull();
    expect(sessionFor(jwt({ exp: 2_000 }), 1_000)).toBeNull();
    expect(claimsOf("not-a-token")).toBeNull();
    expect(claimsOf("a.%%%.c")).toBeNull();
  });
});

describe("learner routes", () => {
  it("matches each screen and decodes parameters", () => {
    expect(match("/")).toEqual({ name: "home", params: {} });
    expect(match("/course/sql%20101")).toEqual({ name: "course", params: { id: "sql 101" } });
    expect(match("/privacy/").name).toBe("privacy");
    expect(match("/nowhere").name).toBe("notFound");
  });
});

describe("recommendation events", () => {
  it("carry the list's request, the position and, in an experiment, the list's variant", () => {
    expect(recommendationProperties(list("treatment", "exp-1"), item(null), 2)).toEqual({
      request_id: "req-1", position: 2, strategy: "hybrid", experiment: "exp-1", variant: "treatment" });
    expect(recommendationProperties(list(null, null), item(null), 0)).toEqual({
      request_id: "req-1", position: 0, strategy: "hybrid" });
  });

  it("credit each item's own ranker in an interleaved list", () => {
    expect(recommendationProperties(list("interleaved", "exp-2"), item("control"), 1)).toMatchObject({
      experiment: "exp-2", variant: "control" });
  });
});
