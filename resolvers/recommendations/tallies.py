"""What this server served, counted in memory and added to the store every few seconds: per UTC day, strategy and
experiment arm the answers, cached answers, fallbacks and latency (`ServedTally`), and per day and strategy how
often each course was in an answer (`ServedCourse`). No learner id is kept.

Counting costs a few dictionary updates per answer; `flush` sends unordered bulk writes of `$inc` upserts, so
several servers add to the same documents and a lost flush loses only its own counts (they are put back and sent
with the next one when the store did not answer). The course counts go in writes of at most
`COURSE_UPDATES_PER_WRITE` upserts, one after another: a busy server serves hundreds of (day, strategy, course)
keys in 10 s (~600 under bench/serving.py's load), and on the embedded store their single write held every other
command, the learners' requests included, for ~90 ms (bench/README.md, ninth session, "The store's stalls").
"""

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pymongo import UpdateOne
from pymongo.errors import PyMongoError

from app.core.documents import ServedCourse, ServedTally, latency_bucket

log = logging.getLogger("pathwise.recommendations")
FLUSH_SECONDS = 10.0
COURSE_UPDATES_PER_WRITE = 20
_SEPARATOR = "|"  # ids start with the strategy: one starting with a date is not found by `_id` on the embedded
# store (tests/store/test_string_ids.py)


@dataclass(frozen=True)
class Served:
    """One answer, as counted: who answered it (and under which experiment arm) and what it held."""

    strategy: str
    experiment: str | None
    variant: str | None
    fallback: bool
    cached: bool
    milliseconds: float
    courses: tuple[tuple[str, str], ...]  # (strategy that placed it, course id)


@dataclass
class _Arm:
    answers: int = 0
    cached: int = 0
    fallbacks: int = 0
    latency_ms_sum: float = 0.0
    buckets: Counter[str] = field(default_factory=Counter)

    def add(self, other: "_Arm") -> None:
        self.answers += other.answers
        self.cached += other.cached
        self.fallbacks += other.fallbacks
        self.latency_ms_sum += other.latency_ms_sum
        self.buckets.update(other.buckets)


ArmKey = tuple[str, str, str, str]  # day, strategy, experiment, variant
CourseKey = tuple[str, str, str]  # day, strategy, course id


class ServingTallies:
    """This process's counts since the last flush."""

    def __init__(self) -> None:
        self._arms: dict[ArmKey, _Arm] = {}
        self._courses: Counter[CourseKey] = Counter()

    def record(self, served: Served, at: datetime) -> None:
        day = at.date().isoformat()
        key = (day, served.strategy, served.experiment or "", served.variant or "")
        arm = self._arms.get(key)
        if arm is None:
            arm = self._arms[key] = _Arm()
        arm.answers += 1
        arm.cached += served.cached
        arm.fallbacks += served.fallback
        arm.latency_ms_sum += served.milliseconds
        arm.buckets[latency_bucket(served.milliseconds)] += 1
        self._courses.update((day, strategy, course) for strategy, course in served.courses)

    @property
    def pending(self) -> int:
        """Answers counted and not yet sent."""
        return sum(arm.answers for arm in self._arms.values())

    async def flush(self) -> int:
        """Add the counts to the store; how many answers they covered. When the store does not answer the counts
        are kept for the next flush."""
        arms, courses = self._arms, self._courses
        if not arms and not courses:
            return 0
        self._arms, self._courses = {}, Counter()
        try:
            if arms:
                await ServedTally.get_pymongo_collection().bulk_write(list(_arm_updates(arms.items())), ordered=False)
        except PyMongoError as error:
            log.warning("serving counts not written (%s): kept for the next flush", type(error).__name__)
            self._merge_back(arms, courses)
            return 0
        await self._flush_courses(list(courses.items()))
        return sum(arm.answers for arm in arms.values())

    async def _flush_courses(self, courses: list[tuple[CourseKey, int]]) -> None:
        """The course counts, `COURSE_UPDATES_PER_WRITE` at a time; from a write the store did not take on, they
        are kept for the next flush."""
        for start in range(0, len(courses), COURSE_UPDATES_PER_WRITE):
            part = courses[start:start + COURSE_UPDATES_PER_WRITE]
            try:
                await ServedCourse.get_pymongo_collection().bulk_write(list(_course_updates(part)), ordered=False)
            except PyMongoError as error:
                log.warning("course counts not written (%s): kept for the next flush", type(error).__name__)
                self._merge_back({}, Counter(dict(courses[start:])))
                return

    def _merge_back(self, arms: dict[ArmKey, _Arm], courses: Counter[CourseKey]) -> None:
        """Put counts that could not be sent back (a retry may double-count a partly applied unordered write:
        counts are statistics, not money)."""
        for key, arm in arms.items():
            self._arms.setdefault(key, _Arm()).add(arm)
        self._courses.update(courses)


def _arm_updates(arms: Iterable[tuple[ArmKey, _Arm]]) -> Iterable[UpdateOne]:
    for (day, strategy, experiment, variant), arm in arms:
        increments: dict[str, float] = {"answers": arm.answers, "cached": arm.cached, "fallbacks": arm.fallbacks,
                                        "latency_ms_sum": arm.latency_ms_sum}
        increments |= dict(arm.buckets)
        yield UpdateOne({"_id": _SEPARATOR.join((strategy, day, experiment, variant))},
                        {"$inc": increments, "$setOnInsert": {"day": day, "strategy": strategy,
                                                              "experiment": experiment, "variant": variant}},
                        upsert=True)


def _course_updates(courses: Iterable[tuple[CourseKey, int]]) -> Iterable[UpdateOne]:
    for (day, strategy, course), count in courses:
        yield UpdateOne({"_id": _SEPARATOR.join((strategy, day, course))},
                        {"$inc": {"answers": count},
                         "$setOnInsert": {"day": day, "strategy": strategy, "course_id": course}}, upsert=True)
