// What the tracker reads from the browser, passed in as one object so that tests (and non-browser hosts) can
// give their own. `browserEnvironment()` reads the real globals; any of them may be missing (a worker, a
// browser with storage disabled), and the tracker then does without.

export interface NavigatorLike {
  userAgent?: string;
  language?: string;
  onLine?: boolean;
  maxTouchPoints?: number;
  connection?: { type?: string; effectiveType?: string };
  sendBeacon?: (url: string, data?: BodyInit | null) => boolean;
}

export interface Size {
  width: number;
  height: number;
}

export interface BrowserEnvironment {
  fetch: typeof fetch;
  /** Where `pagehide` and `online` are dispatched. */
  window: EventTarget | null;
  /** Where `visibilitychange` is dispatched. */
  document: (EventTarget & { visibilityState?: string }) | null;
  navigator: NavigatorLike | null;
  location: { pathname: string } | null;
  localStorage: Storage | null;
  sessionStorage: Storage | null;
  viewport: () => Size | null;
  screen: Size | null;
  timezone: string | null;
  now: () => number;
  random: () => number;
  randomId: () => string;
}

type Globals = typeof globalThis & Partial<Window>;

/** A storage that may be unreadable (Safari's private mode, a sandboxed iframe): null then. */
function storage(read: () => Storage | undefined): Storage | null {
  try {
    return read() ?? null;
  } catch {
    return null;
  }
}

/** An RFC 4122 version 4 id: crypto.randomUUID where the page is a secure context, else from getRandomValues. */
export function randomUuid(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === "function") crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function timezone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
  } catch {
    return null;
  }
}

/** The real browser's environment, with `overrides` in place of any part of it. */
export function browserEnvironment(overrides: Partial<BrowserEnvironment> = {}): BrowserEnvironment {
  const g = globalThis as Globals;
  const screen = g.screen ? { width: g.screen.width, height: g.screen.height } : null;
  return {
    fetch: (input, init) => g.fetch(input, init),
    window: typeof g.addEventListener === "function" ? g : null,
    document: g.document ?? null,
    navigator: (g.navigator as NavigatorLike | undefined) ?? null,
    location: g.location ?? null,
    localStorage: storage(() => g.localStorage),
    sessionStorage: storage(() => g.sessionStorage),
    viewport: () => (typeof g.innerWidth === "number" ? { width: g.innerWidth, height: g.innerHeight ?? 0 } : null),
    screen,
    timezone: timezone(),
    now: () => Date.now(),
    random: Math.random,
    randomId: randomUuid,
    ...overrides,
  };
}
