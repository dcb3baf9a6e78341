"""GraphQL types of the parts of an experiment's report beyond the comparisons: what a variant showed and how it
was served, and an interleaving experiment's preference test."""

import math
from datetime import date

import strawberry

from resolvers.experiments import interleaving_reports, preference, shown


def finite(value: float) -> float | None:
    """GraphQL's Float carries no infinity: an unknown (infinite) bound is null."""
    return value if math.isfinite(value) else None


@strawberry.type(description="What a variant showed, from its impressions. A value object (no id): part of its "
                 "VariantResult.")
class ShownCourses:
    impressions: int = strawberry.field(description="Impressions tagged with the variant (all learners).")
    courses: int = strawberry.field(description="Distinct courses shown.")
    coverage: float = strawberry.field(description="Distinct courses shown / published courses.")
    concentration: float = strawberry.field(description=(
        "Gini coefficient of impressions over the published catalog: 0 = every course shown equally often, 1 = "
        "one course only. 1 - concentration is the aggregate diversity of what was shown."))

    @staticmethod
    def of(found: shown.Shown) -> "ShownCourses":
        return ShownCourses(impressions=found.impressions, courses=found.courses, coverage=found.coverage,
                            concentration=found.concentration)


@strawberry.type(description="How a variant was served, counted by the servers (no learner in the counts). A value "
                 "object (no id): part of its VariantResult.")
class ServedAnswers:
    answers: int = strawberry.field(description="Recommendation answers the servers gave for the variant.")
    cached: int = strawberry.field(description="Of them, answered from the cache.")
    fallbacks: int = strawberry.field(description="Of them, answered by `popular` because the variant's recommender "
                                      "failed, was late or had nothing.")
    fallback_rate: float = strawberry.field(description="fallbacks / answers.")
    latency_mean_ms: float = strawberry.field(description="Mean server time per answer (ms), cached ones included.")
    latency_p95_ms: float | None = strawberry.field(description=(
        "95th percentile of the server time per answer: the upper bound (ms) of its histogram bucket (5, 10, 25, "
        "50, 100, 250, 500, 1000, 2500); null when slower than 2,500 ms or without answers."))

    @staticmethod
    def of(found: shown.ServedArm) -> "ServedAnswers":
        return ServedAnswers(answers=found.answers, cached=found.cached, fallbacks=found.fallbacks,
                             fallback_rate=found.fallback_rate, latency_mean_ms=round(found.latency_mean_ms, 3),
                             latency_p95_ms=found.latency_p95_ms)


@strawberry.type(description="The learners' preference between ranker A (the control) and ranker B: each learner "
                 "with credit scores (creditB - creditA) / (creditA + creditB); the preference is their mean, with a "
                 "95% interval and an always-valid p-value (read it daily). A value object (no id).")
class Preference:
    learners: int = strawberry.field(description="Learners with any credit.")
    wins_control: int = strawberry.field(description="Learners who gave the control more credit.")
    wins_treatment: int = strawberry.field(description="Learners who gave the treatment more credit.")
    ties: int = strawberry.field(description="Learners who gave both the same credit.")
    score: float = strawberry.field(description="The mean score, -1 to 1; above 0: the treatment is preferred.")
    score_low: float | None = strawberry.field(description="Lower bound of its 95% interval; null when unknown.")
    score_high: float | None = strawberry.field(description="Upper bound of its 95% interval; null when unknown.")
    p_value: float = strawberry.field(description="Always-valid p-value (mSPRT) of no preference.")
    significant: bool = strawberry.field(description="pValue < 0.05.")

    @staticmethod
    def of(found: preference.Preference) -> "Preference":
        return Preference(learners=found.learners, wins_control=found.wins_a, wins_treatment=found.wins_b,
                          ties=found.ties, score=found.score, score_low=finite(found.interval[0]),
                          score_high=finite(found.interval[1]), p_value=found.p_value, significant=found.significant)


@strawberry.type(description="The preference over everything up to the end of one UTC day. A value object (no id).")
class PreferencePoint:
    day: date = strawberry.field(description="The UTC day.")
    preference: Preference = strawberry.field(description="The preference on the data up to that day.")


@strawberry.type(description="An INTERLEAVING experiment's result: the two rankers' credit and the learners' "
                 "preference. A value object (no id): part of its ExperimentReport.")
class InterleavingResult:
    control: str = strawberry.field(description="Ranker A: the first variant's name.")
    treatment: str = strawberry.field(description="Ranker B: the second variant's name.")
    credit: str = strawberry.field(description="What earned credit: `clicks`, or `clicks and enrolments` when the "
                                   "experiment names ENROLMENT.")
    credit_control: int = strawberry.field(description="Credit earned by the control's items, counted learners.")
    credit_treatment: int = strawberry.field(description="Credit earned by the treatment's items.")
    preference: Preference = strawberry.field(description="The learners' preference, as of now.")
    daily: list[PreferencePoint] = strawberry.field(description="The preference day by day, cumulative.")

    @staticmethod
    def of(found: interleaving_reports.InterleavingResult) -> "InterleavingResult":
        return InterleavingResult(
            control=found.control, treatment=found.treatment, credit=found.credit,
            credit_control=found.credit_control, credit_treatment=found.credit_treatment,
            preference=Preference.of(found.preference),
            daily=[PreferencePoint(day=point.day, preference=Preference.of(point.preference))
                   for point in found.daily])
