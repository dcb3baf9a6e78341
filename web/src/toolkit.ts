// The client toolkit as one module: the GraphQL client, the typed operations and the event tracker.
export { authorizationHeaders, createPathwiseClient, currentToken } from "./lib/client";
export type { PathwiseClientOptions, TokenSource } from "./lib/client";
export * from "./lib/operations";
export { createTracker, Tracker } from "./lib/tracker";
export type { TrackerOptions, TrackerStats, TrackOptions } from "./lib/tracker";
export type { TrackedEvent } from "./lib/event-queue";
