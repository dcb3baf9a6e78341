// The context a tracked event carries: device class, screen, locale, time zone, network and app version
// (the fields of the server's EventContextInput), the session id, and the page path.
import type { BrowserEnvironment, NavigatorLike, Size } from "./browser";

export interface EventContext {
  device?: string;
  screen?: string;
  locale?: string;
  timezone?: string;
  network?: string;
  appVersion?: string;
}

export type DeviceClass = "mobile" | "tablet" | "desktop";

const TABLET_AGENT = /iPad|Tablet|PlayBook|Silk|Kindle|Android(?!.*Mobi)/i;
const PHONE_AGENT = /Mobi|iPhone|iPod|Windows Phone|Opera Mini/i;

/** The device class: from the user agent where it says, else from the viewport (< 640 px: a phone). iPadOS
 * presents itself as a Mac, so a "Macintosh" with a touch screen is a tablet. */
export function deviceClass(navigator: NavigatorLike | null, viewport: Size | null): DeviceClass {
  const agent = navigator?.userAgent ?? "";
  const touch = (navigator?.maxTouchPoints ?? 0) > 1;
  if (TABLET_AGENT.test(agent) || (touch && /Macintosh/.test(agent))) return "tablet";
  if (PHONE_AGENT.test(agent)) return "mobile";
  if (viewport && viewport.width > 0 && viewport.width < 640) return "mobile";
  if (viewport && touch && viewport.width < 1024) return "tablet";
  return "desktop";
}

/** The context of an event sent now; fields the browser does not tell are left out. */
export function eventContext(env: BrowserEnvironment, appVersion: string): EventContext {
  const context: EventContext = { device: deviceClass(env.navigator, env.viewport()), appVersion };
  if (env.screen) context.screen = `${env.screen.width}x${env.screen.height}`;
  if (env.navigator?.language) context.locale = env.navigator.language;
  if (env.timezone) context.timezone = env.timezone;
  const network = env.navigator?.connection?.type ?? env.navigator?.connection?.effectiveType;
  if (network) context.network = network;
  return context;
}

export const SESSION_KEY = "pathwise.session";

/** This tab's session id, kept in sessionStorage (a new one per tab, kept across reloads); without
 * sessionStorage, a new one for each page load. */
export function sessionId(env: BrowserEnvironment): string {
  try {
    const stored = env.sessionStorage?.getItem(SESSION_KEY);
    if (stored) return stored;
    const created = env.randomId();
    env.sessionStorage?.setItem(SESSION_KEY, created);
    return created;
  } catch {
    return env.randomId();
  }
}

/** The page's path, without its query string or fragment (which may hold tokens or personal data). */
export function pagePath(env: BrowserEnvironment): string | null {
  return env.location?.pathname ?? null;
}
