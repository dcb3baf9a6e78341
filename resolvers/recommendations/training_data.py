"""Training data for the recommenders, read from the store: the catalog as `Item`s, every learner's positive
signals as `Interaction`s (weights from `resolvers.recommendations.learners`), and learners' segments."""

import math
from collections.abc import Callable
from datetime import datetime

from app.core.documents import Course, Enrollment, Event, Purpose, Rating, User
from app.core.encryption.sealed_fields import iterate_opened
from recommenders.base import Interaction, Item, TrainingData
from resolvers.courses.snapshot import item_of
from resolvers.recommendations.learners import (
    EVENT_WEIGHTS,
    enrollment_signal,
    interests_of,
    personalizable,
    rating_signal,
    segments_of,
)

Progress = Callable[[str], None]
EVENT_TYPES = [kind for kind in EVENT_WEIGHTS if kind not in ("enroll", "complete")]  # those come from enrolments


async def catalog_items() -> dict[str, Item]:
    return {course.id: item_of(course) for course in await Course.find_all().to_list()}


async def event_signals() -> list[Interaction]:
    """Course events grouped per learner, course and type: weight grows with repeats (log), capped at 2×.
    Grouped here while streaming rather than with `$group` on a compound key, which the embedded store
    does not evaluate (tests/store/test_aggregates.py)."""
    groups: dict[tuple[str, str, str], tuple[int, datetime | None]] = {}
    query = {"type": {"$in": EVENT_TYPES}, "course_id": {"$ne": None}}
    fields = {"user_id": 1, "course_id": 1, "type": 1, "server_timestamp": 1, "_id": 0}
    async for row in Event.get_pymongo_collection().find(query, fields):
        if not row.get("course_id"):
            continue  # the embedded store's `$ne: null` also matches a missing field
        key = (row["user_id"], row["course_id"], row["type"])
        count, latest = groups.get(key, (0, None))
        at = row.get("server_timestamp") if isinstance(row.get("server_timestamp"), datetime) else None
        groups[key] = (count + 1, max(latest, at) if latest and at else latest or at)
    return [Interaction(user, course, EVENT_WEIGHTS[kind] * min(2.0, 1.0 + 0.5 * math.log(count)), at, kind)
            for (user, course, kind), (count, at) in groups.items()]


async def interactions() -> list[Interaction]:
    """Every positive signal: enrolments, ratings, course events."""
    signals = [s for s in map(enrollment_signal, await Enrollment.find_all().to_list()) if s is not None]
    signals += await rating_signals()
    return signals + await event_signals()


async def rating_signals() -> list[Interaction]:
    """Ratings as signals, read without their sealed review (a signal needs no data key)."""
    fields = {"user_id": 1, "course_id": 1, "rating": 1, "updated_at": 1}
    rows = await Rating.get_pymongo_collection().find({}, fields).to_list()
    return [s for s in (rating_signal(Rating.model_validate(row)) for row in rows) if s is not None]


async def learner_segments(now: datetime, half_life_days: float, defaults: set[Purpose]) -> dict[str, dict[str, str]]:
    """Segments of the learners who allow personalization."""
    segments = {}
    async for user in iterate_opened(User, {}):  # job titles are sealed: opened a page at a time
        if personalizable(user, defaults):
            segments[user.id] = segments_of(user, interests_of(user, now, half_life_days))
    return segments


async def training_data(now: datetime, half_life_days: float, defaults: set[Purpose],
                        progress: Progress | None = None) -> TrainingData:
    """Everything the recommenders are fitted on, as of now."""
    note = progress or (lambda _: None)
    note("catalog")
    items = await catalog_items()
    note("interactions")
    signals = await interactions()
    note("segments")
    return TrainingData(items, signals, await learner_segments(now, half_life_days, defaults))
