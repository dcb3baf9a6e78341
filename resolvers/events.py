"""Raw learner events: checked one by one against the taxonomy and the learner's consent, stored in
bulk through the ingestion buffer, then folded into the living profile. Retries are idempotent."""

import contextlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from app.documents import Course, Event, Purpose, User
from app.documents.timestamps import as_utc
from resolvers import insights
from resolvers.consents import granted_purposes
from resolvers.errors import ErrorCode, UseCaseError, validation_problems
from resolvers.free_form import free_form_problem
from resolvers.ingestion import EventWriter, StoreUnavailableError
from resolvers.taxonomy import canonical_properties, check_properties, spec_for

EVENT_TYPE = re.compile(r"^(custom:[a-z0-9][a-z0-9_.-]{0,63}|[a-z][a-z0-9_]{0,63})$")
MAX_CLOCK_SKEW = timedelta(days=1)


class EventStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class EventResult:
    index: int
    event_id: str
    status: EventStatus
    code: ErrorCode | None = None
    message: str | None = None


@dataclass(frozen=True)
class IngestOptions:
    max_events: int = 1_000
    default_purposes: frozenset[Purpose] = frozenset({Purpose.ESSENTIAL})
    half_life_days: float = 30.0
    writer: EventWriter | None = field(default=None, compare=False)


async def track_events(events: list[dict[str, Any]], options: IngestOptions) -> list[EventResult]:
    """Store a batch of events (each names its `user_id`); every event gets its own result, in order."""
    if not events:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "the batch is empty")
    if len(events) > options.max_events:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"at most {options.max_events} events per call; got {len(events)}")
    courses, consents = await _known_courses(events), await _consents(events, options)
    results: dict[int, EventResult] = {}
    documents: list[tuple[int, Event]] = []
    for index, raw in enumerate(events):
        outcome = _validated(index, raw, courses, consents)
        if isinstance(outcome, EventResult):
            results[index] = outcome
        else:
            documents.append((index, outcome))
    stored = await _store(documents, results, options)
    await insights.apply_events(stored, options.half_life_days)
    return [results[index] for index in range(len(events))]


async def _known_courses(events: list[dict[str, Any]]) -> set[str]:
    ids = {str(e["course_id"]) for e in events if e.get("course_id")}
    if not ids:
        return set()
    found = await Course.get_pymongo_collection().find({"_id": {"$in": list(ids)}}, {"_id": 1}).to_list()
    return {doc["_id"] for doc in found}


async def _consents(events: list[dict[str, Any]], options: IngestOptions) -> dict[str, set[Purpose]]:
    user_ids = list({str(e.get("user_id")) for e in events})
    found = {u.id: u for u in await User.find({"_id": {"$in": user_ids}}).to_list()}
    return {user_id: granted_purposes(found.get(user_id), set(options.default_purposes)) for user_id in user_ids}


def _validated(
    index: int, raw: dict[str, Any], courses: set[str], consents: dict[str, set[Purpose]]
) -> Event | EventResult:
    raw = _normalised(raw)
    event_id = str(raw.get("event_id") or "")
    problem = _problem(raw, courses)
    if problem:
        return EventResult(index, event_id, EventStatus.REJECTED, problem[0], problem[1])
    spec = spec_for(str(raw["type"]))
    assert spec is not None
    if spec.purpose not in consents[str(raw["user_id"])]:
        message = f"the learner has not consented to {spec.purpose.value}, which {raw['type']} events need"
        return EventResult(index, event_id, EventStatus.REJECTED, ErrorCode.CONSENT_REQUIRED, message)
    user_id = str(raw["user_id"])
    try:
        event: Event = Event.model_validate(
            {**raw, "id": Event.key(user_id, event_id), "user_id": user_id, "purpose": spec.purpose})
    except ValidationError as error:
        detail = validation_problems(error, index)[0]
        return EventResult(index, event_id, EventStatus.REJECTED, detail.code, f"{detail.field}: {detail.message}")
    return event


def _normalised(raw: dict[str, Any]) -> dict[str, Any]:
    """Nulls mean "not given"; an ISO 8601 timestamp string becomes a datetime (or stays, to be refused)."""
    cleaned = {key: value for key, value in raw.items() if value is not None}
    spec = spec_for(str(cleaned.get("type", "")))
    if spec is not None and isinstance(cleaned.get("properties"), dict):
        cleaned["properties"] = canonical_properties(spec, cleaned["properties"])
    stamp = cleaned.get("client_timestamp")
    if isinstance(stamp, str):
        with contextlib.suppress(ValueError):
            cleaned["client_timestamp"] = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return cleaned


def _problem(raw: dict[str, Any], courses: set[str]) -> tuple[ErrorCode, str] | None:
    """The first thing wrong with the event, checked in order, or None."""
    for check in (_identity_problem, _type_problem, _course_problem, _time_problem, _properties_problem):
        message = check(raw, courses)
        if message:
            unknown_course = check is _course_problem and raw.get("course_id")
            return (ErrorCode.NOT_FOUND if unknown_course else ErrorCode.BAD_USER_INPUT), message
    return None


def _identity_problem(raw: dict[str, Any], courses: set[str]) -> str | None:
    if not raw.get("user_id"):
        return "the event names no user"
    if not raw.get("event_id") or len(str(raw["event_id"])) > 200:
        return "eventId is required (at most 200 characters)"
    return None


def _type_problem(raw: dict[str, Any], courses: set[str]) -> str | None:
    event_type = str(raw.get("type", ""))
    if EVENT_TYPE.match(event_type) and spec_for(event_type) is not None:
        return None
    return f"unknown event type {event_type!r}; use a type of the taxonomy, or custom:your_name"


def _course_problem(raw: dict[str, Any], courses: set[str]) -> str | None:
    if raw.get("course_id"):
        return None if raw["course_id"] in courses else f"no course with id {raw['course_id']!r}"
    spec = spec_for(str(raw["type"]))
    return f"{raw['type']} events need a courseId" if spec and spec.needs_course else None


def _time_problem(raw: dict[str, Any], courses: set[str]) -> str | None:
    stamp = raw.get("client_timestamp")
    if isinstance(stamp, datetime) and as_utc(stamp) > datetime.now(UTC) + MAX_CLOCK_SKEW:
        return "timestamp is more than a day in the future"
    return None


def _properties_problem(raw: dict[str, Any], courses: set[str]) -> str | None:
    properties = raw.get("properties") or {}
    problem = free_form_problem(properties)
    if problem:
        return f"properties {problem}"
    spec = spec_for(str(raw["type"]))
    return check_properties(spec, properties) if spec else None


async def _store(documents: list[tuple[int, Event]], results: dict[int, EventResult],
                 options: IngestOptions) -> list[Event]:
    unique: list[tuple[int, Event]] = []
    seen: set[str] = set()
    for index, event in documents:
        if event.id in seen:
            results[index] = EventResult(index, event.event_id, EventStatus.DUPLICATE)
            continue
        seen.add(event.id)
        unique.append((index, event))
    if not unique:
        return []
    payload = [event.model_dump(by_alias=True) for _, event in unique]
    try:
        stored = await (options.writer.write(payload) if options.writer else _write_directly(payload))
    except StoreUnavailableError as error:
        raise UseCaseError(ErrorCode.UNAVAILABLE, "events could not be stored; retry with the same eventIds") from error
    for (index, event), fresh in zip(unique, stored, strict=True):
        results[index] = EventResult(index, event.event_id, EventStatus.ACCEPTED if fresh else EventStatus.DUPLICATE)
    return [event for (_, event), fresh in zip(unique, stored, strict=True) if fresh]


async def _write_directly(payload: list[dict[str, Any]]) -> list[bool]:
    writer = EventWriter(Event.get_pymongo_collection())
    return await writer.write(payload)
