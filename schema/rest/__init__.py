"""Plain-HTTP endpoints beside GraphQL, for clients that cannot speak it (trackers, `sendBeacon`)."""
