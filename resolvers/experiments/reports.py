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
- DISMISSAL: recommendation dismissals tagged with the experiment / impressions (always reported);
- MASTERY_GAINED: `mastery_gains` (the shown courses' skills), when the experiment names it.
Enrolment, completion and mastery are computed only when the experiment names them (primary metric or guardrail).
Their windows may still be open for courses shown recently: both arms are read the same way, so comparisons hold,
but the rates rise as windows close.

Per variant also: what it showed (coverage, concentration: `shown`) and how it was served (answers, fallback rate,
latency: `shown.served_by_variant`). Small groups: a variant with fewer counted learners than
`settings.analytics_min_group` is `suppressed` (its numbers are left out, only its learner count stays), and a
daily point is left out while either arm is under that size. `recommended_learners` is how many learners each
variant needs to detect a 10% relative change of the primary metric with 80% power under daily reading: the
fixed-horizon size at the control's observed rate and spread (`statistics.required_learners`) times
SEQUENTIAL_FACTOR, measured in bench/experiment_statistics.py. An INTERLEAVING experiment is reported by
`interleaving_reports` (credit per ranker and the learners' preference); its variants show their impressions and
clicks only.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from app.core.documents.experiments import Experiment, ExperimentKind, ExperimentMetric, ExperimentStatus
from app.core.settings import Settings
from app.core.timestamps import as_utc
from recommenders.knowledge.loading import TrackerLoader
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.experiments import outcomes
from resolvers.experiments.assignment import INTERLEAVED
from resolvers.experiments.daily_series import DailyPoint, daily_series
from resolvers.experiments.interleaving_reports import InterleavingResult, interleaving_result
from resolvers.experiments.mastery_gains import mastery_gains
from resolvers.experiments.outcomes import LearnerEvents
from resolvers.experiments.shown import ServedArm, Shown, served_by_variant, shown_by_variant, shown_of
from resolvers.experiments.statistics import (
    Comparison,
    Sample,
    SampleRatioCheck,
    compare,
    required_learners,
    sample_ratio_check,
)
from resolvers.practice.knowledge import trackers_for
from resolvers.purposes import default_purposes

ENROLMENT_WINDOW_DAYS = 7
COMPLETION_WINDOW_DAYS = 30
Members = dict[str, list[str]]
Floats = NDArray[np.float64]
Counted = dict[str, LearnerEvents]
SEQUENTIAL_FACTOR = 2.25
"""Always-valid p-values read daily need about this many times the fixed-horizon sample for the same power."""
MINIMUM_LIFT = 0.1
_UPTAKE = (ExperimentMetric.ENROLMENT, ExperimentMetric.COMPLETION)


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
    """One variant: who saw it, what they did, and how each metric compares with the control; when `suppressed`
    (fewer learners than the minimum group) only `learners` is filled in."""

    name: str
    strategy: str
    share: float
    control: bool
    learners: int
    suppressed: bool
    impressions: int | None
    clicks: int | None
    click_through_rate: float | None
    dismissals: int | None
    metrics: tuple[MetricResult, ...]
    shown: Shown | None
    served: ServedArm | None


@dataclass(frozen=True)
class ExperimentReport:
    """Everything the report shows about one experiment, as of `generated_at`."""

    experiment_id: str
    name: str
    kind: ExperimentKind
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
    min_group: int
    recommended_learners: int | None  # per variant, for the primary metric; None while it cannot be estimated
    interleaving: InterleavingResult | None


async def experiment_report(experiment_id: str, now: datetime, settings: Settings,
                            trackers: TrackerLoader | None = None) -> ExperimentReport:
    """The report of experiment `experiment_id` as of `now`; NOT_FOUND when there is no such experiment.
    `trackers` gives the knowledge model's priors for MASTERY_GAINED (the app's loader; one is made without it)."""
    experiment = await Experiment.get(experiment_id)
    if experiment is None:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"no experiment {experiment_id!r}")
    seen = await outcomes.exposures(experiment_id)
    allowed = await outcomes.analysable(seen, default_purposes(settings.default_consents))
    names = [variant.name for variant in experiment.variants]
    interleaved = experiment.kind == ExperimentKind.INTERLEAVING
    mixed = set() if interleaved else {user for user, days in seen.items() if len(days.variants) > 1}
    counted = {user: days for user, days in seen.items() if user in allowed and user not in mixed
               and days.variants <= set(names) and days.impression_count > 0}
    members = {name: sorted(u for u, days in counted.items() if interleaved or name in days.variants)
               for name in names}
    metrics = _metrics_of(experiment)
    served = await served_by_variant(experiment_id)
    if interleaved:
        samples: dict[ExperimentMetric, dict[str, Sample]] = {}
        shown = await shown_by_variant(experiment_id)
        result = await interleaving_result(experiment, set(counted), now)
        clicks = {result.control: result.credit_control, result.treatment: result.credit_treatment}
    else:
        shown = await shown_of({name: _impressed(users, counted) for name, users in members.items()})
        samples = await _samples_by_metric(metrics, experiment, members, counted, trackers or trackers_for(settings))
        result, clicks = None, {}
    k = settings.analytics_min_group
    variants = tuple(_variant_result(experiment, index, members, counted, samples, k, shown, served, clicks)
                     for index in range(len(names)))
    return ExperimentReport(
        experiment_id=experiment.id, name=experiment.name, kind=experiment.kind, status=experiment.status,
        primary_metric=experiment.primary_metric, metrics=metrics,
        started_at=experiment.started_at, stopped_at=experiment.stopped_at, generated_at=now, variants=variants,
        sample_ratio=_sample_ratio(experiment, members),
        daily=() if interleaved else daily_series(experiment, members, counted, now, k),
        excluded_learners=len(set(seen) - allowed - mixed), mixed_learners=len(mixed & allowed), min_group=k,
        recommended_learners=None if interleaved else _recommended(samples.get(experiment.primary_metric), names[0]),
        interleaving=result,
    )


def _impressed(users: list[str], counted: Counted) -> Counter[str]:
    """How often each course was shown to `users`."""
    return Counter(course for user in users for course, kind in zip(counted[user].courses, counted[user].kinds,
                                                                    strict=True) if kind == outcomes.IMPRESSION_KIND)


def _sample_ratio(experiment: Experiment, members: Members) -> SampleRatioCheck:
    """The chi-square check of learners per variant against the shares; nothing to check when interleaved (every
    learner sees both rankers)."""
    if experiment.kind == ExperimentKind.INTERLEAVING:
        return SampleRatioCheck((), (), 1.0, False)
    return sample_ratio_check([len(members[v.name]) for v in experiment.variants],
                              [v.share for v in experiment.variants])


def _recommended(by_variant: dict[str, Sample] | None, control: str) -> int | None:
    """Learners per variant to detect a MINIMUM_LIFT relative change with 80% power, read daily; None while the
    control has no rate or spread to go on."""
    sample = by_variant.get(control) if by_variant else None
    if sample is None or not 0 < sample.rate < 1 / (1 + MINIMUM_LIFT):
        return None
    effective = sample.effective_denominator
    if not math.isfinite(effective) or effective <= 0:
        return None
    fixed = required_learners(sample.rate, MINIMUM_LIFT, impressions_per_learner=effective)
    return math.ceil(fixed * SEQUENTIAL_FACTOR)


def _metrics_of(experiment: Experiment) -> tuple[ExperimentMetric, ...]:
    """CLICK_THROUGH and DISMISSAL always, then the primary metric and the guardrails, each once."""
    ordered = [ExperimentMetric.CLICK_THROUGH, ExperimentMetric.DISMISSAL, experiment.primary_metric,
               *experiment.guardrails]
    return tuple(dict.fromkeys(ordered))




async def _samples_by_metric(metrics: Sequence[ExperimentMetric], experiment: Experiment, members: Members,
                             counted: Counted, trackers: TrackerLoader) -> dict[ExperimentMetric, dict[str, Sample]]:
    """Each metric's per-learner sample of each variant; the first impressions, enrolments and knowledge states
    are read once, and only if a metric needs them."""
    samples = {
        ExperimentMetric.CLICK_THROUGH: {name: _sample([(counted[u].click_count, counted[u].impression_count)
                                                        for u in users]) for name, users in members.items()},
        ExperimentMetric.DISMISSAL: {name: _sample([(counted[u].dismissal_count, counted[u].impression_count)
                                                    for u in users]) for name, users in members.items()},
    }
    later = [metric for metric in metrics if metric in (*_UPTAKE, ExperimentMetric.MASTERY_GAINED)]
    firsts = await outcomes.first_impressions(experiment.id) if later else {}
    if any(metric in _UPTAKE for metric in later):
        since = min(firsts.values(), default=as_utc(experiment.started_at or experiment.created_at))
        uptakes = await outcomes.uptakes(since)
        for metric in (m for m in later if m in _UPTAKE):
            per_learner = _uptake_per_learner(metric, firsts, uptakes)
            samples[metric] = {name: _sample([per_learner[u] for u in users if u in per_learner])
                               for name, users in members.items()}
    if ExperimentMetric.MASTERY_GAINED in later:
        gains = await mastery_gains(firsts, counted, trackers)
        samples[ExperimentMetric.MASTERY_GAINED] = {
            name: _sample([gains[u] for u in users if u in gains]) for name, users in members.items()}
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


def _sample(pairs: Sequence[tuple[float, int]]) -> Sample:
    numerators = np.array([float(n) for n, _ in pairs], dtype=np.float64)
    denominators = np.array([float(d) for _, d in pairs], dtype=np.float64)
    return Sample(numerators, denominators)


def _variant_result(experiment: Experiment, index: int, members: Members, counted: Counted,
                    samples: dict[ExperimentMetric, dict[str, Sample]], k: int, shown: dict[str, Shown],
                    served: dict[str, ServedArm], credited: dict[str, int]) -> VariantResult:
    """One variant's results (for an interleaving experiment, `credited` gives its clicks); suppressed under `k`
    learners."""
    variant, control = experiment.variants[index], experiment.variants[0].name
    users = members[variant.name]
    base = VariantResult(name=variant.name, strategy=variant.strategy, share=variant.share, control=index == 0,
                         learners=len(users), suppressed=len(users) < k, impressions=None, clicks=None,
                         click_through_rate=None, dismissals=None, metrics=(), shown=None, served=None)
    if base.suppressed:
        return base
    results = []
    for metric, by_variant in samples.items():
        sample = by_variant[variant.name]
        smallest = min(sample.learners, by_variant[control].learners)
        comparison = None if index == 0 or smallest < k else compare(by_variant[control], sample)
        results.append(MetricResult(metric, sample.learners, float(sample.numerators.sum()),
                                    float(sample.denominators.sum()), sample.rate, comparison))
    seen = shown.get(variant.name)
    if experiment.kind == ExperimentKind.INTERLEAVING:
        impressions, clicks = (seen.impressions if seen else 0), credited.get(variant.name, 0)
        dismissals = None
    else:
        impressions = sum(counted[u].impression_count for u in users)
        clicks = sum(counted[u].click_count for u in users)
        dismissals = int(samples[ExperimentMetric.DISMISSAL][variant.name].numerators.sum())
    return replace(base, impressions=impressions, clicks=clicks, dismissals=dismissals, metrics=tuple(results),
                   click_through_rate=clicks / impressions if impressions else 0.0, shown=seen,
                   served=served.get(INTERLEAVED if experiment.kind == ExperimentKind.INTERLEAVING else variant.name))
