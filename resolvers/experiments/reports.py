"""An experiment's report: per variant its learners, impressions, clicks and learner-level rates compared with the
control (the first variant), the sample-ratio check, and the click-through comparison day by day.

Who counts: a learner with at least one impression tagged with the experiment, who grants `analytics` now (stated
or by the deployment's default). A learner whose events name two variants (never, with sticky assignment, unless
the variants were changed while running) is left out and counted in `mixed_learners`.

Metrics, per learner (`statistics.Sample`: heavy users count once):
- CLICK_THROUGH: clicks / impressions;
- ENROLMENT: recommended courses enrolled in within 7 days after the course's first impression in the experiment /
  distinct courses impressed;
- COMPLETION: the same courses completed (`Enrollment.completed_at`) within 30 days after that first impression,
  from an enrolment started after it / distinct courses impressed.
Enrolment and completion are computed only when the experiment names them (primary metric or guardrail). Their
windows may still be open for courses shown recently: both arms are read the same way, so comparisons hold, but
the rates rise as windows close.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from app.core.documents.experiments import Experiment, ExperimentMetric, ExperimentStatus
from app.core.settings import Settings
from app.core.timestamps import as_utc
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.experiments import outcomes
from resolvers.experiments.outcomes import LearnerEvents
from resolvers.experiments.statistics import Comparison, Sample, SampleRatioCheck, compare, sample_ratio_check
from resolvers.purposes import default_purposes

ENROLMENT_WINDOW_DAYS = 7
COMPLETION_WINDOW_DAYS = 30


@dataclass(frozen=True)
class MetricResult:
    """One variant on one metric: learner-level totals, the rate and (not for the control) the comparison."""

    metric: ExperimentMetric
    learners: int
    numerator: float
    denominator: float
    rate: float
    comparison: Comparison | None


@dataclass(frozen=True)
class VariantResult:
    """One variant: who saw it, what they did, and how each metric compares with the control."""

    name: str
    strategy: str
    share: float
    control: bool
    learners: int
    impressions: int
    clicks: int
    click_through_rate: float
    metrics: tuple[MetricResult, ...]


@dataclass(frozen=True)
class DailyPoint:
    """A treatment against the control on click-through, over everything up to the end of `day` (UTC)."""

    day: date
    variant: str
    learners: int
    control_learners: int
    comparison: Comparison


@dataclass(frozen=True)
class ExperimentReport:
    """Everything the report shows about one experiment, as of `generated_at`."""

    experiment_id: str
    name: str
    status: ExperimentStatus
    primary_metric: ExperimentMetric
    metrics: tuple[ExperimentMetric, ...]
    started_at: datetime | None
    stopped_at: datetime | None
    generated_at: datetime
    variants: tuple[VariantResult, ...]
    sample_ratio: SampleRatioCheck
    daily: tuple[DailyPoint, ...]
    excluded_learners: int
    mixed_learners: int


async def experiment_report(experiment_id: str, now: datetime, settings: Settings) -> ExperimentReport:
    """The report of experiment `experiment_id` as of `now`; NOT_FOUND when there is no such experiment."""
    experiment = await Experiment.get(experiment_id)
    if experiment is None:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"no experiment {experiment_id!r}")
    seen = await outcomes.exposures(experiment_id)
    allowed = await outcomes.analysable(seen, default_purposes(settings.default_consents))
    names = [variant.name for variant in experiment.variants]
    mixed = {user for user, days in seen.items() if len(days.variants) > 1}
    counted = {user: days for user, days in seen.items() if user in allowed and user not in mixed
               and days.variants <= set(names) and days.impression_count > 0}
    members = {name: sorted(u for u, days in counted.items() if name in days.variants) for name in names}
    metrics = _metrics_of(experiment)
    samples = await _samples_by_metric(metrics, experiment, members, counted)
    variants = tuple(_variant_result(experiment, index, members, counted, samples) for index in range(len(names)))
    return ExperimentReport(
        experiment_id=experiment.id, name=experiment.name, status=experiment.status,
        primary_metric=experiment.primary_metric, metrics=metrics,
        started_at=experiment.started_at, stopped_at=experiment.stopped_at, generated_at=now, variants=variants,
        sample_ratio=sample_ratio_check([len(members[name]) for name in names],
                                        [variant.share for variant in experiment.variants]),
        daily=_daily(experiment, members, counted, now),
        excluded_learners=len(set(seen) - allowed - mixed), mixed_learners=len(mixed & allowed),
    )


def _metrics_of(experiment: Experiment) -> tuple[ExperimentMetric, ...]:
    """CLICK_THROUGH always, then the primary metric and the guardrails, each once."""
    ordered = [ExperimentMetric.CLICK_THROUGH, experiment.primary_metric, *experiment.guardrails]
    return tuple(dict.fromkeys(ordered))


Members = dict[str, list[str]]
Floats = NDArray[np.float64]
Counted = dict[str, LearnerEvents]


async def _samples_by_metric(metrics: Sequence[ExperimentMetric], experiment: Experiment, members: Members,
                             counted: Counted) -> dict[ExperimentMetric, dict[str, Sample]]:
    """Each metric's per-learner sample of each variant; the enrolment reads happen once, and only if needed."""
    samples = {ExperimentMetric.CLICK_THROUGH: {
        name: _sample([(counted[u].click_count, counted[u].impression_count) for u in users])
        for name, users in members.items()}}
    uptake_metrics = [metric for metric in metrics if metric != ExperimentMetric.CLICK_THROUGH]
    if uptake_metrics:
        firsts = await outcomes.first_impressions(experiment.id)
        since = min(firsts.values(), default=as_utc(experiment.started_at or experiment.created_at))
        uptakes = await outcomes.uptakes(since)
        for metric in uptake_metrics:
            per_learner = _uptake_per_learner(metric, firsts, uptakes)
            samples[metric] = {name: _sample([per_learner[u] for u in users if u in per_learner])
                               for name, users in members.items()}
    return {metric: samples[metric] for metric in metrics}


def _uptake_per_learner(metric: ExperimentMetric, firsts: dict[tuple[str, str], datetime],
                        uptakes: dict[tuple[str, str], outcomes.Uptake]) -> dict[str, tuple[int, int]]:
    """learner -> (courses taken up by `metric`'s rule, distinct courses impressed)."""
    per_learner: dict[str, tuple[int, int]] = {}
    for (user, course), first in firsts.items():
        uptake = uptakes.get((user, course))
        succeeded = uptake is not None and _succeeded(metric, first, uptake)
        hits, shown = per_learner.get(user, (0, 0))
        per_learner[user] = (hits + int(succeeded), shown + 1)
    return per_learner


def _succeeded(metric: ExperimentMetric, first: datetime, uptake: outcomes.Uptake) -> bool:
    enrolled = outcomes.within(first, uptake.enrolled_at, ENROLMENT_WINDOW_DAYS)
    if metric == ExperimentMetric.ENROLMENT:
        return enrolled
    return uptake.enrolled_at >= first and outcomes.within(first, uptake.completed_at, COMPLETION_WINDOW_DAYS)


def _sample(pairs: Sequence[tuple[int, int]]) -> Sample:
    numerators = np.array([float(n) for n, _ in pairs], dtype=np.float64)
    denominators = np.array([float(d) for _, d in pairs], dtype=np.float64)
    return Sample(numerators, denominators)


def _variant_result(experiment: Experiment, index: int, members: Members, counted: Counted,
                    samples: dict[ExperimentMetric, dict[str, Sample]]) -> VariantResult:
    variant, control = experiment.variants[index], experiment.variants[0].name
    users = members[variant.name]
    results = []
    for metric, by_variant in samples.items():
        sample = by_variant[variant.name]
        comparison = None if index == 0 else compare(by_variant[control], sample)
        results.append(MetricResult(metric, sample.learners, float(sample.numerators.sum()),
                                    float(sample.denominators.sum()), sample.rate, comparison))
    click_through = samples[ExperimentMetric.CLICK_THROUGH][variant.name]
    return VariantResult(
        name=variant.name, strategy=variant.strategy, share=variant.share, control=index == 0,
        learners=len(users), impressions=sum(counted[u].impression_count for u in users),
        clicks=sum(counted[u].click_count for u in users), click_through_rate=click_through.rate,
        metrics=tuple(results),
    )


def _daily(experiment: Experiment, members: Members, counted: Counted, now: datetime) -> tuple[DailyPoint, ...]:
    """For each UTC day from the start to today (or the stop), each treatment against the control on
    click-through, cumulative up to that day."""
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
    flags = np.fromiter((flag for user in users for flag in counted[user].clicks), dtype=np.float64)
    clicks = np.zeros((len(days), len(users)), dtype=np.float64)
    impressions = np.zeros((len(days), len(users)), dtype=np.float64)
    np.add.at(clicks, (rows, columns), flags)
    np.add.at(impressions, (rows, columns), 1.0 - flags)
    return np.cumsum(clicks, axis=0), np.cumsum(impressions, axis=0)


def _shown(clicks: Floats, impressions: Floats, offset: int) -> Sample:
    """The learners with an impression by day `offset`, and their cumulative clicks and impressions."""
    shown = impressions[offset] > 0
    return Sample(clicks[offset][shown], impressions[offset][shown])
