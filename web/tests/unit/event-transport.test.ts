import { describe, expect, it } from "vitest";

import type { TrackedEvent } from "../../src/lib/event-queue";
import { backoffMs, beaconBodies, beaconUrl, postEvents, retryAfterMs } from "../../src/lib/event-transport";

const NOW = Date.parse("2026-03-02T10:00:00Z");
const event = (eventId: string, text = ""): TrackedEvent => ({ eventId, type: "click", timestamp: "2026-03-02T10:00:00Z",
  sessionId: "s", context: {}, properties: { text } });

describe("retryAfterMs", () => {
  it.each([
    ["7", 7000],
    [" 0 ", 0],
    ["Mon, 02 Mar 2026 10:00:30 GMT", 30_000],
    ["Mon, 02 Mar 2026 09:00:00 GMT", 0],
    ["soon", null],
    [null, null],
  ] as const)("%s -> %s", (header, expected) => {
    expect(retryAfterMs(header, NOW)).toBe(expected);
  });
});

it("backoffMs doubles from the base up to the cap, half of it random", () => {
  expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, 1000, 8000, () => 0))).toEqual([500, 1000, 2000, 4000, 4000]);
  expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, 1000, 8000, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000]);
});

it("beaconUrl puts the token in the query string, encoded", () => {
  expect(beaconUrl("/v1/events", "a.b+c")).toBe("/v1/events?token=a.b%2Bc");
  expect(beaconUrl("https://api.test/v1/events?x=1", "t")).toBe("https://api.test/v1/events?x=1&token=t");
});

it("beaconBodies fills each body up to the limit, in order, and leaves out an event too large alone", () => {
  const events = [event("a", "x".repeat(400)), event("b", "x".repeat(400)), event("huge", "x".repeat(2000)), event("c")];
  const bodies = beaconBodies(events, 1100);
  expect(bodies.map((b) => b.eventIds)).toEqual([["a", "b"], ["c"]]);
  for (const { body } of bodies) {
    expect(body.length).toBeLessThanOrEqual(1100);
    expect(Object.keys(JSON.parse(body) as object)).toEqual(["events"]);
  }
});

describe("postEvents", () => {
  const send = (response: Response | Error) => postEvents(
    async () => (response instanceof Error ? Promise.reject(response) : response), "/v1/events", "t", [event("a")], NOW);

  it("reads the results of a 200", async () => {
    const results = [{ index: 0, eventId: "a", status: "DUPLICATE", code: null, message: null }, { index: 1, status: "?" }];
    expect(await send(Response.json({ results }))).toEqual({ kind: "results", results: [results[0]] });
  });

  it.each([
    [new TypeError("Failed to fetch"), null],
    [new Response("oops", { status: 502 }), null],
    [new Response("", { status: 503, headers: { "retry-after": "1" } }), 1000],
    [new Response("", { status: 429, headers: { "retry-after": "3" } }), 3000],
    [new Response("{", { status: 200 }), null],
  ])("retries after %s", async (response, afterMs) => {
    expect(await send(response)).toMatchObject({ kind: "retry", afterMs });
  });

  it.each([400, 403, 413, 415])("gives up a %i with the server's code", async (status) => {
    const body = { errors: [{ message: "why", extensions: { code: "BAD_USER_INPUT" } }] };
    expect(await send(Response.json(body, { status }))).toEqual({ kind: "refused", status, code: "BAD_USER_INPUT", message: "why" });
  });
});
