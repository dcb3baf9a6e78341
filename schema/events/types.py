"""GraphQL types of raw events."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from resolvers.events import EventStatus
from schema.errors import ErrorCodeType, UserError

EventStatusType = strawberry.enum(EventStatus, name="EventStatus")


@strawberry.input
class EventContextInput:
    device: str | None = strawberry.UNSET
    os: str | None = strawberry.UNSET
    browser: str | None = strawberry.UNSET
    screen: str | None = strawberry.UNSET
    locale: str | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    network: str | None = strawberry.UNSET
    app_version: str | None = strawberry.UNSET
    country: str | None = strawberry.field(default=strawberry.UNSET, description="Coarse location only.")
    city: str | None = strawberry.field(default=strawberry.UNSET, description="Coarse location only.")


@strawberry.input(description="One event. `eventId` is the client's id: sending it again is a no-op.")
class EventInput:
    event_id: str
    type: str = strawberry.field(description="lower_snake_case, or custom:name for your own types.")
    course_id: strawberry.ID | None = strawberry.UNSET
    timestamp: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="When it happened, by the client's clock."
    )
    session_id: str | None = strawberry.UNSET
    context: EventContextInput | None = strawberry.UNSET
    properties: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Free-form object: no key may start with '$' or hold '.' or NUL; depth ≤ 5; ≤ 16 KB.",
    )


@strawberry.type
class EventResult:
    index: int
    event_id: str
    status: EventStatusType  # type: ignore[valid-type]
    code: ErrorCodeType | None  # type: ignore[valid-type]
    message: str | None


@strawberry.type
class TrackEventsPayload:
    accepted: int
    duplicates: int
    rejected: int
    results: list[EventResult] = strawberry.field(description="One per input event, in order.")
    errors: list[UserError] = strawberry.field(description="Why the whole batch was refused, if it was.")


# Strawberry turns each input object into a dataclass field by field, generically: for a batch of 500
# events that took ~160 ms of a ~430 ms call (bench/profile_ingest.py). Events go straight on as plain
# dicts, so EventInput builds itself from the already-validated GraphQL value through Strawberry's
# documented `from_input` hook: a plain dict keyed by Python names, omitted fields left out.
_EVENT_NAMES = {"eventId": "event_id", "type": "type", "courseId": "course_id", "timestamp": "client_timestamp",
                "sessionId": "session_id", "context": "context", "properties": "properties"}
_CONTEXT_NAMES = {"device": "device", "os": "os", "browser": "browser", "screen": "screen", "locale": "locale",
                  "timezone": "timezone", "network": "network", "appVersion": "app_version", "country": "country",
                  "city": "city"}


def _event_from_input(cls: type, value: Mapping[str, Any], context: object) -> dict[str, Any]:
    event = {_EVENT_NAMES[name]: item for name, item in value.items() if name in _EVENT_NAMES}
    if isinstance(event.get("context"), Mapping):
        event["context"] = {_CONTEXT_NAMES[n]: v for n, v in event["context"].items() if n in _CONTEXT_NAMES}
    return event


EventInput.__strawberry_definition__.from_input = _event_from_input  # type: ignore[attr-defined]
