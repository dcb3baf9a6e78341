// The tracker's offline queue: the events not yet acknowledged, oldest first, kept in localStorage after every
// change so that they survive a reload, a crash or a closed tab. Bounded (the oldest are dropped past the
// limit) and deduplicated by eventId.
import type { EventContext } from "./event-context";

/** One event as POST /v1/events takes it. */
export interface TrackedEvent {
  eventId: string;
  type: string;
  courseId?: string;
  timestamp: string;
  sessionId: string;
  properties?: Record<string, unknown>;
  context: EventContext;
}

function isEvent(value: unknown): value is TrackedEvent {
  if (typeof value !== "object" || value === null) return false;
  const event = value as Record<string, unknown>;
  return typeof event.eventId === "string" && event.eventId !== "" && typeof event.type === "string"
    && typeof event.timestamp === "string";
}

export class EventQueue {
  private events: TrackedEvent[] = [];
  private readonly ids = new Set<string>();
  /** Events dropped because the queue was full, since it was created. */
  dropped = 0;

  constructor(private readonly storage: Storage | null, private readonly key: string, private readonly limit: number) {
    for (const event of this.stored()) this.push(event);
    this.bound();
  }

  get size(): number {
    return this.events.length;
  }

  /** The first `count` events, left in the queue. */
  peek(count: number = this.events.length): TrackedEvent[] {
    return this.events.slice(0, count);
  }

  /** Queue an event; false if one with its eventId is already queued. */
  add(event: TrackedEvent): boolean {
    if (!this.push(event)) return false;
    this.bound();
    this.save();
    return true;
  }

  /** Take out the events with these ids (acknowledged, rejected or handed to a beacon). */
  remove(eventIds: Iterable<string>): void {
    const gone = new Set(eventIds);
    if (gone.size === 0) return;
    this.events = this.events.filter((event) => !gone.has(event.eventId));
    for (const id of gone) this.ids.delete(id);
    this.save();
  }

  private push(event: TrackedEvent): boolean {
    if (this.ids.has(event.eventId)) return false;
    this.ids.add(event.eventId);
    this.events.push(event);
    return true;
  }

  private bound(): void {
    const excess = this.events.length - this.limit;
    if (excess <= 0) return;
    for (const event of this.events.splice(0, excess)) this.ids.delete(event.eventId);
    this.dropped += excess;
  }

  private stored(): TrackedEvent[] {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(this.key) ?? "[]");
      return Array.isArray(parsed) ? parsed.filter(isEvent) : [];
    } catch {
      return [];  // unreadable: start afresh rather than fail the page
    }
  }

  private save(): void {
    try {
      if (this.events.length === 0) this.storage?.removeItem(this.key);
      else this.storage?.setItem(this.key, JSON.stringify(this.events));
    } catch {
      // Storage full or disabled: the events stay in memory and are sent while the page lives.
    }
  }
}
