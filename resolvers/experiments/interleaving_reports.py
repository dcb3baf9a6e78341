"""The result of an interleaving experiment: credit per learner for each ranker, the learner-level preference test
(`preference.preference`) and its course day by day.

Credit: each `recommendation_click` tagged with the experiment credits the variant it names (the item's ranker in
the interleaved list). When the experiment names ENROLMENT (primary metric or guardrail), each recommended course
enrolled in within 7 days of its first impression in the experiment also credits the ranker that placed it at that
first impression. Only counted learners (analytics granted, an impression in the experiment) take part.
"""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from app.core.documents import Event, Experiment, ExperimentMetric
from app.core.timestamps import as_utc
from resolvers.experiments import outcomes
from resolvers.experiments.outcomes import IMPRESSION
from resolvers.experiments.preference import Preference, preference

ENROLMENT_WINDOW_DAYS = 7
_SEPARATOR = "\x1f"
_ISO_MS = "%Y-%m-%dT%H:%M:%S.%LZ"


@dataclass(frozen=True)
class PreferencePoint:
    """The preference over everything up to the end of `day` (UTC)."""

    day: date
    preference: Preference


@dataclass(frozen=True)
class InterleavingResult:
    """Ranker A (the control) against ranker B: their credit and the learners' preference."""

    control: str
    treatment: str
    credit: str  # what earns credit: "clicks" or "clicks and enrolments"
    credit_control: int
    credit_treatment: int
    preference: Preference
    daily: tuple[PreferencePoint, ...]


def first_placements_pipeline(experiment_id: str) -> list[dict[str, Any]]:
    """The first impression of each (learner, course) in the experiment with the ranker that placed it: keyed
    `user_id \\x1f course_id`, `first` = `<ISO time with ms> \\x1f <variant>` (the earliest sorts first)."""
    stamp = {"$dateToString": {"format": _ISO_MS, "date": "$server_timestamp"}}
    return [
        {"$match": {"properties.experiment": experiment_id, "type": IMPRESSION}},
        {"$project": {"_id": 0, "key": {"$concat": ["$user_id", _SEPARATOR, "$course_id"]},
                      "placed": {"$concat": [stamp, _SEPARATOR, "$properties.variant"]}}},
        {"$group": {"_id": "$key", "first": {"$min": "$placed"}}},
    ]


async def interleaving_result(experiment: Experiment, counted: Collection[str], now: datetime) -> InterleavingResult:
    """The preference between the experiment's two variants over the `counted` learners."""
    control, treatment = (variant.name for variant in experiment.variants[:2])
    credits = await _credits(experiment, set(counted))
    with_enrolments = ExperimentMetric.ENROLMENT in (experiment.primary_metric, *experiment.guardrails)
    days = _days(experiment, now)
    learners = sorted(credits)
    a, b = _cumulative(learners, credits, days, control, treatment)
    daily = tuple(PreferencePoint(day, preference(a[n], b[n])) for n, day in enumerate(days))
    return InterleavingResult(control, treatment, "clicks and enrolments" if with_enrolments else "clicks",
                              int(a[-1].sum()) if days else 0, int(b[-1].sum()) if days else 0,
                              preference(a[-1], b[-1]) if days else preference([], []), daily)


async def _credits(experiment: Experiment, counted: set[str]) -> dict[str, list[tuple[str, str]]]:
    """learner -> (variant credited, UTC day) for each click and, if named, each enrolment."""
    credits: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for user, clicks in (await outcomes.click_credits(experiment.id)).items():
        if user in counted:
            credits[user].extend(clicks)
    if ExperimentMetric.ENROLMENT in (experiment.primary_metric, *experiment.guardrails):
        for user, credit in await _enrolment_credits(experiment, counted):
            credits[user].append(credit)
    return credits


async def _enrolment_credits(experiment: Experiment, counted: set[str]) -> list[tuple[str, tuple[str, str]]]:
    placements: dict[tuple[str, str], tuple[datetime, str]] = {}
    rows = await Event.get_pymongo_collection().aggregate(first_placements_pipeline(experiment.id), batchSize=10_000)
    async for row in rows:
        user, _, course = str(row["_id"]).partition(_SEPARATOR)
        stamp, _, variant = str(row.get("first") or "").partition(_SEPARATOR)
        at = outcomes.stored_date(stamp)
        if user in counted and course and variant and at is not None:
            placements[(user, course)] = (at, variant)
    if not placements:
        return []
    uptakes = await outcomes.uptakes(min(at for at, _ in placements.values()))
    found = []
    for key, (first, variant) in placements.items():
        uptake = uptakes.get(key)
        if uptake is not None and outcomes.within(first, uptake.enrolled_at, ENROLMENT_WINDOW_DAYS):
            found.append((key[0], (variant, uptake.enrolled_at.date().isoformat())))
    return found


def _days(experiment: Experiment, now: datetime) -> list[date]:
    if experiment.started_at is None:
        return []
    first = as_utc(experiment.started_at).date()
    last = as_utc(experiment.stopped_at or now).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _cumulative(learners: list[str], credits: dict[str, list[tuple[str, str]]], days: list[date], control: str,
                treatment: str) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.float64]]]:
    """Each ranker's credit per day and learner, summed up to each day: arrays of shape (days, learners). Credit
    before the first day counts on it, after the last day on the last."""
    a = np.zeros((max(len(days), 1), len(learners)))
    b = np.zeros_like(a)
    index = {day.isoformat(): n for n, day in enumerate(days)}
    last = days[-1].isoformat() if days else ""
    for column, user in enumerate(learners):
        for variant, day in credits[user]:
            row = index.get(day, len(days) - 1 if day > last else 0)
            if variant == control:
                a[row, column] += 1
            elif variant == treatment:
                b[row, column] += 1
    return np.cumsum(a, axis=0), np.cumsum(b, axis=0)
