"""What each recommender serves most (popularity bias), from the servers' counts (`ServedCourse`: per UTC day,
strategy and course, how many answers held the course; `ServedTally`: answers per day and strategy). No learner is
in these counts, so nothing is suppressed.

Per strategy over the last `days` UTC days (today included):
- answers: its answers (`ServedTally.answers` summed);
- servings: course placements, `ServedCourse.answers` summed over its courses; a course's share is its servings /
  the strategy's servings;
- coverage: published courses served at least once / published courses;
- gini: the Gini coefficient of servings over the published catalog (unserved courses count 0): 0 when every
  course is served alike, 1 - 1/n when one course of n gets everything;
- popularity lift: the mean enrolment count (all `Enrollment` documents of a course) of the published courses
  served, weighted by servings, / the mean enrolment count of the published catalog; above 1 the strategy favours
  popular courses.

Three aggregations (servings per strategy and course after a `$project` of a separated key, answers per strategy,
enrolments per course) and one read of the published course ids; shapes pinned in
tests/store/test_analytics_aggregates.py.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.core.documents import Course, Enrollment, ServedCourse, ServedTally
from app.core.timestamps import as_utc
from resolvers.analytics.disclosure import ratio
from resolvers.analytics.limits import MAX_DAYS, MAX_FIRST, within

_SEPARATOR = "\x1f"  # strategy names are identifiers, without control characters


@dataclass(frozen=True)
class ServedShare:
    """A course a strategy served: its servings and their share of the strategy's."""

    course_id: str
    title: str | None  # None when the course is not published (or no longer in the catalog)
    servings: int
    share: float


@dataclass(frozen=True)
class StrategyPopularity:
    """What one strategy served over the window (see the module's definitions)."""

    strategy: str
    answers: int
    servings: int
    courses_served: int
    coverage: float | None
    gini: float | None
    popularity_lift: float | None
    top_courses: tuple[ServedShare, ...]


def servings_pipeline(first_day: str, last_day: str) -> list[dict[str, Any]]:
    """Servings per `strategy \\x1f course` between two UTC days (ISO, inclusive)."""
    return [{"$match": {"day": {"$gte": first_day, "$lte": last_day}}},
            {"$project": {"_id": 0, "key": {"$concat": ["$strategy", _SEPARATOR, "$course_id"]},
                          "answers": 1}},
            {"$group": {"_id": "$key", "servings": {"$sum": "$answers"}}}]


def answers_pipeline(first_day: str, last_day: str) -> list[dict[str, Any]]:
    """Answers per strategy between two UTC days (ISO, inclusive), experiment arms included."""
    return [{"$match": {"day": {"$gte": first_day, "$lte": last_day}}},
            {"$group": {"_id": "$strategy", "answers": {"$sum": "$answers"}}}]


def enrolments_pipeline() -> list[dict[str, Any]]:
    """Enrolments per course, whatever their status."""
    return [{"$group": {"_id": "$course_id", "enrolments": {"$sum": 1}}}]


def gini(values: NDArray[np.float64]) -> float | None:
    """The Gini coefficient of non-negative `values`; None when there are none or they sum to 0."""
    total = float(values.sum())
    if values.size == 0 or total <= 0:
        return None
    ranks = np.arange(1, values.size + 1, dtype=np.float64)
    return float(2.0 * (ranks * np.sort(values)).sum() / (values.size * total) - (values.size + 1) / values.size)


def popularity_lift(servings: NDArray[np.float64], popularity: NDArray[np.float64]) -> float | None:
    """Servings-weighted mean popularity / mean popularity, over the same courses; None when either is 0."""
    if servings.sum() <= 0:
        return None
    return ratio(float((servings * popularity).sum() / servings.sum()), float(popularity.mean()))


async def _servings(first_day: str, last_day: str) -> dict[str, dict[str, int]]:
    """strategy -> course -> servings."""
    found: dict[str, dict[str, int]] = {}
    rows = await ServedCourse.get_pymongo_collection().aggregate(servings_pipeline(first_day, last_day))
    async for row in rows:
        strategy, separator, course = str(row["_id"] or "").partition(_SEPARATOR)
        if separator and course and int(row["servings"]) > 0:
            found.setdefault(strategy, {})[course] = int(row["servings"])
    return found


async def _grouped(collection: Any, pipeline: list[dict[str, Any]], field: str) -> dict[str, int]:
    return {row["_id"]: int(row[field]) async for row in await collection.aggregate(pipeline)
            if isinstance(row["_id"], str)}


def strategy_popularity(strategy: str, served: dict[str, int], answers: int, catalog: list[str],
                        popularity: dict[str, int], titles: dict[str, str], first: int) -> StrategyPopularity:
    """One strategy's numbers from its servings per course."""
    total = sum(served.values())
    on_catalog = np.array([served.get(course, 0) for course in catalog], dtype=np.float64)
    catalog_popularity = np.array([popularity.get(course, 0) for course in catalog], dtype=np.float64)
    top = sorted(served.items(), key=lambda pair: (-pair[1], pair[0]))[:first]
    return StrategyPopularity(
        strategy=strategy, answers=answers, servings=total, courses_served=len(served),
        coverage=ratio(float((on_catalog > 0).sum()), len(catalog)), gini=gini(on_catalog),
        popularity_lift=popularity_lift(on_catalog, catalog_popularity),
        top_courses=tuple(ServedShare(course, titles.get(course), n, n / total) for course, n in top),
    )


async def recommender_popularity(days: int, first: int, now: datetime) -> list[StrategyPopularity]:
    """Per strategy served in the last `days` UTC days up to `now`'s, most servings first: its numbers and its
    `first` courses served most."""
    within("days", days, 1, MAX_DAYS)
    within("first", first, 1, MAX_FIRST)
    last_day = as_utc(now).date()
    first_day, last = (last_day - timedelta(days=days - 1)).isoformat(), last_day.isoformat()
    servings = await _servings(first_day, last)
    answers = await _grouped(ServedTally.get_pymongo_collection(), answers_pipeline(first_day, last), "answers")
    popularity = await _grouped(Enrollment.get_pymongo_collection(), enrolments_pipeline(), "enrolments")
    titles = {row["_id"]: str(row.get("title") or "") async for row in Course.get_pymongo_collection().find(
        {"published": True}, {"title": 1})}
    catalog = sorted(titles)
    strategies = sorted(set(servings) | set(answers), key=lambda s: (-sum(servings.get(s, {}).values()), s))
    return [strategy_popularity(s, servings.get(s, {}), answers.get(s, 0), catalog, popularity, titles, first)
            for s in strategies]
