import { Client, fetchExchange } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { describe, expect, it, vi } from "vitest";

import { createPathwiseClient } from "../../src/lib/client";
import { EnrollMutation, RecommendationsQuery } from "../../src/lib/operations";

const course = (id: string) => ({
  __typename: "Course", id, title: `Course ${id}`, summary: "", level: "BEGINNER", durationMinutes: 60, format: null,
  rating: 4.5, skills: ["SQL"],
});
const list = (courseIds: string[]) => ({
  __typename: "Recommendations", id: "list-1", requestId: `req-${courseIds.length}`, strategy: "popular", fallback: false,
  notPersonalizedReason: null, explanation: "Popular courses", experiment: null, variant: null,
  items: courseIds.map((id, rank) => ({
    __typename: "RecommendedCourse", id: `list-1:${id}`, score: 1 - rank / 10, variant: null,
    reasons: [{ __typename: "Reason", code: "POPULAR", text: "Popular with learners" }], course: course(id),
  })),
});

/** A Pathwise server stand-in: answers Recommendations with c1–c3, and Enroll in c1 with the list without it. */
function server() {
  const requests: { operationName: string; authorization: string | undefined }[] = [];
  const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { operationName: string; variables: Record<string, unknown> };
    requests.push({ operationName: body.operationName, authorization: (init?.headers as Record<string, string>).authorization });
    const data = body.operationName === "Recommendations"
      ? { recommendations: list(["c1", "c2", "c3"]) }
      : { enroll: { __typename: "EnrollmentPayload", errors: [],
          enrollment: { __typename: "Enrollment", id: "me:c1", status: "ACTIVE", progress: 0, course: { __typename: "Course", id: "c1" } },
          user: { __typename: "User", id: "me", recommendations: list(["c2", "c3"]),
            enrollments: [{ __typename: "Enrollment", id: "me:c1", status: "ACTIVE", progress: 0, course: { __typename: "Course", id: "c1" } }] } } };
    return Response.json({ data });
  });
  return { fetch, requests };
}

async function enrollThenReadCache(client: Client) {
  const first = await client.query(RecommendationsQuery, { first: 3 }).toPromise();
  const enrolled = await client.mutation(EnrollMutation, { courseId: "c1", first: 3 }).toPromise();
  const cached = await client.query(RecommendationsQuery, { first: 3 }, { requestPolicy: "cache-only" }).toPromise();
  return { first, enrolled, cached };
}

describe("createPathwiseClient", () => {
  it("sends the current bearer token with every request", async () => {
    let token: string | null = "first";
    const { fetch, requests } = server();
    const client = createPathwiseClient({ url: "http://pathwise.test/graphql", token: () => token, fetch });
    await client.query(RecommendationsQuery, { first: 3 }).toPromise();
    token = "second";
    await client.query(RecommendationsQuery, { first: 3 }, { requestPolicy: "network-only" }).toPromise();
    token = null;
    await client.query(RecommendationsQuery, { first: 3 }, { requestPolicy: "network-only" }).toPromise();
    expect(requests.map((r) => r.authorization)).toEqual(["Bearer first", "Bearer second", undefined]);
    expect(fetch.mock.calls[0]?.[0]).toBe("http://pathwise.test/graphql");
  });

  it("normalises: after enroll, the cached list drops the course with no request sent", async () => {
    const { fetch, requests } = server();
    const { first, enrolled, cached } = await enrollThenReadCache(createPathwiseClient({ token: "t", fetch, url: "/graphql" }));
    expect(first.data?.recommendations.items.map((item) => item.course.id)).toEqual(["c1", "c2", "c3"]);
    expect(first.data?.recommendations.items[0]?.reasons[0]?.text).toBe("Popular with learners");
    expect(enrolled.data?.enroll.errors).toEqual([]);
    expect(cached.data?.recommendations.items.map((item) => item.course.id)).toEqual(["c2", "c3"]);
    expect(requests.map((r) => r.operationName)).toEqual(["Recommendations", "Enroll"]);
  });

  it("knows the schema's value objects: Graphcache warns of no missing key", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await enrollThenReadCache(createPathwiseClient({ token: "t", fetch: server().fetch }));
    expect(warn).not.toHaveBeenCalled();
    // Without the generated keys, the same operations make Graphcache warn (value objects have no id).
    const bare = new Client({ url: "/graphql", fetch: server().fetch, exchanges: [cacheExchange({}), fetchExchange] });
    await enrollThenReadCache(bare);
    expect(warn).toHaveBeenCalled();
  });
});
