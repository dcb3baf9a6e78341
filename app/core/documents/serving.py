"""What the servers served, counted without any learner in it: per UTC day, strategy and experiment arm the answers,
fallbacks and latency (`ServedTally`), and per day and strategy how often each course was in an answer
(`ServedCourse`). Servers count in memory and add their counts with `$inc` upserts every few seconds
(`resolvers.recommendations.tallies`); several servers add to the same documents."""

from datetime import datetime

import pymongo
from beanie import Document
from pydantic import ConfigDict
from pymongo import IndexModel

LATENCY_BOUNDS_MS = (5, 10, 25, 50, 100, 250, 500, 1_000, 2_500)
"""Upper bounds (ms) of the latency histogram's buckets, top-level fields `latency_le5`, ..., `latency_inf` for
everything slower. Top-level: an upsert that inserts with `$inc` on a dotted path makes a literal dotted key on the
embedded store (tests/store/test_upserts.py), so the counters are never nested."""


def latency_bucket(milliseconds: float) -> str:
    """The histogram field an answer that took `milliseconds` falls in."""
    return next((f"latency_le{bound}" for bound in LATENCY_BOUNDS_MS if milliseconds <= bound), "latency_inf")


def latency_keys() -> list[str]:
    """Every histogram field, fastest first."""
    return [*(f"latency_le{bound}" for bound in LATENCY_BOUNDS_MS), "latency_inf"]


class ServedTally(Document):
    """`_id` = `"{strategy}|{day}|{experiment}|{variant}"` (empty experiment and variant outside experiments); the
    histogram's `latency_keys()` fields are extra fields (`latency()`)."""

    model_config = ConfigDict(extra="allow")

    id: str  # type: ignore[assignment]
    day: str  # UTC, YYYY-MM-DD
    strategy: str  # the strategy that answered (the variant's, for an experiment's answer)
    experiment: str = ""
    variant: str = ""
    answers: int = 0
    cached: int = 0  # answered from the cache
    fallbacks: int = 0  # the asked recommender failed, was late or had nothing: `popular` answered
    latency_ms_sum: float = 0.0

    def latency(self) -> dict[str, int]:
        """The latency histogram: `latency_bucket` field -> answers (absent buckets left out)."""
        extra = self.model_extra or {}
        return {key: int(extra[key]) for key in latency_keys() if key in extra}

    class Settings:
        name = "served_tallies"
        indexes = [IndexModel([("experiment", pymongo.ASCENDING), ("day", pymongo.ASCENDING)],
                              name="served_tally_experiment_day"),
                   IndexModel([("day", pymongo.ASCENDING)], name="served_tally_day")]


class ServedCourse(Document):
    """`_id` = `"{strategy}|{day}|{course_id}"`: `answers`: how many answers of `strategy` on `day` held the course."""

    id: str  # type: ignore[assignment]
    day: str
    strategy: str
    course_id: str
    answers: int = 0

    class Settings:
        name = "served_courses"
        indexes = [IndexModel([("strategy", pymongo.ASCENDING), ("day", pymongo.ASCENDING)],
                              name="served_course_strategy_day")]


class LearnerChange(Document):
    """One server process's report that learners' data changed, for the other processes to drop what they hold of
    them (`resolvers.change_feed`). `at` is the writer's clock in epoch seconds, a number (the embedded store
    compares dates only to the second); reports expire after `CHANGE_TTL_SECONDS`."""

    id: str  # type: ignore[assignment]
    process: str  # the writing process's random id
    learners: list[str]  # pseudonyms: keyed hashes of the learners' ids, never the ids
    at: float
    expires_at: datetime

    class Settings:
        name = "learner_changes"
        indexes = [IndexModel([("at", pymongo.ASCENDING)], name="learner_change_at"),
                   IndexModel([("expires_at", pymongo.ASCENDING)], name="learner_change_ttl", expireAfterSeconds=0)]


CHANGE_TTL_SECONDS = 3_600
