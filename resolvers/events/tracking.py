"""Raw learner events: checked one by one against the taxonomy and the learner's consent, stored in
bulk through the ingestion buffer, then folded into the living profile. Retries are idempotent."""

import contextlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from app.core import metrics
from app.core.concurrency import both
from app.core.documents import Event, Purpose, User
from app.core.documents.events import EventContext
from app.core.identifiers import id_problem
from app.core.settings import Settings
from app.core.timestamps import UtcDatetime, as_utc, utcnow
from recommenders.knowledge.loading import TrackerLoader
from resolvers.errors import ErrorCode, UseCaseError, clipped, validation_problems
from resolvers.event_types import EventSpec, canonical_properties, check_properties, spec_for
from resolvers.events.ingestion import EventWriter, StoreUnavailableError
from resolvers.free_form import MAX_YEAR, MIN_YEAR, free_form_problem, scalar_problem, unstorable
from resolvers.learner_writes import changing
from resolvers.practice import knowledge
from resolvers.practice import review_queue as reviews
from resolvers.profile import folding
from resolvers.profile.fold_locks import FOLD_LOCKS
from resolvers.purposes import granted_purposes
from resolvers.recommendations.learners import shapes_recommendations

EVENT_TYPE = re.compile(r"^(custom:[a-z0-9][a-z0-9_.-]{0,63}|[a-z][a-z0-9_]{0,63})$")
MAX_CLOCK_SKEW = timedelta(days=1)
MAX_EVENT_ID_LENGTH = 200
_TEXT_FIELDS = {"type": "type", "session_id": "sessionId"}  # besides the ids: strings when given


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

    def __post_init__(self) -> None:
        if self.message is not None:  # a message never echoes a huge input back
            object.__setattr__(self, "message", clipped(self.message))


class EventRecord(BaseModel):
    """An event as it is written to the `events` collection: `Event`'s fields, validated the same way, without
    Beanie's document machinery, which made validation several times slower (bench/README.md). `Event` reads
    the stored documents back: `document()` has exactly the shape of `Event.model_dump(by_alias=True)`."""

    id: str = Field(serialization_alias="_id")
    user_id: str
    type: str
    course_id: str | None = None
    event_id: str
    client_timestamp: UtcDatetime | None = None
    server_timestamp: UtcDatetime = Field(default_factory=utcnow)
    session_id: str | None = None
    purpose: Purpose = Purpose.BEHAVIORAL_TRACKING
    context: EventContext = Field(default_factory=EventContext)
    properties: dict[str, Any] = Field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        """`model_dump(by_alias=True)`, written out: ~1 µs an event against ~3–5 (every event of every batch goes
        through it). `properties` is the record's own dict (validation copied it), which nothing changes later."""
        return {"_id": self.id, "user_id": self.user_id, "type": self.type, "course_id": self.course_id,
                "event_id": self.event_id, "client_timestamp": self.client_timestamp,
                "server_timestamp": self.server_timestamp, "session_id": self.session_id, "purpose": self.purpose,
                "context": dict(vars(self.context)), "properties": self.properties}


if list(EventRecord.model_fields) != [name for name in Event.model_fields if name != "revision_id"]:
    raise RuntimeError("EventRecord must have the fields of app.core.documents.Event, in its order")


@dataclass(frozen=True)
class IngestOptions:
    max_events: int = 1_000
    default_purposes: frozenset[Purpose] = frozenset({Purpose.ESSENTIAL})
    half_life_days: float = 30.0
    writer: EventWriter | None = field(default=None, compare=False)
    courses: folding.KnownCourses | None = field(default=None, compare=False)  # the served catalog, if any
    settings: Settings = field(kw_only=True, compare=False)  # for the practice updates (models, retention)
    trackers: TrackerLoader = field(kw_only=True, compare=False)  # the app's knowledge model


@dataclass(frozen=True)
class _Learners:
    """What one find of the call's learners says: each one's purposes, and each existing one's fold state."""

    consents: dict[str, set[Purpose]]
    states: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class _Batch:
    """What checking one call's events needs: the known courses, each learner's purposes, the call's time."""

    catalog: folding.Catalog  # the courses the events name (and those their searches spell out)
    consents: dict[str, set[Purpose]]
    now: datetime = field(default_factory=utcnow)


async def track_events(events: list[dict[str, Any]], options: IngestOptions) -> list[EventResult]:
    """Store a batch of events (each names its `user_id`); every event gets its own result, in order."""
    if not events:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "the batch is empty")
    if len(events) > options.max_events:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"at most {options.max_events} events per call; got {len(events)}")
    cleaned = [_normalised(raw) for raw in events]
    # events that cannot be stored at all are refused before they reach a query or a write
    results = {index: rejection for index, raw in enumerate(cleaned) if (rejection := _unusable(index, raw))}
    usable = [raw for index, raw in enumerate(cleaned) if index not in results]
    # the learners' folds are this call's from the read of their state to the write of the update
    async with FOLD_LOCKS.holding(str(raw["user_id"]) for raw in usable):
        stored, catalog, learners = await _checked_and_stored(cleaned, usable, results, options)
        # their cached recommendations are out of date once the events are folded in, unless the events only
        # move usage patterns (then the lists outlive them)
        async with changing({record.user_id for record in stored if shapes_recommendations(record.type)}):
            # independent updates, concurrently: each round trip waits behind other calls' inserts in the store
            await both(folding.apply_events(stored, options.half_life_days, catalog, learners.states),
                       _practice(stored, options))
    metrics.events_ingested((result.status, result.code) for result in results.values())
    return [results[index] for index in range(len(events))]


async def _checked_and_stored(cleaned: list[dict[str, Any]], usable: list[dict[str, Any]],
                              results: dict[int, EventResult], options: IngestOptions
                              ) -> tuple[list[EventRecord], folding.Catalog, _Learners]:
    """The events stored by this call (not the duplicates; every other event's result is in `results`), with
    the courses and learners read to check them (one find each, concurrently; no find of courses the served
    catalog holds)."""
    learners, catalog = await both(_learners(usable, options), _known_courses(usable, options.courses))
    batch = _Batch(catalog, learners.consents)
    records: list[tuple[int, EventRecord]] = []
    for index, raw in enumerate(cleaned):
        if index in results:
            continue
        outcome = _validated(index, raw, batch)
        if isinstance(outcome, EventResult):
            results[index] = outcome
        else:
            records.append((index, outcome))
    return await _store(records, results, options), catalog, learners


async def _practice(stored: list[EventRecord], options: IngestOptions) -> None:
    """Quiz answers move the learner's mastery (knowledge tracing) and review schedule (spaced repetition)."""
    answers = [record for record in stored if record.type == "quiz_answer"]
    if answers:
        await both(knowledge.record_quiz_answers(answers, options.settings, options.trackers),
                   reviews.record_quiz_answers(answers, options.settings.review_retention))


async def _known_courses(events: list[dict[str, Any]], known: folding.KnownCourses | None) -> folding.Catalog:
    """The courses the events name, with what the profile update needs of them: from the served catalog where
    it holds them, the others (and the skills of searches) in one find."""
    course_ids = [str(e["course_id"]) for e in events if e.get("course_id")]
    searches = [e["properties"] for e in events if e.get("type") == "search" and isinstance(e.get("properties"), dict)]
    return await folding.load_course_facts(course_ids, [str(properties.get("query", "")) for properties in searches],
                                           known)


async def _learners(events: list[dict[str, Any]], options: IngestOptions) -> _Learners:
    """Each learner's purposes and fold state, in one find of what those need (not the whole documents)."""
    user_ids = list({str(e.get("user_id")) for e in events})
    projection = {"consents": 1} | folding.STATE_PROJECTION
    found = await User.get_pymongo_collection().find({"_id": {"$in": user_ids}}, projection).to_list()
    users = {doc["_id"]: User.model_validate({"_id": doc["_id"], "consents": doc.get("consents") or {}})
             for doc in found}
    consents = {user_id: granted_purposes(users.get(user_id), set(options.default_purposes)) for user_id in user_ids}
    return _Learners(consents, {doc["_id"]: folding.state_of(doc) for doc in found})


def _validated(index: int, raw: dict[str, Any], batch: _Batch) -> EventRecord | EventResult:
    """The event (normalised) as it will be stored, or why it is rejected."""
    spec = spec_for(str(raw.get("type", "")))
    event_id = str(raw.get("event_id") or "")
    problem = _problem(raw, spec, batch)
    if problem:
        return EventResult(index, event_id, EventStatus.REJECTED, problem[0], problem[1])
    assert spec is not None
    user_id = str(raw["user_id"])
    if spec.purpose not in batch.consents[user_id]:
        message = f"the learner has not consented to {spec.purpose.value}, which {raw['type']} events need"
        return EventResult(index, event_id, EventStatus.REJECTED, ErrorCode.CONSENT_REQUIRED, message)
    try:
        return EventRecord.model_validate({**raw, "id": Event.key(user_id, event_id), "user_id": user_id,
                                           "purpose": spec.purpose, "server_timestamp": batch.now})
    except ValidationError as error:
        detail = validation_problems(error, index)[0]
        return EventResult(index, event_id, EventStatus.REJECTED, detail.code, f"{detail.field}: {detail.message}")


def _unusable(index: int, raw: dict[str, Any]) -> EventResult | None:
    """The rejection of an event whose ids are not ids or that holds a value no store can keep, or None."""
    event_id = raw.get("event_id")
    problem = _shape_problem(raw)
    if problem is None:
        return None
    shown = event_id if isinstance(event_id, str) and id_problem(event_id, MAX_EVENT_ID_LENGTH) is None else ""
    return EventResult(index, shown, EventStatus.REJECTED, ErrorCode.BAD_USER_INPUT, problem)


def _shape_problem(raw: dict[str, Any]) -> str | None:
    checks = [("userId", raw.get("user_id"), id_problem(raw.get("user_id"))),
              ("eventId", raw.get("event_id"), id_problem(raw.get("event_id"), MAX_EVENT_ID_LENGTH))]
    if "course_id" in raw:
        checks.append(("courseId", raw["course_id"], id_problem(raw["course_id"])))
    for name, value, problem in checks:
        if problem is not None:
            return f"{name} {problem}" if value is not None else f"{name} is required"
    for key, name in _TEXT_FIELDS.items():
        if key in raw and not isinstance(raw[key], str):
            return f"{name} must be a string"
    stamp = raw.get("client_timestamp")
    if isinstance(stamp, datetime) and scalar_problem(stamp):
        return f"timestamp must lie between the years {MIN_YEAR} and {MAX_YEAR}"
    problem = unstorable(raw)
    return f"the event {problem}" if problem else None


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


def _problem(raw: dict[str, Any], spec: EventSpec | None, batch: _Batch) -> tuple[ErrorCode, str] | None:
    """The first thing wrong with the event, checked in order, or None."""
    for check in (_type_problem, _course_problem, _time_problem, _properties_problem):
        message = check(raw, spec, batch)
        if message:
            unknown_course = check is _course_problem and raw.get("course_id")
            return (ErrorCode.NOT_FOUND if unknown_course else ErrorCode.BAD_USER_INPUT), message
    return None


def _type_problem(raw: dict[str, Any], spec: EventSpec | None, batch: _Batch) -> str | None:
    event_type = str(raw.get("type", ""))
    if spec is not None and EVENT_TYPE.match(event_type):
        return None
    return f"unknown event type {event_type!r}; use a type of the taxonomy, or custom:your_name"


def _course_problem(raw: dict[str, Any], spec: EventSpec | None, batch: _Batch) -> str | None:
    if raw.get("course_id"):
        return None if raw["course_id"] in batch.catalog.courses else f"no course with id {raw['course_id']!r}"
    return f"{raw['type']} events need a courseId" if spec and spec.needs_course else None


def _time_problem(raw: dict[str, Any], spec: EventSpec | None, batch: _Batch) -> str | None:
    stamp = raw.get("client_timestamp")
    if isinstance(stamp, datetime) and as_utc(stamp) > batch.now + MAX_CLOCK_SKEW:
        return "timestamp is more than a day in the future"
    return None


def _properties_problem(raw: dict[str, Any], spec: EventSpec | None, batch: _Batch) -> str | None:
    properties = raw.get("properties") or {}
    problem = free_form_problem(properties)
    if problem:
        return f"properties {problem}"
    return check_properties(spec, properties) if spec else None


async def _store(records: list[tuple[int, EventRecord]], results: dict[int, EventResult],
                 options: IngestOptions) -> list[EventRecord]:
    unique: list[tuple[int, EventRecord]] = []
    seen: set[str] = set()
    for index, record in records:
        if record.id in seen:
            results[index] = EventResult(index, record.event_id, EventStatus.DUPLICATE)
            continue
        seen.add(record.id)
        unique.append((index, record))
    if not unique:
        return []
    payload = [record.document() for _, record in unique]
    try:
        stored = await (options.writer.write(payload) if options.writer else _write_directly(payload))
    except StoreUnavailableError as error:
        raise UseCaseError(ErrorCode.UNAVAILABLE, "events could not be stored; retry with the same eventIds") from error
    for (index, record), fresh in zip(unique, stored, strict=True):
        results[index] = EventResult(index, record.event_id, EventStatus.ACCEPTED if fresh else EventStatus.DUPLICATE)
    return [record for (_, record), fresh in zip(unique, stored, strict=True) if fresh]


async def _write_directly(payload: list[dict[str, Any]]) -> list[bool]:
    writer = EventWriter(Event.get_pymongo_collection())
    return await writer.write(payload)
