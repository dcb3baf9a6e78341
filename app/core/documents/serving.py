"""What the servers served, counted without any learner in it: per UTC day, strategy and experiment arm the answers,
fallbacks and latency (`ServedTally`), and per day and strategy how often each course was in an answer
(`ServedCourse`). Servers count in memory and add their counts with `$inc` upserts every few seconds
(`resolvers.recommendations.tallies`); several servers add to the same documents."""

import pymongo
from beanie import Document
from pydantic import Field
from pymongo import IndexModel

LATENCY_BOUNDS_MS = (5, 10, 25, 50, 100, 250, 500, 1_000, 2_500)
"""Upper bounds (ms) of the latency histogram's buckets; one more bucket counts everything slower."""


class ServedTally(Document):
    """`_id` = `"{day}|{strategy}|{experiment}|{variant}"` (empty experiment and variant outside experiments)."""

    id: str  # type: ignore[assignment]
    day: str  # UTC, YYYY-MM-DD
    strategy: str  # the strategy that answered (the variant's, for an experiment's answer)
    experiment: str = ""
    variant: str = ""
    answers: int = 0
    cached: int = 0  # answered from the cache
    fallbacks: int = 0  # the asked recommender failed, was late or had nothing: `popular` answered
    latency_ms_sum: float = 0.0
    latency_buckets: list[int] = Field(default_factory=lambda: [0] * (len(LATENCY_BOUNDS_MS) + 1))

    class Settings:
        name = "served_tallies"
        indexes = [IndexModel([("experiment", pymongo.ASCENDING), ("day", pymongo.ASCENDING)],
                              name="served_tally_experiment_day"),
                   IndexModel([("day", pymongo.ASCENDING)], name="served_tally_day")]


class ServedCourse(Document):
    """`_id` = `"{day}|{strategy}|{course_id}"`: `answers`: how many answers of `strategy` on `day` held the course."""

    id: str  # type: ignore[assignment]
    day: str
    strategy: str
    course_id: str
    answers: int = 0

    class Settings:
        name = "served_courses"
        indexes = [IndexModel([("strategy", pymongo.ASCENDING), ("day", pymongo.ASCENDING)],
                              name="served_course_strategy_day")]
