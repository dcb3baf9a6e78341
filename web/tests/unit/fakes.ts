// A small fake browser for the tracker's tests: Map-backed storages, event targets for window and document,
// a navigator whose sendBeacon records what it was given, and a scripted fetch that records every request.
import type { BrowserEnvironment, NavigatorLike } from "../../src/lib/browser";

export class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
}

export interface SentRequest {
  url: string;
  headers: Record<string, string>;
  body: { events: Record<string, unknown>[] };
}

export type Responder = (request: SentRequest) => Response | Promise<Response>;

/** A fetch answering with the queued responders in turn (then with `fallback`), recording each request. */
export class ScriptedFetch {
  readonly requests: SentRequest[] = [];
  private readonly script: Responder[] = [];
  constructor(private readonly fallback: Responder = accepted) {}

  then(...responders: Responder[]): this {
    this.script.push(...responders);
    return this;
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request: SentRequest = {
      url: String(input),
      headers: { ...(init?.headers as Record<string, string>) },
      body: JSON.parse(String(init?.body)) as SentRequest["body"],
    };
    this.requests.push(request);
    return (this.script.shift() ?? this.fallback)(request);
  };
}

/** 200 with every event ACCEPTED, as the server answers. */
export function accepted(request: SentRequest): Response {
  return withStatuses(request, request.body.events.map(() => "ACCEPTED"));
}

/** 200 with the given status per event (REJECTED ones with CONSENT_REQUIRED). */
export function withStatuses(request: SentRequest, statuses: string[]): Response {
  const results = request.body.events.map((event, index) => ({
    index, eventId: event.eventId, status: statuses[index],
    code: statuses[index] === "REJECTED" ? "CONSENT_REQUIRED" : null,
    message: statuses[index] === "REJECTED" ? "the purpose behavioral_tracking is not granted" : null,
  }));
  const count = (status: string): number => statuses.filter((s) => s === status).length;
  const body = { accepted: count("ACCEPTED"), duplicates: count("DUPLICATE"), rejected: count("REJECTED"), results };
  return Response.json(body);
}

export const failure = (status: number, headers: Record<string, string> = {}): Responder => () =>
  Response.json({ errors: [{ message: "no", extensions: { code: status === 400 ? "BAD_USER_INPUT" : "UNAVAILABLE" } }] },
    { status, headers });

export const networkError: Responder = () => Promise.reject(new TypeError("Failed to fetch"));

let ids = 0;  // across fake browsers, as UUIDs would be

export interface Beacon {
  url: string;
  body: string;
}

export interface FakeBrowser {
  env: Partial<BrowserEnvironment>;
  window: EventTarget;
  document: EventTarget & { visibilityState: string };
  navigator: NavigatorLike & { onLine: boolean };
  beacons: Beacon[];
  localStorage: MemoryStorage;
  sessionStorage: MemoryStorage;
  /** Whether sendBeacon accepts the data (a browser refuses past its quota). */
  beaconAccepts: boolean;
}

/** A fresh fake browser; pass the storages of an earlier one to simulate a reload of the same tab. */
export function fakeBrowser(fetcher: ScriptedFetch, storages: Partial<Pick<FakeBrowser, "localStorage" | "sessionStorage">> = {}): FakeBrowser {
  const document = Object.assign(new EventTarget(), { visibilityState: "visible" });
  const browser: FakeBrowser = {
    window: new EventTarget(),
    document,
    beacons: [],
    beaconAccepts: true,
    localStorage: storages.localStorage ?? new MemoryStorage(),
    sessionStorage: storages.sessionStorage ?? new MemoryStorage(),
    navigator: {
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
      language: "fr-FR",
      onLine: true,
      sendBeacon(url: string, data?: BodyInit | null): boolean {
        if (this !== browser.navigator) throw new TypeError("Illegal invocation");
        if (!browser.beaconAccepts) return false;
        browser.beacons.push({ url, body: String(data) });
        return true;
      },
    },
    env: {},
  };
  browser.env = {
    fetch: fetcher.fetch,
    window: browser.window,
    document: browser.document,
    navigator: browser.navigator,
    location: { pathname: "/courses/sql-101" },
    localStorage: browser.localStorage,
    sessionStorage: browser.sessionStorage,
    viewport: () => ({ width: 1280, height: 800 }),
    screen: { width: 1920, height: 1080 },
    timezone: "Europe/Paris",
    random: () => 0.5,
    randomId: () => `id-${(ids += 1)}`,
  };
  return browser;
}
