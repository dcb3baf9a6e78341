import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { MAX_BEACON_BYTES, Tracker, type TrackerOptions } from "../../src/lib/tracker";
import { accepted, failure, fakeBrowser, type FakeBrowser, networkError, ScriptedFetch, withStatuses } from "./fakes";

const STORAGE_KEY = "pathwise.events";
let trackers: Tracker[] = [];

function start(browser: FakeBrowser, options: Partial<TrackerOptions> = {}): Tracker {
  const tracker = new Tracker({ token: "learner-token", appVersion: "1.2.3", env: browser.env, ...options });
  trackers.push(tracker);
  return tracker;
}

function stored(browser: FakeBrowser): { eventId: string }[] {
  return JSON.parse(browser.localStorage.getItem(STORAGE_KEY) ?? "[]") as { eventId: string }[];
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2026-03-02T10:00:00Z"));
});

afterEach(() => {
  for (const tracker of trackers) tracker.stop();
  trackers = [];
  vi.useRealTimers();
});

describe("batching", () => {
  it("sends a batch as soon as batchSize events wait, as POST /v1/events takes it", async () => {
    const server = new ScriptedFetch();
    const tracker = start(fakeBrowser(server), { batchSize: 3 });
    tracker.track("page_view");
    tracker.track("course_view", { courseId: "sql-101" });
    await vi.advanceTimersByTimeAsync(0);
    expect(server.requests).toHaveLength(0);
    tracker.track("search", { properties: { query: "sql" } });
    await vi.advanceTimersByTimeAsync(0);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.url).toBe("/v1/events");
    expect(request?.headers).toEqual({ "content-type": "application/json", authorization: "Bearer learner-token" });
    expect(request?.body.events.map((e) => e.type)).toEqual(["page_view", "course_view", "search"]);
    expect(request?.body.events[1]).toMatchObject({ courseId: "sql-101", timestamp: "2026-03-02T10:00:00.000Z" });
    expect(request?.body.events[2]?.properties).toEqual({ path: "/courses/sql-101", query: "sql" });
    expect(tracker.pending).toBe(0);
    expect(tracker.stats.accepted).toBe(3);
  });

  it("sends fewer events flushIntervalMs after the first of them, not before", async () => {
    const server = new ScriptedFetch();
    const tracker = start(fakeBrowser(server), { batchSize: 20, flushIntervalMs: 5000 });
    tracker.track("page_view");
    await vi.advanceTimersByTimeAsync(3000);
    tracker.track("click");
    await vi.advanceTimersByTimeAsync(1999);
    expect(server.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body.events).toHaveLength(2);
  });

  it("splits a long queue into requests of at most 100 events", async () => {
    const server = new ScriptedFetch();
    const browser = fakeBrowser(server);
    browser.navigator.onLine = false;
    const tracker = start(browser, { batchSize: 500 });
    for (let i = 0; i < 250; i += 1) tracker.track("click");
    browser.navigator.onLine = true;
    browser.window.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(0);
    expect(server.requests.map((r) => r.body.events.length)).toEqual([100, 100, 50]);
    expect(tracker.pending).toBe(0);
  });
});

describe("retries", () => {
  it("backs off exponentially with jitter after network errors and 5xx, up to the cap", async () => {
    const server = new ScriptedFetch().then(networkError, failure(503), failure(500), networkError, networkError);
    const tracker = start(fakeBrowser(server), { batchSize: 1, backoffBaseMs: 1000, backoffMaxMs: 6000 });
    tracker.track("page_view");
    await vi.advanceTimersByTimeAsync(0);
    // random() = 0.5: each wait is 3/4 of min(cap, base * 2^(n-1)): 750, 1500, 3000, 4500 (capped), 4500
    const waits = [750, 1500, 3000, 4500, 4500];
    for (const [n, wait] of waits.entries()) {
      expect(server.requests).toHaveLength(n + 1);
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(server.requests).toHaveLength(n + 1);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(server.requests).toHaveLength(6);
    expect(new Set(server.requests.map((r) => r.body.events[0]?.eventId)).size).toBe(1);  // the same event each time
    expect(tracker.pending).toBe(0);
    expect(tracker.stats).toMatchObject({ accepted: 1, failures: 0 });
  });

  it("spreads retries with jitter: half of each wait is random", async () => {
    for (const [random, wait] of [[0, 500], [0.999, 1000]] as const) {
      const server = new ScriptedFetch().then(networkError);
      const browser = fakeBrowser(server);
      start(browser, { batchSize: 1, env: { ...browser.env, random: () => random } }).track("click");
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(server.requests).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(server.requests).toHaveLength(2);
    }
  });

  it("waits as long as a 429's Retry-After says, in seconds or as a date", async () => {
    const retryAt = new Date(Date.now() + 7_000 + 12_000).toUTCString();  // 12 s after the 2nd answer
    const server = new ScriptedFetch().then(failure(429, { "retry-after": "7" }), failure(503, { "retry-after": retryAt }));
    const tracker = start(fakeBrowser(server), { batchSize: 1 });
    tracker.track("page_view");
    await vi.advanceTimersByTimeAsync(6999);
    expect(server.requests).toHaveLength(1);
    tracker.track("click");  // a full batch does not cut the wait short
    await vi.advanceTimersByTimeAsync(0);
    expect(server.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(11_999);
    expect(server.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2]?.body.events).toHaveLength(2);
    expect(tracker.pending).toBe(0);
  });

  it("retries a 401 (the app may refresh its token), with the token of the moment", async () => {
    let token = "expired";
    const server = new ScriptedFetch().then(failure(401));
    const tracker = start(fakeBrowser(server), { batchSize: 1, token: () => token });
    tracker.track("page_view");
    await vi.advanceTimersByTimeAsync(0);
    token = "fresh";
    await vi.advanceTimersByTimeAsync(750);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(["Bearer expired", "Bearer fresh"]);
    expect(tracker.pending).toBe(0);
  });
});

describe("rejected events", () => {
  it("drops the events the server rejected and never sends them again", async () => {
    const rejected: [string, string][] = [];
    const server = new ScriptedFetch().then((request) => withStatuses(request, ["ACCEPTED", "REJECTED", "DUPLICATE"]));
    const browser = fakeBrowser(server);
    const tracker = start(browser, { batchSize: 3, onRejected: (event, code) => rejected.push([event.type, code]) });
    tracker.track("page_view");
    tracker.track("quiz_answer");
    tracker.track("click");
    await vi.advanceTimersByTimeAsync(600_000);
    expect(server.requests).toHaveLength(1);
    expect(rejected).toEqual([["quiz_answer", "CONSENT_REQUIRED"]]);
    expect(tracker.stats).toMatchObject({ accepted: 1, rejected: 1, duplicates: 1 });
    expect(tracker.pending).toBe(0);
    expect(browser.localStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it("drops a batch the server refused whole (400) instead of retrying it forever", async () => {
    const codes: string[] = [];
    const server = new ScriptedFetch().then(failure(400));
    const tracker = start(fakeBrowser(server), { batchSize: 2, onRejected: (_, code) => codes.push(code) });
    tracker.track("page_view");
    tracker.track("click");
    await vi.advanceTimersByTimeAsync(600_000);
    expect(server.requests).toHaveLength(1);
    expect(codes).toEqual(["BAD_USER_INPUT", "BAD_USER_INPUT"]);
    expect(tracker.pending).toBe(0);
  });

  it("keeps events a 200 answered no result for, and sends them again after a backoff", async () => {
    const server = new ScriptedFetch().then(() => Response.json({ accepted: 0, duplicates: 0, rejected: 0, results: [] }));
    const tracker = start(fakeBrowser(server), { batchSize: 1 });
    tracker.track("page_view");
    await vi.advanceTimersByTimeAsync(0);
    expect(tracker.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(750);
    expect(server.requests).toHaveLength(2);
    expect(tracker.pending).toBe(0);
  });
});

describe("the offline queue", () => {
  it("keeps unsent events in localStorage and sends them, the same ids, after a reload", async () => {
    const offline = new ScriptedFetch(networkError);
    const before = fakeBrowser(offline);
    const first = start(before, { batchSize: 2 });
    const ids = [first.track("page_view"), first.track("course_view", { courseId: "sql-101" })];
    await vi.advanceTimersByTimeAsync(0);
    expect(stored(before).map((e) => e.eventId)).toEqual(ids);
    first.stop();  // the page goes away without a beacon (a crash)

    const online = new ScriptedFetch();
    const after = fakeBrowser(online, { localStorage: before.localStorage, sessionStorage: before.sessionStorage });
    const second = start(after, { batchSize: 2 });
    expect(second.pending).toBe(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(online.requests).toHaveLength(1);
    expect(online.requests[0]?.body.events.map((e) => e.eventId)).toEqual(ids);
    expect(after.localStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it("waits for the browser to be online instead of spending retries", async () => {
    const server = new ScriptedFetch();
    const browser = fakeBrowser(server);
    browser.navigator.onLine = false;
    const tracker = start(browser, { batchSize: 1 });
    tracker.track("page_view");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.requests).toHaveLength(0);
    browser.navigator.onLine = true;
    browser.window.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(0);
    expect(server.requests).toHaveLength(1);
    expect(tracker.pending).toBe(0);
  });

  it("is bounded: past maxQueue the oldest events are dropped and counted", async () => {
    const browser = fakeBrowser(new ScriptedFetch(networkError));
    browser.navigator.onLine = false;
    const tracker = start(browser, { maxQueue: 5 });
    const ids = Array.from({ length: 8 }, () => tracker.track("click"));
    expect(tracker.pending).toBe(5);
    expect(tracker.stats.dropped).toBe(3);
    expect(stored(browser).map((e) => e.eventId)).toEqual(ids.slice(3));
  });

  it("deduplicates by eventId, in the page and in what it reads back", async () => {
    const browser = fakeBrowser(new ScriptedFetch(networkError));
    browser.navigator.onLine = false;
    const event = { eventId: "e-1", type: "click", timestamp: "2026-03-02T09:00:00Z", sessionId: "s", context: {} };
    browser.localStorage.setItem(STORAGE_KEY, JSON.stringify([event, event, { not: "an event" }]));
    const tracker = start(browser);
    expect(tracker.pending).toBe(1);
    tracker.track("click", { eventId: "e-1" });
    tracker.track("click", { eventId: "e-2" });
    expect(stored(browser).map((e) => e.eventId)).toEqual(["e-1", "e-2"]);
  });

  it("starts afresh from unreadable storage", () => {
    const browser = fakeBrowser(new ScriptedFetch());
    browser.localStorage.setItem(STORAGE_KEY, "{not json");
    expect(start(browser).pending).toBe(0);
  });
});

describe("beacons", () => {
  it("hands the queue to sendBeacon on pagehide, as text with the token in the URL", async () => {
    const server = new ScriptedFetch();
    const browser = fakeBrowser(server);
    const tracker = start(browser, { token: "t/k+n", endpoint: "/v1/events" });
    const ids = [tracker.track("page_view"), tracker.track("click")];
    browser.window.dispatchEvent(new Event("pagehide"));
    expect(browser.beacons).toHaveLength(1);
    expect(browser.beacons[0]?.url).toBe("/v1/events?token=t%2Fk%2Bn");
    const body = JSON.parse(browser.beacons[0]?.body ?? "") as { events: { eventId: string }[] };
    expect(body.events.map((e) => e.eventId)).toEqual(ids);
    expect(tracker.pending).toBe(0);
    expect(browser.localStorage.getItem(STORAGE_KEY)).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.requests).toHaveLength(0);
  });

  it("beacons when the page is hidden, not when it becomes visible", () => {
    const browser = fakeBrowser(new ScriptedFetch());
    const tracker = start(browser);
    tracker.track("page_view");
    browser.document.dispatchEvent(new Event("visibilitychange"));
    expect(browser.beacons).toHaveLength(0);
    browser.document.visibilityState = "hidden";
    browser.document.dispatchEvent(new Event("visibilitychange"));
    expect(browser.beacons).toHaveLength(1);
  });

  it("keeps in localStorage what the browser would not take", () => {
    const browser = fakeBrowser(new ScriptedFetch());
    browser.beaconAccepts = false;
    const tracker = start(browser);
    tracker.track("page_view");
    browser.window.dispatchEvent(new Event("pagehide"));
    expect(tracker.pending).toBe(1);
    expect(stored(browser)).toHaveLength(1);
  });

  it("splits a large queue into beacons under 60 KB each", () => {
    const browser = fakeBrowser(new ScriptedFetch());
    browser.navigator.onLine = false;
    const tracker = start(browser, { batchSize: 1000 });
    for (let i = 0; i < 40; i += 1) tracker.track("custom:note", { properties: { text: "x".repeat(5000) } });
    browser.window.dispatchEvent(new Event("pagehide"));
    expect(browser.beacons.length).toBeGreaterThan(2);
    for (const beacon of browser.beacons) expect(new TextEncoder().encode(beacon.body).length).toBeLessThanOrEqual(MAX_BEACON_BYTES);
    const sent = browser.beacons.flatMap((b) => (JSON.parse(b.body) as { events: unknown[] }).events);
    expect(sent).toHaveLength(40);
  });

  it("sends no beacon without a token", () => {
    const browser = fakeBrowser(new ScriptedFetch());
    const tracker = start(browser, { token: () => null });
    tracker.track("page_view");
    browser.window.dispatchEvent(new Event("pagehide"));
    expect(browser.beacons).toHaveLength(0);
    expect(tracker.pending).toBe(1);
  });
});

describe("context", () => {
  it("attaches device, screen, locale, time zone, app version, the tab's session and the page path", async () => {
    const server = new ScriptedFetch();
    const browser = fakeBrowser(server);
    start(browser, { batchSize: 1 }).track("page_view");
    await vi.advanceTimersByTimeAsync(0);
    const event = server.requests[0]?.body.events[0];
    expect(event?.context).toEqual({ device: "desktop", screen: "1920x1080", locale: "fr-FR", timezone: "Europe/Paris",
      appVersion: "1.2.3" });
    expect(event?.properties).toEqual({ path: "/courses/sql-101" });
    const session = browser.sessionStorage.getItem("pathwise.session");
    expect(session).toBeTruthy();
    expect(event?.sessionId).toBe(session);
    // a reload of the same tab keeps the session
    const again = new ScriptedFetch();
    start(fakeBrowser(again, { sessionStorage: browser.sessionStorage }), { batchSize: 1 }).track("click");
    await vi.advanceTimersByTimeAsync(0);
    expect(again.requests[0]?.body.events[0]?.sessionId).toBe(session);
  });

  it("lets the caller's properties win over the page path", async () => {
    const server = new ScriptedFetch();
    start(fakeBrowser(server), { batchSize: 1 }).track("page_view", { properties: { path: "/home", title: "Home" } });
    await vi.advanceTimersByTimeAsync(0);
    expect(server.requests[0]?.body.events[0]?.properties).toEqual({ path: "/home", title: "Home" });
  });
});

