"""Raw learner events: validated one by one, stored in bulk, retries made idempotent."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from pymongo.errors import BulkWriteError

from app.documents import Course, Event
from resolvers.errors import ErrorCode, UseCaseError, validation_problems
from resolvers.free_form import free_form_problem

EVENT_TYPE = re.compile(r"^(custom:)?[a-z][a-z0-9_]{0,63}$")
MAX_CLOCK_SKEW = timedelta(days=1)
DUPLICATE_KEY = 11000


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


async def track_events(user_id: str, events: list[dict[str, Any]], max_events: int) -> list[EventResult]:
    """Store a batch of the learner's events; each gets its own result."""
    if not events:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "the batch is empty")
    if len(events) > max_events:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"at most {max_events} events per call; got {len(events)}")
    known_courses = await _known_courses(events)
    results: dict[int, EventResult] = {}
    documents: list[tuple[int, Event]] = []
    for index, raw in enumerate(events):
        outcome = _validated(index, user_id, raw, known_courses)
        if isinstance(outcome, EventResult):
            results[index] = outcome
        else:
            documents.append((index, outcome))
    results |= await _insert(documents)
    return [results[index] for index in range(len(events))]


async def _known_courses(events: list[dict[str, Any]]) -> set[str]:
    ids = {str(e["course_id"]) for e in events if e.get("course_id")}
    if not ids:
        return set()
    found = await Course.get_pymongo_collection().find({"_id": {"$in": list(ids)}}, {"_id": 1}).to_list()
    return {doc["_id"] for doc in found}


def _validated(index: int, user_id: str, raw: dict[str, Any], known: set[str]) -> Event | EventResult:
    event_id = str(raw.get("event_id") or "")
    problem = _problem(raw, known)
    if problem:
        return EventResult(index, event_id, EventStatus.REJECTED, problem[0], problem[1])
    try:
        event: Event = Event.model_validate({**raw, "id": Event.key(user_id, event_id), "user_id": user_id})
        return event
    except ValidationError as error:
        detail = validation_problems(error, index)[0]
        return EventResult(index, event_id, EventStatus.REJECTED, detail.code, f"{detail.field}: {detail.message}")


def _problem(raw: dict[str, Any], known: set[str]) -> tuple[ErrorCode, str] | None:
    bad = ErrorCode.BAD_USER_INPUT
    if not raw.get("event_id") or len(str(raw["event_id"])) > 200:
        return bad, "eventId is required (at most 200 characters)"
    if not EVENT_TYPE.match(str(raw.get("type", ""))):
        return bad, "type must be lower_snake_case, or custom:name for your own types"
    if raw.get("course_id") and raw["course_id"] not in known:
        return ErrorCode.NOT_FOUND, f"no course with id {raw['course_id']!r}"
    stamp = raw.get("client_timestamp")
    if isinstance(stamp, datetime) and _as_utc(stamp) > datetime.now(UTC) + MAX_CLOCK_SKEW:
        return bad, "timestamp is more than a day in the future"
    problem = free_form_problem(raw.get("properties") or {})
    return (bad, f"properties {problem}") if problem else None


def _as_utc(stamp: datetime) -> datetime:
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp


async def _insert(documents: list[tuple[int, Event]]) -> dict[int, EventResult]:
    results: dict[int, EventResult] = {}
    unique: list[tuple[int, Event]] = []
    seen: set[str] = set()
    for index, event in documents:
        status = EventStatus.DUPLICATE if event.id in seen else EventStatus.ACCEPTED
        results[index] = EventResult(index, event.event_id, status)
        if event.id not in seen:
            seen.add(event.id)
            unique.append((index, event))
    if unique:
        await _insert_many(unique, results)
    return results


async def _insert_many(unique: list[tuple[int, Event]], results: dict[int, EventResult]) -> None:
    try:
        await Event.get_pymongo_collection().insert_many(
            [event.model_dump(by_alias=True) for _, event in unique], ordered=False
        )
    except BulkWriteError as error:
        for failure in error.details.get("writeErrors", []):
            index, event = unique[failure["index"]]
            if failure.get("code") != DUPLICATE_KEY:
                raise
            results[index] = EventResult(index, event.event_id, EventStatus.DUPLICATE)
