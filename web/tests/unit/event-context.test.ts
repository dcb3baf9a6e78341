import { describe, expect, it } from "vitest";

import { browserEnvironment, randomUuid } from "../../src/lib/browser";
import { deviceClass, eventContext, pagePath, sessionId } from "../../src/lib/event-context";
import { MemoryStorage } from "./fakes";

const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
const ANDROID_PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
const ANDROID_TABLET = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const IPAD_OS = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
const DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

describe("deviceClass", () => {
  it.each([
    [IPHONE, 0, 390, "mobile"],
    [ANDROID_PHONE, 5, 412, "mobile"],
    [ANDROID_TABLET, 5, 1280, "tablet"],
    [IPAD_OS, 5, 1024, "tablet"],
    [IPAD_OS, 0, 1440, "desktop"],
    [DESKTOP, 0, 1920, "desktop"],
    [DESKTOP, 0, 500, "mobile"],
    [DESKTOP, 10, 800, "tablet"],
    ["", 0, null, "desktop"],
  ] as const)("%s with %i touch points and a %s px viewport is %s", (userAgent, maxTouchPoints, width, expected) => {
    const viewport = width === null ? null : { width, height: 800 };
    expect(deviceClass({ userAgent, maxTouchPoints }, viewport)).toBe(expected);
  });
});

describe("eventContext", () => {
  it("leaves out what the browser does not tell", () => {
    const env = browserEnvironment({ navigator: null, screen: null, timezone: null, viewport: () => null });
    expect(eventContext(env, "2.0.0")).toEqual({ device: "desktop", appVersion: "2.0.0" });
  });

  it("reads the connection type where the browser has one", () => {
    const env = browserEnvironment({ navigator: { language: "en-GB", connection: { type: "cellular", effectiveType: "4g" } },
      screen: { width: 390, height: 844 }, timezone: "Europe/London", viewport: () => ({ width: 390, height: 844 }) });
    expect(eventContext(env, "1")).toEqual({ device: "mobile", screen: "390x844", locale: "en-GB",
      timezone: "Europe/London", network: "cellular", appVersion: "1" });
  });
});

describe("sessionId", () => {
  it("is kept per tab in sessionStorage", () => {
    const sessionStorage = new MemoryStorage();
    const env = browserEnvironment({ sessionStorage, randomId: randomUuid });
    const first = sessionId(env);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sessionId(env)).toBe(first);
    expect(sessionId(browserEnvironment({ sessionStorage: new MemoryStorage() }))).not.toBe(first);
  });

  it("is new for each page where sessionStorage throws", () => {
    const broken = new MemoryStorage();
    broken.getItem = () => {
      throw new DOMException("denied", "SecurityError");
    };
    let n = 0;
    const env = browserEnvironment({ sessionStorage: broken, randomId: () => `s${(n += 1)}` });
    expect([sessionId(env), sessionId(env)]).toEqual(["s1", "s2"]);
  });
});

it("pagePath is the path alone, never the query string", () => {
  expect(pagePath(browserEnvironment({ location: { pathname: "/learn/sql" } }))).toBe("/learn/sql");
  expect(pagePath(browserEnvironment({ location: null }))).toBeNull();
});
