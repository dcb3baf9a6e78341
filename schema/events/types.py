"""GraphQL types of raw events."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import strawberry
from graphql import GraphQLInputObjectType, GraphQLSchema
from strawberry.scalars import JSON

from resolvers.events.tracking import EventStatus
from schema.enums import described_enum
from schema.errors import ErrorCodeType, UserError
from schema.profile.users.learners import LearnerPayload

EventStatusType = described_enum(EventStatus, "EventStatus", "What became of one tracked event.", {
    "ACCEPTED": "Stored, and folded into the learner's insights.",
    "DUPLICATE": "An event with this eventId was stored before; nothing changed.",
    "REJECTED": "Not stored: `code` and `message` say why.",
})


def _context(description: str) -> Any:
    return strawberry.field(default=strawberry.UNSET, description=description)


@strawberry.input(description="Where the event happened: the client's device and app, coarse location only.")
class EventContextInput:
    device: str | None = _context("desktop, mobile (phone), tablet, tv, ...")
    os: str | None = _context("Operating system, e.g. iOS 17.")
    browser: str | None = _context("Browser, e.g. Firefox 128.")
    screen: str | None = _context("Screen size in pixels, e.g. 1920x1080.")
    locale: str | None = _context("BCP 47 locale, e.g. fr-FR.")
    timezone: str | None = _context("IANA time zone, e.g. Europe/Paris: hour-of-day insights are counted in it.")
    network: str | None = _context("Connection type, e.g. wifi or cellular.")
    app_version: str | None = _context("The client app's version.")
    country: str | None = strawberry.field(default=strawberry.UNSET, description="Coarse location only.")
    city: str | None = strawberry.field(default=strawberry.UNSET, description="Coarse location only.")


@strawberry.input(description="One event. `eventId` is the client's id: sending it again is a no-op.")
class EventInput:
    event_id: str = strawberry.field(description="The client's unique id for the event; sending it again is a no-op.")
    type: str = strawberry.field(description="lower_snake_case, or custom:name for your own types.")
    course_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The course it concerns, if any (a catalog course id).")
    timestamp: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="When it happened, by the client's clock."
    )
    session_id: str | None = strawberry.field(
        default=strawberry.UNSET, description="The client's session id: session lengths are measured by it.")
    context: EventContextInput | None = strawberry.field(
        default=strawberry.UNSET, description="Device, app and coarse location.")
    properties: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Free-form object: no key may start with '$' or hold '.' or NUL; depth ≤ 5; ≤ 16 KB.",
    )


@strawberry.type(description="What became of one input event. A value object (no id): events are write-only.")
class EventResult:
    index: int = strawberry.field(description="Its position in the input, from 0.")
    event_id: str = strawberry.field(description="The eventId sent.")
    status: EventStatusType = strawberry.field(description="ACCEPTED, DUPLICATE or REJECTED.")  # type: ignore[valid-type]
    code: ErrorCodeType | None = strawberry.field(  # type: ignore[valid-type]
        description="Why it was rejected; null otherwise.")
    message: str | None = strawberry.field(description="Why it was rejected, in words; null otherwise.")


@strawberry.type(description="What trackEvents stored.")
class TrackEventsPayload(LearnerPayload):
    accepted: int = strawberry.field(default=0, description="Events stored now.")
    duplicates: int = strawberry.field(default=0, description="Events stored before (same eventId), left alone.")
    rejected: int = strawberry.field(default=0, description="Events refused; see results.")
    results: list[EventResult] = strawberry.field(default_factory=list, description="One per input event, in order.")
    errors: list[UserError] = strawberry.field(description="Why the whole batch was refused, if it was.")


# Strawberry turns each input object into a dataclass field by field, generically: for a batch of 500
# events that took ~160 ms of a ~430 ms call (bench/profile_ingest.py). Events go straight on as plain
# dicts, so EventInput builds itself from the already-validated GraphQL value through Strawberry's
# documented `from_input` hook: a plain dict keyed by Python names, omitted fields left out.
# `python_names` has graphql-core coerce the events with their Python names (the fields' `out_name`), so
# that hook has nothing left to rename (~3 µs an event of renaming: bench/README.md, fifth session).
_EVENT_NAMES = {"eventId": "event_id", "type": "type", "courseId": "course_id", "timestamp": "client_timestamp",
                "sessionId": "session_id", "context": "context", "properties": "properties"}
_CONTEXT_NAMES = {"device": "device", "os": "os", "browser": "browser", "screen": "screen", "locale": "locale",
                  "timezone": "timezone", "network": "network", "appVersion": "app_version", "country": "country",
                  "city": "city"}


def python_names(schema: GraphQLSchema) -> None:
    """Make graphql-core coerce EventInput and EventContextInput values with the fields' Python names."""
    for type_name, names in (("EventInput", _EVENT_NAMES), ("EventContextInput", _CONTEXT_NAMES)):
        input_type = schema.type_map[type_name]
        assert isinstance(input_type, GraphQLInputObjectType)
        if set(input_type.fields) != set(names):
            raise RuntimeError(f"{type_name}'s fields are not those python_names renames")
        for name, field in input_type.fields.items():
            field.out_name = names[name]


def _event_from_input(cls: type, value: Mapping[str, Any], context: object) -> dict[str, Any]:
    if "eventId" not in value:  # coerced with Python names (`python_names`): eventId is required
        return value if isinstance(value, dict) else dict(value)
    event = {_EVENT_NAMES[name]: item for name, item in value.items() if name in _EVENT_NAMES}
    if isinstance(event.get("context"), Mapping):
        event["context"] = {_CONTEXT_NAMES[n]: v for n, v in event["context"].items() if n in _CONTEXT_NAMES}
    return event


EventInput.__strawberry_definition__.from_input = _event_from_input  # type: ignore[attr-defined]
