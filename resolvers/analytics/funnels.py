"""Course funnels: how many learners viewed a course, enrolled, reached 25%, 50% and 75% progress, and completed it.

Each stage counts the learners who reached at least that stage, so the funnel never widens: an enrolment implies
the course was seen, so a learner enrolled without a recorded view (`course_view`, or a `recommendation_click` on
the course) counts as having viewed it. A learner's progress is the highest `Enrollment.progress` of the course;
a completed enrolment (`completed_at` set or status `completed`) reaches every milestone.

With `since`, the learners counted are those who viewed the course or enrolled in it at or after `since`; each
counts with their enrolment whenever it started (an earlier enrolment is still an enrolment).

Two aggregations per query, shapes pinned in tests/store/test_analytics_aggregates.py: the distinct viewers per
course (`$addToSet`), and per course the enrolled learners with their progress, completion and start, in aligned
`$push` arrays.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import numpy as np

from app.core.documents import Course, Enrollment, EnrollmentStatus, Event
from app.core.settings import Settings
from resolvers.analytics.disclosure import counted_learners, ratio, small
from resolvers.analytics.limits import MAX_FIRST, utc_since, within
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.experiments.outcomes import stored_date

VIEW_TYPES = ("course_view", "recommendation_click")
MILESTONES = (0.25, 0.5, 0.75)


class FunnelStage(StrEnum):
    """The stages in order; a learner's level is the index of the last stage they reached."""

    VIEWED = "viewed"
    ENROLLED = "enrolled"
    PROGRESS_25 = "progress_25"
    PROGRESS_50 = "progress_50"
    PROGRESS_75 = "progress_75"
    COMPLETED = "completed"


STAGES = tuple(FunnelStage)
COMPLETED_LEVEL = len(STAGES) - 1


@dataclass(frozen=True)
class StageResult:
    """One stage of a funnel; every number is None when `suppressed` (fewer learners than the minimum group)."""

    stage: FunnelStage
    suppressed: bool
    learners: int | None
    share_of_previous: float | None  # learners / the previous stage's learners (1 for the first stage)
    share_of_first: float | None  # learners / the first stage's learners
    drop_off: int | None  # the previous stage's learners who did not reach this one (None for the first stage)


@dataclass(frozen=True)
class CourseFunnel:
    """A course's funnel over the learners counted."""

    course_id: str
    title: str
    since: datetime | None
    stages: tuple[StageResult, ...]

    @property
    def learners(self) -> int | None:
        return self.stages[0].learners


def viewers_pipeline(course_ids: Sequence[str] | None, since: datetime | None) -> list[dict[str, Any]]:
    """The distinct learners who viewed each course (a `course_view` or a `recommendation_click`) since `since`.
    The date bound is written in `$and`: the embedded store ignores it otherwise (and then evaluates the match in
    Python, which is why it is only written when there is one)."""
    match: dict[str, Any] = {"type": {"$in": list(VIEW_TYPES)}}
    if course_ids is not None:
        match["course_id"] = {"$in": list(course_ids)}
    if since is not None:
        match = {"$and": [match, {"server_timestamp": {"$gte": since}}]}
    return [{"$match": match}, {"$group": {"_id": "$course_id", "users": {"$addToSet": "$user_id"}}}]


def enrolments_pipeline(course_ids: Sequence[str] | None) -> list[dict[str, Any]]:
    """Per course its enrolled learners, each enrolment's progress, a 1/0 completion flag and its start, in aligned
    arrays. (The embedded store cannot compare dates inside an expression, so the start is compared in Python.)"""
    completed_at = {"$ifNull": ["$completed_at", None]}
    done = {"$cond": {"if": {"$or": [{"$eq": ["$status", EnrollmentStatus.COMPLETED.value]},
                                     {"$ne": [completed_at, None]}]}, "then": 1, "else": 0}}
    group = {"_id": "$course_id", "users": {"$push": "$user_id"}, "progress": {"$push": "$progress"},
             "done": {"$push": done}, "started": {"$push": "$started_at"}}
    return ([] if course_ids is None else [{"$match": {"course_id": {"$in": list(course_ids)}}}]) + [
        {"$group": group}]


Levels = dict[str, int]  # learner -> the index of the last stage reached


def enrolment_levels(progress: Sequence[float], done: Sequence[int]) -> list[int]:
    """Each enrolment's level: ENROLLED plus one per milestone reached; COMPLETED when completed."""
    values = np.fromiter((float(value or 0.0) for value in progress), dtype=np.float64, count=len(progress))
    reached = values[:, None] >= np.asarray(MILESTONES)[None, :]
    levels = 1 + reached.sum(axis=1)
    levels[np.asarray(done, dtype=bool)] = COMPLETED_LEVEL
    return [int(level) for level in levels]


async def course_levels(course_ids: Sequence[str] | None, since: datetime | None) -> dict[str, Levels]:
    """course -> learner -> level, over the learners who viewed or enrolled since `since` (all with no `since`)."""
    by_course: dict[str, Levels] = {}
    views = await Event.get_pymongo_collection().aggregate(viewers_pipeline(course_ids, since), batchSize=1_000)
    async for row in views:
        if isinstance(row["_id"], str):  # a view without a course names none
            by_course[row["_id"]] = {user: 0 for user in row.get("users") or [] if isinstance(user, str)}
    enrolments = await Enrollment.get_pymongo_collection().aggregate(enrolments_pipeline(course_ids),
                                                                     batchSize=1_000)
    async for row in enrolments:
        users, progress, done = row.get("users") or [], row.get("progress") or [], row.get("done") or []
        started = [stored_date(value) for value in row.get("started") or []]
        if not isinstance(row["_id"], str) or not len(users) == len(progress) == len(done) == len(started):
            continue  # an enrolment without a course: nothing to count
        levels = by_course.setdefault(row["_id"], {})
        for user, level, at in zip(users, enrolment_levels(progress, done), started, strict=True):
            if user in levels or since is None or (at is not None and at >= since):
                levels[user] = max(levels.get(user, 0), level)
    return by_course


def stage_counts(levels: Sequence[int]) -> list[int]:
    """How many learners reached at least each stage."""
    counts = np.bincount(np.asarray(levels, dtype=np.intp), minlength=len(STAGES))[: len(STAGES)]
    return [int(n) for n in np.cumsum(counts[::-1])[::-1]]


def funnel_stages(counts: Sequence[int], settings: Settings) -> tuple[StageResult, ...]:
    """The stages from their counts, each under `analytics_min_group` learners suppressed."""
    stages = []
    for index, stage in enumerate(STAGES):
        count, previous, first = counts[index], counts[max(index - 1, 0)], counts[0]
        if small(count, settings):
            stages.append(StageResult(stage, True, None, None, None, None))
            continue
        stages.append(StageResult(stage, False, count, ratio(count, previous), ratio(count, first),
                                  None if index == 0 else previous - count))
    return tuple(stages)


async def course_funnel(course_id: str, since: datetime | None, settings: Settings) -> CourseFunnel:
    """The funnel of course `course_id`; NOT_FOUND when the catalog has no such course."""
    course = await Course.get_pymongo_collection().find_one({"_id": course_id}, {"title": 1})
    if course is None:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"no course {course_id!r}")
    since = utc_since(since)
    levels = (await course_levels([course_id], since)).get(course_id, {})
    counted = await counted_learners(levels, settings)
    counts = stage_counts([level for user, level in levels.items() if user in counted])
    return CourseFunnel(course_id, str(course.get("title") or ""), since, funnel_stages(counts, settings))


async def course_funnels(first: int, since: datetime | None, settings: Settings) -> list[CourseFunnel]:
    """The funnels of the `first` catalog courses with the most learners counted (viewed or enrolled), most first,
    then by id. Courses whose first stage is suppressed are left out."""
    within("first", first, 1, MAX_FIRST)
    since = utc_since(since)
    by_course = await course_levels(None, since)
    counted = await counted_learners({user for levels in by_course.values() for user in levels}, settings)
    counts = {course: stage_counts([level for user, level in levels.items() if user in counted])
              for course, levels in by_course.items()}
    shown = {course: n for course, n in counts.items() if not small(n[0], settings)}
    titles = {row["_id"]: str(row.get("title") or "") async for row in Course.get_pymongo_collection().find(
        {"_id": {"$in": list(shown)}}, {"title": 1})}
    ranked = sorted(titles, key=lambda course: (-shown[course][0], course))[:first]
    return [CourseFunnel(course, titles[course], since, funnel_stages(shown[course], settings)) for course in ranked]
