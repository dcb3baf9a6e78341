"""An experiment's click-through comparison day by day: each treatment against the control over everything up to
the end of each UTC day, for the chart of lift with its interval over time."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from app.core.documents.experiments import Experiment
from app.core.timestamps import as_utc
from resolvers.experiments import outcomes
from resolvers.experiments.outcomes import LearnerEvents
from resolvers.experiments.statistics import Comparison, Sample, compare

Members = dict[str, list[str]]
Floats = NDArray[np.float64]
Counted = dict[str, LearnerEvents]


@dataclass(frozen=True)
class DailyPoint:
    """A treatment against the control on click-through, over everything up to the end of `day` (UTC)."""

    day: date
    variant: str
    learners: int
    control_learners: int
    comparison: Comparison



def daily_series(experiment: Experiment, members: Members, counted: Counted, now: datetime,
           k: int) -> tuple[DailyPoint, ...]:
    """For each UTC day from the start to today (or the stop), each treatment against the control on
    click-through, cumulative up to that day; a day when either arm has fewer than `k` learners is left out."""
    if experiment.started_at is None or not experiment.variants:
        return ()
    first_day = as_utc(experiment.started_at).date()
    last_day = as_utc(experiment.stopped_at or now).date()
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    cumulative = {name: _cumulative(users, counted, days) for name, users in members.items()}
    control = experiment.variants[0].name
    points = []
    for offset, day in enumerate(days):
        control_sample = _shown(*cumulative[control], offset)
        for variant in experiment.variants[1:]:
            sample = _shown(*cumulative[variant.name], offset)
            if min(sample.learners, control_sample.learners) < k:
                continue
            points.append(DailyPoint(day, variant.name, sample.learners, control_sample.learners,
                                     compare(control_sample, sample)))
    return tuple(points)


def _cumulative(users: list[str], counted: Counted, days: list[date]) -> tuple[Floats, Floats]:
    """(clicks, impressions) per day and learner, summed up to each day: arrays of shape (days, learners). Events
    before the first day count on it, after the last day on the last."""
    index = {day.isoformat(): n for n, day in enumerate(days)}
    last = days[-1].isoformat()
    rows = np.fromiter((index.get(day, len(days) - 1 if day > last else 0)
                        for user in users for day in counted[user].days), dtype=np.intp)
    columns = np.repeat(np.arange(len(users)), [len(counted[user].days) for user in users])
    kinds = np.fromiter((kind for user in users for kind in counted[user].kinds), dtype=np.intp)
    flags = (kinds == outcomes.CLICK_KIND).astype(np.float64)
    shown = (kinds == outcomes.IMPRESSION_KIND).astype(np.float64)  # dismissals count as neither
    clicks = np.zeros((len(days), len(users)), dtype=np.float64)
    impressions = np.zeros((len(days), len(users)), dtype=np.float64)
    np.add.at(clicks, (rows, columns), flags)
    np.add.at(impressions, (rows, columns), shown)
    return np.cumsum(clicks, axis=0), np.cumsum(impressions, axis=0)


def _shown(clicks: Floats, impressions: Floats, offset: int) -> Sample:
    """The learners with an impression by day `offset`, and their cumulative clicks and impressions."""
    shown = impressions[offset] > 0
    return Sample(clicks[offset][shown], impressions[offset][shown])
