// The learner app's event tracker: `track()` queues an event with its context; batches go to POST /v1/events
// once `batchSize` events wait or `flushIntervalMs` after the first; network errors, 5xx, 401 and 429 are retried
// with exponential backoff and jitter (Retry-After honoured); events the server rejected are never sent again.
// Unsent events live in localStorage (they survive a reload); on `pagehide` or a hidden page they leave with
// navigator.sendBeacon. See "Build your front end" in the README.
import { type BrowserEnvironment, browserEnvironment } from "./browser";
import { currentToken, type TokenSource } from "./client";
import { eventContext, pagePath, sessionId } from "./event-context";
import { EventQueue, type TrackedEvent } from "./event-queue";
import { backoffMs, beaconBodies, beaconUrl, postEvents, type SendOutcome } from "./event-transport";

export interface TrackerOptions {
  /** A learner token (or a function returning the current one); it also travels in beacon URLs. */
  token: TokenSource;
  /** Sent as `context.appVersion`. */
  appVersion: string;
  endpoint?: string;
  /** A batch is sent once this many events wait (default 20)... */
  batchSize?: number;
  /** ...or this long after the first of them was queued (default 5 s). */
  flushIntervalMs?: number;
  /** Events kept for later at most; past it the oldest are dropped (default 1,000). */
  maxQueue?: number;
  /** The first retry waits about this long, each next one twice as long... (default 1 s) */
  backoffBaseMs?: number;
  /** ...up to this (default 60 s). */
  backoffMaxMs?: number;
  storageKey?: string;
  /** Told of every event the server rejected (it is not sent again): its code (e.g. CONSENT_REQUIRED) and why. */
  onRejected?: (event: TrackedEvent, code: string, message: string) => void;
  /** The browser by default; tests pass fakes. */
  env?: Partial<BrowserEnvironment>;
}

export interface TrackOptions {
  courseId?: string;
  properties?: Record<string, unknown>;
  /** An id of your own, to make a retried `track()` idempotent; a new UUID by default. */
  eventId?: string;
}

export interface TrackerStats {
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Dropped unsent because the queue was full. */
  dropped: number;
  /** Failed requests since the last success (the backoff's exponent). */
  failures: number;
}

/** At most this many events per request (the server takes up to 1,000). */
export const MAX_EVENTS_PER_REQUEST = 100;
/** Beacon bodies stay under the 64 KB that browsers allow in flight. */
export const MAX_BEACON_BYTES = 60_000;

export class Tracker {
  readonly stats: TrackerStats = { accepted: 0, duplicates: 0, rejected: 0, dropped: 0, failures: 0 };
  private readonly env: BrowserEnvironment;
  private readonly queue: EventQueue;
  private readonly session: string;
  private readonly endpoint: string;
  private readonly batchSize: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private backingOff = false;
  private sending: Promise<void> | null = null;
  private readonly listeners: [EventTarget | null, string, () => void][];

  constructor(private readonly options: TrackerOptions) {
    this.env = browserEnvironment(options.env);
    this.endpoint = options.endpoint ?? "/v1/events";
    this.batchSize = Math.max(1, options.batchSize ?? 20);
    this.queue = new EventQueue(this.env.localStorage, options.storageKey ?? "pathwise.events", options.maxQueue ?? 1000);
    this.session = sessionId(this.env);
    const hidden = (): void => {
      if (this.env.document?.visibilityState === "hidden") this.beacon();
    };
    const online = (): void => this.retryNow();
    this.listeners = [[this.env.window, "pagehide", () => this.beacon()], [this.env.document, "visibilitychange", hidden],
      [this.env.window, "online", online]];
    for (const [target, type, listener] of this.listeners) target?.addEventListener(type, listener);
    if (this.queue.size > 0) this.schedule(0);  // left over from an earlier page: send them now
  }

  /** Events waiting to be sent. */
  get pending(): number {
    return this.queue.size;
  }

  /** Queue an event of `type` (a taxonomy type or `custom:name`) with its context; returns its eventId. */
  track(type: string, options: TrackOptions = {}): string {
    const path = pagePath(this.env);
    const properties = path === null ? options.properties : { path, ...options.properties };
    const event: TrackedEvent = {
      eventId: options.eventId ?? this.env.randomId(), type, timestamp: new Date(this.env.now()).toISOString(),
      sessionId: this.session, context: eventContext(this.env, this.options.appVersion),
      ...(options.courseId === undefined ? {} : { courseId: options.courseId }),
      ...(properties === undefined ? {} : { properties }),
    };
    this.queue.add(event);
    this.stats.dropped = this.queue.dropped;
    if (this.queue.size >= this.batchSize && !this.backingOff) void this.flush();
    else this.schedule(this.options.flushIntervalMs ?? 5000);
    return event.eventId;
  }

  /** Send every queued event now, in requests of at most 100; during a backoff, nothing until it ends. */
  flush(): Promise<void> {
    if (this.sending) return this.sending;
    if (this.backingOff) return Promise.resolve();
    this.clearTimer();
    this.sending = this.drain().finally(() => {
      this.sending = null;
    });
    return this.sending;
  }

  /** Remove the listeners and timers; queued events stay in localStorage for the next page. */
  stop(): void {
    this.clearTimer();
    for (const [target, type, listener] of this.listeners) target?.removeEventListener(type, listener);
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0) {
      if (this.env.navigator?.onLine === false) return;  // the `online` event sends them
      const batch = this.queue.peek(MAX_EVENTS_PER_REQUEST);
      const token = currentToken(this.options.token);
      const outcome = await postEvents(this.env.fetch, this.endpoint, token, batch, this.env.now());
      if (!this.settle(batch, outcome)) return;
    }
  }

  /** Apply a request's outcome; false when sending should stop for now (a retry is scheduled). */
  private settle(batch: TrackedEvent[], outcome: SendOutcome): boolean {
    if (outcome.kind === "retry") return this.backOff(outcome.afterMs);
    if (outcome.kind === "refused") {
      for (const event of batch) this.reject(event, outcome.code, outcome.message);
      this.queue.remove(batch.map((event) => event.eventId));
      this.stats.failures = 0;
      return true;
    }
    const done: string[] = [];
    for (const result of outcome.results) {
      const event = batch[result.index];
      if (!event) continue;
      done.push(event.eventId);
      if (result.status === "ACCEPTED") this.stats.accepted += 1;
      else if (result.status === "DUPLICATE") this.stats.duplicates += 1;
      else this.reject(event, result.code ?? "REJECTED", result.message ?? "");
    }
    this.queue.remove(done);
    if (done.length < batch.length) return this.backOff(null);  // events without a result: sent again later
    this.stats.failures = 0;
    return true;
  }

  private reject(event: TrackedEvent, code: string, message: string): void {
    this.stats.rejected += 1;
    this.options.onRejected?.(event, code, message);
  }

  private backOff(afterMs: number | null): false {
    this.stats.failures += 1;
    const wait = afterMs ?? backoffMs(this.stats.failures, this.options.backoffBaseMs ?? 1000,
      this.options.backoffMaxMs ?? 60_000, this.env.random);
    this.clearTimer();
    this.backingOff = true;
    this.timer = setTimeout(() => this.retryNow(), wait);
    return false;
  }

  private retryNow(): void {
    this.clearTimer();
    this.backingOff = false;
    void this.flush();
  }

  private schedule(delayMs: number): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Hand every queued event to navigator.sendBeacon (the page may be going away); what the browser takes
   * leaves the queue, the rest stays in localStorage for the next page. */
  private beacon(): void {
    const token = currentToken(this.options.token);
    const send = this.env.navigator?.sendBeacon;
    if (!token || !send || this.queue.size === 0) return;
    const url = beaconUrl(this.endpoint, token);
    for (const { body, eventIds } of beaconBodies(this.queue.peek(), MAX_BEACON_BYTES)) {
      if (!send.call(this.env.navigator, url, body)) return;
      this.queue.remove(eventIds);
    }
  }
}

/** A tracker for this page (see TrackerOptions for the defaults). */
export function createTracker(options: TrackerOptions): Tracker {
  return new Tracker(options);
}
