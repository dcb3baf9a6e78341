"""GraphQL types of an experiment's report, and the `experimentReport` query (partners and admins)."""

from datetime import date, datetime
from typing import Annotated

import strawberry

from app.core.timestamps import utcnow
from resolvers.experiments import daily_series, reports, statistics
from schema.context import Info
from schema.expected_errors import ExpectedErrors
from schema.experiments.report_parts import InterleavingResult, ServedAnswers, ShownCourses, finite
from schema.experiments.types import ExperimentKindType, ExperimentMetricType, ExperimentStatusType
from schema.permissions import IsPartner


@strawberry.type(description="A treatment against the control (the first variant) on one metric. Intervals are "
                 "fixed-horizon 95% intervals (a bound is null when the data cannot say: too few learners, no "
                 "variation, no control rate); the p-value is always valid, so it may be read every day. A value "
                 "object "
                 "(no id): part of its MetricResult or DailyPoint.")
class Comparison:
    control_rate: float = strawberry.field(description="The control's rate (sum of numerators / denominators).")
    treatment_rate: float = strawberry.field(description="The treatment's rate.")
    difference: float = strawberry.field(description="treatmentRate - controlRate.")
    difference_low: float | None = strawberry.field(description="Lower bound of the difference's 95% interval.")
    difference_high: float | None = strawberry.field(description="Upper bound of the difference's 95% interval.")
    lift: float | None = strawberry.field(
        description="Relative lift, treatmentRate / controlRate - 1; null when the control's rate is 0.")
    lift_low: float | None = strawberry.field(description="Lower bound of the lift's 95% interval (delta method).")
    lift_high: float | None = strawberry.field(description="Upper bound of the lift's 95% interval.")
    p_value: float = strawberry.field(
        description="Always-valid p-value (mixture sequential probability ratio test) on the difference.")
    significant: bool = strawberry.field(description="pValue < 0.05: safe to act on the first day it is true.")

    @staticmethod
    def of(comparison: statistics.Comparison) -> "Comparison":
        return Comparison(
            control_rate=comparison.control_rate, treatment_rate=comparison.treatment_rate,
            difference=comparison.difference, difference_low=finite(comparison.difference_low),
            difference_high=finite(comparison.difference_high), lift=finite(comparison.lift),
            lift_low=finite(comparison.lift_low), lift_high=finite(comparison.lift_high),
            p_value=comparison.p_value, significant=comparison.significant,
        )


@strawberry.type(description="One variant on one metric, learner by learner: each learner's numerator and "
                 "denominator count once, so a heavy user does not outweigh the rest. A value object (no id): "
                 "part of its "
                 "VariantResult.")
class MetricResult:
    metric: ExperimentMetricType = strawberry.field(  # type: ignore[valid-type]
        description="The metric: CLICK_THROUGH (clicks / impressions), DISMISSAL (dismissals / impressions), "
        "ENROLMENT (recommended courses enrolled in within 7 days of their first impression / courses shown), "
        "COMPLETION (completed within 30 days), MASTERY_GAINED (mastery gained per skill of the courses shown).")
    learners: int = strawberry.field(description="Learners with a denominator on this metric.")
    numerator: float = strawberry.field(description="The learners' numerators summed (e.g. clicks).")
    denominator: float = strawberry.field(description="The learners' denominators summed (e.g. impressions).")
    rate: float = strawberry.field(description="numerator / denominator; 0 when there is no denominator.")
    comparison: Comparison | None = strawberry.field(
        description="Against the control; null for the control itself.")

    @staticmethod
    def of(result: reports.MetricResult) -> "MetricResult":
        return MetricResult(
            metric=result.metric, learners=result.learners, numerator=result.numerator,
            denominator=result.denominator, rate=result.rate,
            comparison=None if result.comparison is None else Comparison.of(result.comparison),
        )


@strawberry.type(description="One variant of an experiment: who saw it, what they did, how it compares. A value "
                 "object (no id): part of its ExperimentReport.")
class VariantResult:
    name: str = strawberry.field(description="The variant's name.")
    strategy: str = strawberry.field(description="The recommendation strategy the variant serves.")
    share: float = strawberry.field(description="The share of eligible learners it was meant to get.")
    control: bool = strawberry.field(description="True for the control: the experiment's first variant.")
    learners: int = strawberry.field(
        description="Learners counted: shown at least one of its recommendations, analytics consent granted.")
    suppressed: bool = strawberry.field(description=(
        "True when fewer learners than the deployment's minimum group (`minGroup`) were counted: then every "
        "number but `learners` is null or empty, so no small group can be singled out."))
    impressions: int | None = strawberry.field(description=(
        "Impressions of those learners in the experiment (INTERLEAVING: impressions of the items this ranker "
        "placed). Null when suppressed."))
    clicks: int | None = strawberry.field(description=(
        "Clicks of those learners (INTERLEAVING: credit earned by this ranker's items). Null when suppressed."))
    click_through_rate: float | None = strawberry.field(description="clicks / impressions; null when suppressed.")
    dismissals: int | None = strawberry.field(description=(
        "Recommendation dismissals of those learners; null when suppressed or INTERLEAVING."))
    metrics: list[MetricResult] = strawberry.field(description=(
        "CLICK_THROUGH, DISMISSAL, then the primary metric and guardrails, each once (A_B only; a comparison is "
        "null while either arm is under the minimum group)."))
    shown: ShownCourses | None = strawberry.field(description="What it showed: coverage and concentration.")
    served: ServedAnswers | None = strawberry.field(description=(
        "How the servers answered for it: answers, fallback rate, latency (INTERLEAVING: the merged lists', the same "
        "for both variants). Null before the first count is written (servers write their counts every 10 s)."))

    @staticmethod
    def of(result: reports.VariantResult) -> "VariantResult":
        return VariantResult(
            name=result.name, strategy=result.strategy, share=result.share, control=result.control,
            learners=result.learners, suppressed=result.suppressed, impressions=result.impressions,
            clicks=result.clicks, click_through_rate=result.click_through_rate, dismissals=result.dismissals,
            metrics=[MetricResult.of(m) for m in result.metrics],
            shown=ShownCourses.of(result.shown) if result.shown else None,
            served=ServedAnswers.of(result.served) if result.served else None,
        )


@strawberry.type(description="Learners per variant against the shares they were meant to get (chi-square). A "
                 "mismatch means assignment or logging is broken: read no result until it is explained. A value "
                 "object (no "
                 "id): part of its ExperimentReport.")
class SampleRatioCheck:
    observed: list[int] = strawberry.field(description="Learners counted per variant, in the variants' order.")
    expected_shares: list[float] = strawberry.field(description="The variants' shares, in the same order.")
    p_value: float = strawberry.field(description="The goodness-of-fit p-value.")
    mismatch: bool = strawberry.field(description="pValue < 0.001.")

    @staticmethod
    def of(check: statistics.SampleRatioCheck) -> "SampleRatioCheck":
        return SampleRatioCheck(observed=list(check.observed), expected_shares=list(check.expected_shares),
                                p_value=check.p_value, mismatch=check.mismatch)


@strawberry.type(description="A treatment against the control on click-through, over everything up to the end of "
                 "one day (UTC): the points of a chart of lift with its interval over time. A value object (no "
                 "id): part of "
                 "its ExperimentReport.")
class DailyPoint:
    day: date = strawberry.field(description="The UTC day.")
    variant: str = strawberry.field(description="The treatment variant's name.")
    learners: int = strawberry.field(description="The treatment's learners with an impression by then.")
    control_learners: int = strawberry.field(description="The control's learners with an impression by then.")
    comparison: Comparison = strawberry.field(description="The comparison on the data up to that day.")

    @staticmethod
    def of(point: daily_series.DailyPoint) -> "DailyPoint":
        return DailyPoint(day=point.day, variant=point.variant, learners=point.learners,
                          control_learners=point.control_learners, comparison=Comparison.of(point.comparison))


@strawberry.type(description="An experiment's results as of `generatedAt`: recomputed from the events on every "
                 "read. Counts only learners who grant the ANALYTICS purpose now.")
class ExperimentReport:
    id: strawberry.ID = strawberry.field(description="The experiment's id.")
    name: str = strawberry.field(description="The experiment's name.")
    kind: ExperimentKindType = strawberry.field(  # type: ignore[valid-type]
        description="A_B or INTERLEAVING (then `interleaving` holds the result).")
    status: ExperimentStatusType = strawberry.field(  # type: ignore[valid-type]
        description="The experiment's status now.")
    primary_metric: ExperimentMetricType = strawberry.field(  # type: ignore[valid-type]
        description="The metric the experiment decides on.")
    metrics: list[ExperimentMetricType] = strawberry.field(  # type: ignore[valid-type]
        description="The metrics reported: CLICK_THROUGH, DISMISSAL, then the primary metric and guardrails, each "
        "once.")
    started_at: datetime | None = strawberry.field(description="When it started; null while a draft.")
    stopped_at: datetime | None = strawberry.field(description="When it stopped; null while not stopped.")
    generated_at: datetime = strawberry.field(description="When this report was computed.")
    variants: list[VariantResult] = strawberry.field(description="The variants, the control first.")
    sample_ratio: SampleRatioCheck = strawberry.field(description="The sample-ratio check of learner counts.")
    daily: list[DailyPoint] = strawberry.field(
        description="Per UTC day from the start to today (or the stop), each treatment against the control on "
        "click-through, cumulative.")
    excluded_learners: int = strawberry.field(
        description="Learners shown the experiment's recommendations but not counted: no ANALYTICS consent.")
    mixed_learners: int = strawberry.field(
        description="Learners whose events name two variants (variants changed while running): not counted.")
    min_group: int = strawberry.field(description=(
        "The deployment's minimum group (PATHWISE_ANALYTICS_MIN_GROUP): variants with fewer learners are "
        "suppressed, daily points with an arm under it left out."))
    recommended_learners: int | None = strawberry.field(description=(
        "Learners each variant needs to detect a 10% relative change of the primary metric with 80% power when "
        "the report is read daily: the fixed-horizon size at the control's observed rate and spread, times 2.25 "
        "(bench/experiment_statistics.py). Null while the control has no rate to go on, and for INTERLEAVING."))
    interleaving: InterleavingResult | None = strawberry.field(description=(
        "An INTERLEAVING experiment's credit per ranker and the learners' preference; null for A_B."))

    @staticmethod
    def of(report: reports.ExperimentReport) -> "ExperimentReport":
        return ExperimentReport(
            id=strawberry.ID(report.experiment_id), name=report.name, kind=report.kind, status=report.status,
            primary_metric=report.primary_metric, metrics=list(report.metrics), started_at=report.started_at,
            stopped_at=report.stopped_at, generated_at=report.generated_at,
            variants=[VariantResult.of(v) for v in report.variants],
            sample_ratio=SampleRatioCheck.of(report.sample_ratio), daily=[DailyPoint.of(p) for p in report.daily],
            excluded_learners=report.excluded_learners, mixed_learners=report.mixed_learners,
            min_group=report.min_group, recommended_learners=report.recommended_learners,
            interleaving=InterleavingResult.of(report.interleaving) if report.interleaving else None,
        )


@strawberry.type(description="Experiment report queries.")
class Query:
    @strawberry.field(
        permission_classes=[IsPartner],
        description="An experiment's report (partners and admins): per variant its learners, impressions, clicks "
        "and rates against the control with intervals, the sample-ratio check and the daily comparison. Computed "
        "from the events on each read (one aggregation over the experiment's impressions and clicks). NOT_FOUND "
        "when there is no such experiment.",
        extensions=[ExpectedErrors()],
    )
    async def experiment_report(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The experiment's id.")]
    ) -> ExperimentReport:
        report = await reports.experiment_report(str(id), utcnow(), info.context.settings, info.context.trackers)
        return ExperimentReport.of(report)
