"""An experiment's outcomes read from the store: every learner's impressions, clicks and dismissals with their days
and courses (one aggregation), the first impression of each recommended course, the enrolments that followed, and
who may be analysed.

The pipeline shapes are pinned against MongoDB in tests/store/test_experiment_aggregates.py. They avoid what the
embedded store (nx-27017) cannot run in SQL: a `$group` key holding a string literal (its parameter is bound once but
used twice) and `$cond` in its array form both fall back to evaluating every event in Python, several times slower.
Grouping by learner and pushing each event's day and kind sends one row per learner; grouping by (day,
learner) sent ten times as many rows and took twice as long (bench/README.md, "Experiment report").
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.core.documents import Enrollment, Event, Purpose, User
from app.core.timestamps import as_utc

IMPRESSION = "recommendation_impression"
CLICK = "recommendation_click"
DISMISS = "recommendation_dismiss"
IMPRESSION_KIND, CLICK_KIND, DISMISS_KIND = 0, 1, 2
DAY_FORMAT = "%Y-%m-%d"
_PAIR_SEPARATOR = "\x1f"  # ids hold no control characters (app/core/identifiers.py)


def exposure_pipeline(experiment_id: str) -> list[dict[str, Any]]:
    """The experiment's impressions, clicks and dismissals per learner: each event's UTC day, its kind (0 an
    impression, 1 a click, 2 a dismissal) and its course, in three aligned arrays, and the learner's variant as its
    lowest and highest name (the same unless the learner was seen in two variants). One scan of the events serves
    every count of the report."""
    day = {"$dateToString": {"format": DAY_FORMAT, "date": "$server_timestamp"}}
    kind = {"$cond": {"if": {"$eq": ["$type", IMPRESSION]}, "then": IMPRESSION_KIND,
                      "else": {"$cond": {"if": {"$eq": ["$type", CLICK]}, "then": CLICK_KIND, "else": DISMISS_KIND}}}}
    return [
        {"$match": {"properties.experiment": experiment_id, "type": {"$in": [IMPRESSION, CLICK, DISMISS]}}},
        {"$group": {"_id": "$user_id", "variant_low": {"$min": "$properties.variant"},
                    "variant_high": {"$max": "$properties.variant"}, "days": {"$push": day},
                    "kinds": {"$push": kind}, "courses": {"$push": "$course_id"}}},
    ]


def first_impressions_pipeline(experiment_id: str) -> list[dict[str, Any]]:
    """The first impression in the experiment of each (learner, course), keyed `user_id \\x1f course_id`."""
    return [
        {"$match": {"properties.experiment": experiment_id, "type": IMPRESSION}},
        {"$project": {"_id": 0, "key": {"$concat": ["$user_id", _PAIR_SEPARATOR, "$course_id"]},
                      "at": "$server_timestamp"}},
        {"$group": {"_id": "$key", "first": {"$min": "$at"}}},
    ]


def credits_pipeline(experiment_id: str) -> list[dict[str, Any]]:
    """The experiment's clicks per learner: each click's variant (in an interleaved list, the item's ranker) and
    UTC day, in two aligned arrays."""
    day = {"$dateToString": {"format": DAY_FORMAT, "date": "$server_timestamp"}}
    return [
        {"$match": {"properties.experiment": experiment_id, "type": CLICK}},
        {"$group": {"_id": "$user_id", "variants": {"$push": "$properties.variant"}, "days": {"$push": day}}},
    ]


async def click_credits(experiment_id: str) -> dict[str, list[tuple[str, str]]]:
    """learner -> (variant, UTC day) of each of their clicks in the experiment."""
    credits: dict[str, list[tuple[str, str]]] = {}
    rows = await Event.get_pymongo_collection().aggregate(credits_pipeline(experiment_id), batchSize=10_000)
    async for row in rows:
        variants, days = row.get("variants") or [], row.get("days") or []
        if isinstance(row["_id"], str) and len(variants) == len(days):
            credits[row["_id"]] = [(str(v), str(d)) for v, d in zip(variants, days, strict=True)
                                   if isinstance(v, str)]
    return credits


@dataclass(frozen=True)
class LearnerEvents:
    """One learner's impressions, clicks and dismissals in an experiment: the variants their events named, and per
    event its UTC day (ISO), its kind (IMPRESSION_KIND, CLICK_KIND, DISMISS_KIND) and its course."""

    variants: frozenset[str]
    days: list[str]
    kinds: list[int]
    courses: list[str]

    @property
    def click_count(self) -> int:
        return self.kinds.count(CLICK_KIND)

    @property
    def impression_count(self) -> int:
        return self.kinds.count(IMPRESSION_KIND)

    @property
    def dismissal_count(self) -> int:
        return self.kinds.count(DISMISS_KIND)


async def exposures(experiment_id: str) -> dict[str, LearnerEvents]:
    """Every learner's impressions, clicks and dismissals in the experiment."""
    learners: dict[str, LearnerEvents] = {}
    rows = await Event.get_pymongo_collection().aggregate(exposure_pipeline(experiment_id), batchSize=10_000)
    async for row in rows:
        days, kinds, courses = row.get("days") or [], row.get("kinds") or [], row.get("courses") or []
        if not isinstance(row["_id"], str) or not len(days) == len(kinds) == len(courses):
            continue  # an event without a user: nothing to attribute
        variants = frozenset(v for v in (row.get("variant_low"), row.get("variant_high")) if isinstance(v, str))
        learners[row["_id"]] = LearnerEvents(variants, days, kinds, courses)  # strings and integers, as pinned
    return learners


async def first_impressions(experiment_id: str) -> dict[tuple[str, str], datetime]:
    """(learner, course) -> when the course was first shown to the learner in the experiment."""
    firsts: dict[tuple[str, str], datetime] = {}
    rows = await Event.get_pymongo_collection().aggregate(first_impressions_pipeline(experiment_id),
                                                          batchSize=10_000)
    async for row in rows:
        user_id, separator, course_id = str(row["_id"]).partition(_PAIR_SEPARATOR)
        at = stored_date(row.get("first"))
        if separator and course_id and at is not None:
            firsts[(user_id, course_id)] = at
    return firsts


def stored_date(value: Any) -> datetime | None:
    """A date read back from an aggregate: a date, or (the embedded store's `$min`) its extended JSON string."""
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, str):
        try:
            text = json.loads(value).get("$date") if value.startswith("{") else value
            return as_utc(datetime.fromisoformat(str(text).replace("Z", "+00:00")))
        except (ValueError, AttributeError):
            return None
    return None


@dataclass(frozen=True)
class Uptake:
    """When a learner enrolled in a course and, if they did, completed it."""

    enrolled_at: datetime
    completed_at: datetime | None


async def uptakes(since: datetime) -> dict[tuple[str, str], Uptake]:
    """(learner, course) -> the enrolment started at or after `since`."""
    found: dict[tuple[str, str], Uptake] = {}
    fields = {"user_id": 1, "course_id": 1, "started_at": 1, "completed_at": 1, "_id": 0}
    async for row in Enrollment.get_pymongo_collection().find({"started_at": {"$gte": since}}, fields):
        enrolled = stored_date(row.get("started_at"))
        if enrolled is not None and enrolled >= since:
            found[(row["user_id"], row["course_id"])] = Uptake(enrolled, stored_date(row.get("completed_at")))
    return found


async def analysable(user_ids: Iterable[str], defaults: set[Purpose]) -> set[str]:
    """The learners whose outcomes may be analysed: those who grant `analytics` now, stated or by default. One
    query for the learners who decided otherwise than the default (a learner without a document has the
    defaults)."""
    granted_by_default = Purpose.ANALYTICS in defaults
    other_choice = {f"consents.{Purpose.ANALYTICS.value}": not granted_by_default}
    deciders = {row["_id"] async for row in User.get_pymongo_collection().find(other_choice, {"_id": 1})}
    if granted_by_default:
        return {user_id for user_id in user_ids if user_id not in deciders}
    return {user_id for user_id in user_ids if user_id in deciders}


def within(first: datetime, at: datetime | None, days: int) -> bool:
    """Whether `at` falls in the `days` days after `first` (inclusive of both ends)."""
    return at is not None and first <= at <= first + timedelta(days=days)
