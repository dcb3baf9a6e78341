// How the tracker talks to POST /v1/events: one request per batch with a result per event, the retry policy
// (exponential backoff with jitter, Retry-After honoured) and the bodies of sendBeacon on page hide.
import type { TrackedEvent } from "./event-queue";

export type EventStatus = "ACCEPTED" | "DUPLICATE" | "REJECTED";

export interface EventResult {
  index: number;
  eventId: string;
  status: EventStatus;
  code: string | null;
  message: string | null;
}

/** What became of a request: per-event results, a retry (after the server's Retry-After, if it said), or the
 * whole batch refused for good (a 4xx other than 401, 408, 425 and 429: sending it again cannot succeed). */
export type SendOutcome =
  | { kind: "results"; results: EventResult[] }
  | { kind: "retry"; afterMs: number | null; reason: string }
  | { kind: "refused"; status: number; code: string; message: string };

/** 401: the app may refresh its token; 408/425/429 and 5xx: the server is busy or failing. */
const RETRIED = new Set([401, 408, 425, 429]);

/** Milliseconds to wait from a Retry-After header: delay-seconds or an HTTP date; null if absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The wait before retry number `attempt` (1, 2, ...): exponential from `baseMs`, capped at `maxMs`, with
 * "equal jitter": half of it fixed, half random, so that clients that failed together do not retry together. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function isResult(value: unknown): value is EventResult {
  if (typeof value !== "object" || value === null) return false;
  const result = value as Record<string, unknown>;
  return typeof result.index === "number" && ["ACCEPTED", "DUPLICATE", "REJECTED"].includes(String(result.status));
}

async function refusal(response: Response): Promise<{ code: string; message: string }> {
  try {
    const body = (await response.json()) as { errors?: { message?: string; extensions?: { code?: string } }[] };
    const error = body.errors?.[0];
    return { code: error?.extensions?.code ?? `HTTP_${response.status}`, message: error?.message ?? "" };
  } catch {
    return { code: `HTTP_${response.status}`, message: response.statusText };
  }
}

/** POST the events with the bearer token; never throws. */
export async function postEvents(fetcher: typeof fetch, url: string, token: string | null, events: TrackedEvent[],
  now: number): Promise<SendOutcome> {
  let response: Response;
  try {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    response = await fetcher(url, { method: "POST", headers, body: JSON.stringify({ events }) });
  } catch (error) {
    return { kind: "retry", afterMs: null, reason: `network: ${String(error)}` };
  }
  if (response.ok) {
    try {
      const body = (await response.json()) as { results?: unknown };
      const results = Array.isArray(body.results) ? body.results.filter(isResult) : [];
      return { kind: "results", results };
    } catch {
      return { kind: "retry", afterMs: null, reason: "unreadable response" };  // safe: ids are deduplicated
    }
  }
  if (response.status >= 500 || RETRIED.has(response.status)) {
    return { kind: "retry", afterMs: retryAfterMs(response.headers.get("retry-after"), now),
             reason: `HTTP ${response.status}` };
  }
  return { kind: "refused", status: response.status, ...(await refusal(response)) };
}

/** The beacon URL: sendBeacon cannot set headers, so the token travels as `?token=` (learner tokens only: the
 * server refuses admin tokens in URLs). */
export function beaconUrl(endpoint: string, token: string): string {
  return `${endpoint}${endpoint.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}

export interface BeaconBody {
  body: string;
  eventIds: string[];
}

/** The events as `{"events": [...]}` bodies of at most `maxBytes` UTF-8 bytes each (browsers refuse a beacon
 * past 64 KB in flight), in order; an event larger than that on its own is left out (it waits in the queue). */
export function beaconBodies(events: TrackedEvent[], maxBytes: number): BeaconBody[] {
  const encoder = new TextEncoder();
  const empty = '{"events":[]}'.length;
  const bodies: BeaconBody[] = [];
  let parts: string[] = [];
  let ids: string[] = [];
  let size = empty;
  const close = (): void => {
    bodies.push({ body: `{"events":[${parts.join(",")}]}`, eventIds: ids });
    parts = [];
    ids = [];
    size = empty;
  };
  for (const event of events) {
    const text = JSON.stringify(event);
    const bytes = encoder.encode(text).length;
    if (empty + bytes > maxBytes) continue;
    if (parts.length > 0 && size + 1 + bytes > maxBytes) close();
    size += (parts.length > 0 ? 1 : 0) + bytes;
    parts.push(text);
    ids.push(event.eventId);
  }
  if (parts.length > 0) close();
  return bodies;
}
