"""The event-tracking mutation."""

from typing import Annotated, Any

import strawberry

from resolvers.events import tracking as use_cases
from resolvers.purposes import default_purposes
from schema.arguments import UserIdArg
from schema.context import Context, Info
from schema.events.types import EventInput, TrackEventsPayload
from schema.expected_errors import ExpectedErrors
from schema.inputs import given_fields
from schema.permissions import SelfOrAdmin, acting_user

_RENAME = {"timestamp": "client_timestamp"}


def _as_dict(event: object) -> dict[str, Any]:
    """An EventInput as use cases take it (EventInput builds dicts itself; see schema/events/types.py)."""
    return event if isinstance(event, dict) else given_fields(event, _RENAME)  # a dict made for this request


def ingest_options(context: Context) -> use_cases.IngestOptions:
    settings = context.settings
    return use_cases.IngestOptions(
        max_events=settings.max_events_per_batch,
        default_purposes=frozenset(default_purposes(settings.default_consents)),
        half_life_days=settings.interest_half_life_days,
        writer=context.event_writer,
        courses=context.recommendations.served_catalog if context.recommendations else None,
        settings=settings,
        trackers=context.trackers,
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[SelfOrAdmin],
        description=(
            "Store 1–1,000 events of a learner (the caller unless an admin names userId); "
            "one result per event, and the learner as the events left them."
        ),
        extensions=[ExpectedErrors()],
    )
    async def track_events(
        self, info: Info, events: Annotated[list[EventInput], strawberry.argument(
            description="1 to 1,000 events (PATHWISE_MAX_EVENTS_PER_BATCH) of the learner.")],
        user_id: UserIdArg = None,
    ) -> TrackEventsPayload:
        owner = acting_user(info, user_id)
        raw = [{**_as_dict(event), "user_id": owner} for event in events]
        results = await use_cases.track_events(raw, ingest_options(info.context))
        counts = {status: sum(1 for r in results if r.status == status) for status in use_cases.EventStatus}
        return TrackEventsPayload(
            accepted=counts[use_cases.EventStatus.ACCEPTED], duplicates=counts[use_cases.EventStatus.DUPLICATE],
            rejected=counts[use_cases.EventStatus.REJECTED], results=results, errors=[],  # type: ignore[arg-type]
            owner=owner,
        )
