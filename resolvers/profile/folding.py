"""The living profile, write side: newly stored events folded into their learners' `insights` and
`recent_activity`, with one find of the learners and one bulk write per call (one update per learner, more
when it would name more than MAX_UPDATE_PATHS paths).

Shapes chosen to work on MongoDB and on the embedded store alike (nx-27017 diverges on the others):
counters and interest scores are `$inc`s on existing documents (an absent learner is created first by a
`$setOnInsert` of a whole default document, because nx turns dotted `$inc`s of an upsert into literal
"a.b.c" keys); streaks, `last_active_at` and `recent_activity` are computed from the one find and `$set`
(nx stores a `$max`/`$set` date scalar as a naive string, never raises a stored date with `$max`, and
turns documents pushed with `$slice` into JSON strings); session lengths (numbers) use `$push`+`$slice`."""

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pymongo import UpdateOne

from app.core.documents import Course, StoredEvent, User
from app.core.documents.profiles import INTEREST_EPOCH, RECENT_ACTIVITY_LIMIT, SESSION_SAMPLE_LIMIT, Activity, field_key
from app.core.timestamps import as_utc_or_none
from resolvers.profile.fold_locks import FOLD_LOCKS

# What one event weighs, for the skills/topics it names (interests) and for the format and length of its
# course (engagement). Course events name the course's skills and topics; search names the catalog skills its
# query spells out (and topics of the batch's courses); follow/unfollow their topic; quiz_answer its skill.
# dwell: per minute, at most DWELL_CAP_MINUTES; rate: per star away from 3 (1 star = -4, 3 = 0, 5 = +4);
# unfollow takes back what follow gave. Negative weights lower interests but add no engagement.
INTEREST_WEIGHTS: dict[str, float] = {
    "course_view": 1.0, "dwell": 1.0, "search": 1.0, "lesson_complete": 1.0, "recommendation_click": 1.5,
    "bookmark": 2.0, "share": 2.0, "rate": 2.0, "enroll": 3.0, "follow": 4.0, "unfollow": -4.0,
    "complete": 5.0, "quiz_answer": 0.5,
}
# Video events speak of formats only (the taxonomy says they feed "engagement with formats", not interests).
FORMAT_ONLY_WEIGHTS: dict[str, float] = {"video_play": 0.5, "video_complete": 1.0}
DWELL_CAP_MINUTES = 2.0
SHORT_MAX_MINUTES, MEDIUM_MAX_MINUTES = 20, 180  # course length buckets: short ≤ 20 min < medium ≤ 180 < long
SEARCH_NGRAM_WORDS, SEARCH_MAX_WORDS = 3, 20
# The embedded store acknowledges an update with an `$inc` that names 64 paths or more in all (its `$set` and
# `$push` paths counted) and applies all of it but the `$inc` (MongoDB applies it all: tests/store/test_writes.py).
MAX_UPDATE_PATHS = 63

# Types that only say something happened around the learner, not what they did: they would crowd
# the capped recent-activity list out. They still count in usage patterns.
ACTIVITY_SKIPPED = frozenset({"recommendation_impression", "click", "video_pause", "video_seek", "video_speed"})
_STATE_FIELDS = (
    "last_active_day", "last_active_at", "current_streak", "longest_streak", "active_days", "interest_labels")
# what a fold reads of each learner before it writes (a caller may read it with other fields: `state_of`)
STATE_PROJECTION = {f"insights.{name}": 1 for name in _STATE_FIELDS} | {"recent_activity": 1}


# --- what events say: the batch's catalog facts, interest signals, engagement, local time ---------------

@dataclass(frozen=True)
class CourseFacts:
    labels: tuple[str, ...]  # skills, then topics
    format: str | None
    length: str | None  # "short" / "medium" / "long"


@dataclass
class Catalog:
    """The courses one call needs: those its events name, and those with a skill its searches spell out."""

    courses: dict[str, CourseFacts] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # casefolded skill/topic -> label

    def matching(self, query: str) -> list[str]:
        """The known skills/topics the query spells out (whole words, case-insensitive), in query order."""
        found = (self.labels.get(gram) for gram in search_ngrams(query))
        return list(dict.fromkeys(label for label in found if label))

    def add(self, course_id: str, facts: CourseFacts) -> None:
        self.courses[course_id] = facts
        for label in facts.labels:
            self.labels.setdefault(label.casefold(), label)


class KnownCourses(Protocol):
    """Course facts a server process holds in memory (the catalog it serves), asked before the store."""

    def course_facts(self, course_ids: Iterable[str]) -> dict[str, CourseFacts]:
        """The facts of the courses it knows among `course_ids`; the others are read from the store."""
        ...


def facts_of(skills: Iterable[str] | None, topics: Iterable[str] | None, course_format: str | None,
             minutes: int | None) -> CourseFacts:
    return CourseFacts((*(skills or ()), *(topics or ())), course_format, length_bucket(minutes))


async def load_course_facts(course_ids: Iterable[str], search_queries: Iterable[str],
                            known: KnownCourses | None = None) -> Catalog:
    """The courses by id, or (for search queries) by a skill key equal to a query n-gram: those `known` holds
    from memory, the others in one query. (What `known` holds may be a poll behind the store: a course's labels
    edited a moment ago fold as they were; a course just added is not held yet and is read.)"""
    ids = list(set(course_ids))
    catalog = Catalog()
    if known is not None and ids:
        for course_id, facts in known.course_facts(ids).items():
            catalog.add(course_id, facts)
        ids = [course_id for course_id in ids if course_id not in catalog.courses]
    grams = list({gram for query in search_queries for gram in search_ngrams(query)})
    clauses = ([{"_id": {"$in": ids}}] if ids else []) + ([{"skill_keys": {"$in": grams}}] if grams else [])
    if not clauses:
        return catalog
    projection = {"skills": 1, "topics": 1, "format": 1, "duration_minutes": 1}
    query = clauses[0] if len(clauses) == 1 else {"$or": clauses}
    for doc in await Course.get_pymongo_collection().find(query, projection).to_list():
        catalog.add(doc["_id"], facts_of(doc.get("skills"), doc.get("topics"), doc.get("format"),
                                         doc.get("duration_minutes")))
    return catalog


def _catalog_of(events: Sequence[StoredEvent]) -> tuple[list[str], list[str]]:
    """What load_course_facts needs for these events: their course ids and their search queries."""
    course_ids = [e.course_id for e in events if e.course_id]
    return course_ids, [str(e.properties.get("query", "")) for e in events if e.type == "search"]


def length_bucket(minutes: int | None) -> str | None:
    if minutes is None:
        return None
    return "short" if minutes <= SHORT_MAX_MINUTES else "medium" if minutes <= MEDIUM_MAX_MINUTES else "long"


_EDGE_PUNCTUATION = "\"'`,;:!?()[]{}<>"


def search_ngrams(query: str) -> list[str]:
    """The casefolded 1- to 3-word runs of the query (its first SEARCH_MAX_WORDS words)."""
    words = [w.strip(_EDGE_PUNCTUATION) for w in re.split(r"\s+", query.casefold())][:SEARCH_MAX_WORDS]
    words = [w for w in words if w]
    return [" ".join(words[i:i + n]) for n in range(1, SEARCH_NGRAM_WORDS + 1) for i in range(len(words) - n + 1)]


def interest_signals(event: StoredEvent, catalog: Catalog) -> list[tuple[str, float]]:
    """(label, weight) for each skill/topic the event feeds, with the event's weight."""
    weight = interest_weight(event.type, event.properties)
    return [(label, weight) for label in _labels(event, catalog)] if weight else []


def _labels(event: StoredEvent, catalog: Catalog) -> list[str]:
    event_type, properties = event.type, event.properties
    if event_type == "search":
        return catalog.matching(str(properties.get("query", "")))
    if event_type in ("follow", "unfollow"):
        return [str(properties["topic"])] if properties.get("topic") else []
    if event_type == "quiz_answer":
        return [str(properties["skill"])] if properties.get("skill") else []
    course = catalog.courses.get(event.course_id or "")
    return list(course.labels) if course else []


def interest_weight(event_type: str, properties: dict[str, Any]) -> float:
    weight = INTEREST_WEIGHTS.get(event_type, 0.0)
    if event_type == "dwell":
        minutes = int(properties.get("duration_ms") or 0) / 60_000
        return weight * min(minutes, DWELL_CAP_MINUTES)
    if event_type == "rate":
        return weight * (int(properties.get("rating") or 3) - 3)
    return weight


def engagement_weight(event_type: str, interest: float) -> float:
    """What an event adds to its course's format and length: its interest weight, never below zero."""
    return max(interest, 0.0) or FORMAT_ONLY_WEIGHTS.get(event_type, 0.0)


def local_time(at: datetime, timezone: str | None) -> datetime:
    """`at` in the event's IANA timezone when it names a known one, else in UTC."""
    zone = _zone(timezone) if timezone else None
    return at.astimezone(zone) if zone else at


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


# --- the update ---------------------------------------------------------------------------------------

async def apply_events(events: Sequence[StoredEvent], half_life_days: float, catalog: Catalog | None = None,
                       states: Mapping[str, dict[str, Any]] | None = None) -> None:
    """Fold newly stored events into their learners' documents (one find, one bulk write per call). `catalog`:
    what the caller already loaded for these events (or more), else one more find loads it. `states`: each
    existing learner's state (`state_of` a document read with `STATE_PROJECTION`), read by a caller that holds
    the learners in `FOLD_LOCKS` since; else the learners are held and read here."""
    if not events:
        return
    by_user: dict[str, list[StoredEvent]] = defaultdict(list)
    for event in events:
        by_user[event.user_id].append(event)
    if catalog is None:
        catalog = await load_course_facts(*_catalog_of(events))
    if states is None:
        async with FOLD_LOCKS.holding(by_user):
            await _write_folds(by_user, await _previous_states(list(by_user)), catalog, half_life_days)
    else:
        await _write_folds(by_user, states, catalog, half_life_days)


async def _write_folds(by_user: dict[str, list[StoredEvent]], states: Mapping[str, dict[str, Any]],
                       catalog: Catalog, half_life_days: float) -> None:
    writes: list[UpdateOne] = []
    for user_id, batch in by_user.items():
        if user_id not in states:
            writes.append(_created(user_id, batch))
        writes.extend(UpdateOne({"_id": user_id}, update)
                      for update in _update_for(batch, states.get(user_id, {}), catalog, half_life_days))
    await User.get_pymongo_collection().bulk_write(writes, ordered=True)


def _created(user_id: str, events: Sequence[StoredEvent]) -> UpdateOne:
    """Create an absent learner as a whole default document, so the update after it finds its maps."""
    fresh = User(id=user_id, created_at=min(e.server_timestamp for e in events)).model_dump(by_alias=True)
    fresh.pop("_id")
    return UpdateOne({"_id": user_id}, {"$setOnInsert": fresh}, upsert=True)


async def _previous_states(user_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per existing learner: the insights fields that are `$set` (not `$inc`ed, labels included) and the
    recent activity."""
    found = await User.get_pymongo_collection().find({"_id": {"$in": user_ids}}, STATE_PROJECTION).to_list()
    return {doc["_id"]: state_of(doc) for doc in found}


def state_of(doc: dict[str, Any]) -> dict[str, Any]:
    """A learner's fold state from their document read with (at least) `STATE_PROJECTION`."""
    # MongoDB nests dotted projections; nx returns them as flat "insights.x" keys.
    nested = doc.get("insights") or {}
    state = {name: doc.get(f"insights.{name}", nested.get(name)) for name in _STATE_FIELDS}
    return state | {"recent_activity": doc.get("recent_activity") or []}


class _Update:
    """The `$inc`, `$set` and `$push` of one learner's update, built event by event."""

    def __init__(self, known_labels: dict[str, str]) -> None:
        self.inc: dict[str, float] = defaultdict(float)
        self.set: dict[str, Any] = {}
        self.sessions: list[int] = []
        self.known_labels = known_labels

    def add(self, path: str, amount: float = 1) -> None:
        self.inc[path] += amount

    def label(self, key: str, label: str) -> None:
        """Keep the first label written for a key (a `$set` only for keys the learner has none for)."""
        if key not in self.known_labels:
            self.known_labels[key] = self.set[f"insights.interest_labels.{key}"] = label

    def documents(self) -> list[dict[str, Any]]:
        """The update: one document when it names at most MAX_UPDATE_PATHS paths in all, else its `$set` and
        `$push` first, then its `$inc` in documents of at most that many paths."""
        update: dict[str, Any] = {"$set": self.set}
        if self.sessions:
            update["$push"] = {"insights.session_lengths_ms": {"$each": self.sessions, "$slice": -SESSION_SAMPLE_LIMIT}}
        increments = list(self.inc.items())
        if len(increments) + len(self.set) + len(self.sessions[:1]) <= MAX_UPDATE_PATHS:
            return [{"$inc": dict(increments)} | update]
        return [update, *({"$inc": dict(increments[start:start + MAX_UPDATE_PATHS])}
                          for start in range(0, len(increments), MAX_UPDATE_PATHS))]


def _update_for(events: Sequence[StoredEvent], state: dict[str, Any], catalog: Catalog,
                half_life_days: float) -> list[dict[str, Any]]:
    update = _Update(dict(state.get("interest_labels") or {}))
    stamped = [(_instant(event), event) for event in events]
    days = {_fold(update, at, event, catalog, half_life_days) for at, event in stamped}
    update.set |= _streak(state, days)
    update.set["insights.last_active_at"] = _last_active_at(state.get("last_active_at"), stamped)
    update.set["recent_activity"] = _recent_activity(state.get("recent_activity") or [], stamped)
    return update.documents()


def _fold(update: _Update, at: datetime, event: StoredEvent, catalog: Catalog, half_life_days: float) -> date:
    """Add one event's counts and weights to `update`; returns its (local) calendar day."""
    event_type, properties, context = event.type, event.properties, event.context
    local = local_time(at, context.timezone)
    update.add("insights.events")
    update.add(f"insights.hours.{local.hour}")
    update.add(f"insights.weekdays.{local.weekday()}")
    device = _key(context.device or "")
    if device:
        update.add(f"insights.devices.{device}")
    weight = interest_weight(event_type, properties)
    if weight:
        _fold_interests(update, _labels(event, catalog), weight * _growth(at, half_life_days))
    course = catalog.courses.get(event.course_id) if event.course_id else None
    if course is not None:
        _fold_course(update, course, engagement_weight(event_type, weight))
    _fold_counters(update, event_type, properties)
    return local.date()


def _fold_interests(update: _Update, labels: list[str], stored_weight: float) -> None:
    for label in labels:
        key = _key(label)
        if not key:
            continue
        update.add(f"insights.interest_scores.{key}", stored_weight)
        update.label(key, label)


def _fold_course(update: _Update, course: CourseFacts, engagement: float) -> None:
    if engagement <= 0:
        return
    if course.format:
        update.add(f"insights.formats.{course.format}", engagement)
    if course.length:
        update.add(f"insights.lengths.{course.length}", engagement)


def _fold_counters(update: _Update, event_type: str, properties: dict[str, Any]) -> None:
    if event_type == "enroll":
        update.add("insights.enrolled")
    elif event_type == "complete":
        update.add("insights.completed")
    elif event_type == "session_end" and isinstance(properties.get("duration_ms"), int):
        update.sessions.append(properties["duration_ms"])
    elif event_type == "quiz_answer" and _key(str(properties.get("skill") or "")):
        key = _key(str(properties["skill"]))
        update.add(f"insights.quiz.{key}.attempts")
        update.add(f"insights.quiz.{key}.correct", 1 if properties.get("correct") is True else 0)


def _last_active_at(stored: datetime | str | None, stamped: list[tuple[datetime, StoredEvent]]) -> datetime:
    """The latest instant seen. nx hands a `$set` date back as a naive "YYYY-MM-DD HH:MM:SS" string (UTC)."""
    latest = max(at for at, _ in stamped)
    previous = as_utc_or_none(datetime.fromisoformat(stored) if isinstance(stored, str) else stored)
    return max(latest, previous) if previous is not None else latest


def _streak(state: dict[str, Any], days: Iterable[date]) -> dict[str, Any]:
    """Day-level streak: consecutive calendar days with any event. Days before the last active day
    neither extend nor reset it (late arrivals), nor count as new active days."""
    last = date.fromisoformat(state["last_active_day"]) if state.get("last_active_day") else None
    current, longest = int(state.get("current_streak") or 0), int(state.get("longest_streak") or 0)
    active = int(state.get("active_days") or 0)
    for day in sorted(days):
        if last is not None and day <= last:
            continue
        current = current + 1 if last is not None and day - last == timedelta(days=1) else 1
        active, last, longest = active + 1, day, max(longest, current)
    return {
        "insights.last_active_day": last.isoformat() if last else None, "insights.current_streak": current,
        "insights.longest_streak": longest, "insights.active_days": active,
    }


def _recent_activity(previous: list[dict[str, Any]],
                     stamped: list[tuple[datetime, StoredEvent]]) -> list[dict[str, Any]]:
    """Oldest first, capped: the newest RECENT_ACTIVITY_LIMIT of what was there and what came."""
    candidates = [(at, event) for at, event in stamped if event.type not in ACTIVITY_SKIPPED]
    candidates.sort(key=lambda pair: pair[0])
    fresh = [_activity(at, event).model_dump() for at, event in candidates[-RECENT_ACTIVITY_LIMIT:]]
    merged = [{**item, "at": as_utc_or_none(item["at"])} for item in previous] + fresh
    merged.sort(key=lambda item: item["at"])
    return merged[-RECENT_ACTIVITY_LIMIT:]


def _activity(at: datetime, event: StoredEvent) -> Activity:
    return Activity(type=event.type, at=at, course_id=event.course_id, detail=_detail(event))


def _detail(event: StoredEvent) -> str | None:
    """A short word on what the event was about: the query, the stars, the topic, the skill."""
    properties = event.properties
    for name in ("query", "rating", "topic", "instructor", "skill"):
        if properties.get(name) is not None:
            return str(properties[name])[:200]
    return None


def _instant(event: StoredEvent) -> datetime:
    """When it happened (the client's clock, else the server's), in UTC at MongoDB's millisecond precision."""
    at = as_utc_or_none(event.client_timestamp or event.server_timestamp)
    assert at is not None
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def _growth(at: datetime, half_life_days: float) -> float:
    """The time normalisation of interest weights: stored = weight * 2 ** ((at - epoch) / half_life)."""
    return float(2 ** ((at - INTEREST_EPOCH).total_seconds() / (half_life_days * 86_400)))


@lru_cache(maxsize=4_096)
def _key(label: str) -> str:
    """field_key(label); "" for a blank label, which names nothing (and would be an empty field name)."""
    return field_key(label)
