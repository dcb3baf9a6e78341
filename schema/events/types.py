"""GraphQL types of raw events."""

from datetime import datetime

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
