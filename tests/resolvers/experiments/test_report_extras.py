"""An experiment's report beyond click-through: dismissals, small-group suppression, the recommended sample size,
what each variant showed and how it was served, mastery gained, and an interleaving experiment's preference."""

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from app.core.documents import (
    Course,
    Enrollment,
    Exercise,
    Experiment,
    ExperimentKind,
    ExperimentMetric,
    KnowledgeState,
    ServedTally,
    SkillMastery,
)
from app.core.documents.profiles import field_key
from app.core.settings import Settings
from resolvers.experiments.reports import SEQUENTIAL_FACTOR, experiment_report
from resolvers.experiments.statistics import Sample, required_learners
from resolvers.practice.knowledge import trackers_for
from tests.resolvers.experiments.test_reports import (
    ANALYTICS_BY_DEFAULT,
    NOW,
    START,
    an_experiment,
    event,
    shown,
    store,
)

pytestmark = pytest.mark.usefixtures("clean")
CLICK, IMPRESSION = "recommendation_click", "recommendation_impression"


async def test_dismissals_are_a_learner_level_rate_always_reported() -> None:
    await an_experiment()
    await store(shown("u1", "control", 4, 0), shown("u2", "hybrid", 5, 0),
                [event("u1", "recommendation_dismiss", "control"), event("u1", "recommendation_dismiss", "control"),
                 event("u2", "recommendation_dismiss", "hybrid")])
    control, hybrid = (await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)).variants
    assert (control.dismissals, hybrid.dismissals) == (2, 1)
    dismissal = control.metrics[1]
    assert (dismissal.metric, dismissal.numerator, dismissal.denominator) == (ExperimentMetric.DISMISSAL, 2.0, 4.0)


async def test_a_variant_under_the_minimum_group_is_suppressed_and_its_comparisons_and_days_left_out() -> None:
    await an_experiment()
    await store(*[shown(f"a{n}", "control", 3, 1) for n in range(6)], *[shown(f"b{n}", "hybrid", 3, 2)
                                                                          for n in range(2)])
    report = await experiment_report("exp", NOW, Settings(default_consents=["analytics"], analytics_min_group=5))
    control, hybrid = report.variants
    assert (control.suppressed, control.impressions, control.clicks) == (False, 18, 6)
    assert control.metrics and all(result.comparison is None for result in control.metrics)
    assert (hybrid.suppressed, hybrid.learners) == (True, 2)
    assert (hybrid.impressions, hybrid.clicks, hybrid.click_through_rate, hybrid.metrics) == (None, None, None, ())
    assert report.daily == ()  # the treatment never reached five learners
    assert report.min_group == 5


async def test_comparisons_appear_once_both_arms_reach_the_minimum_group() -> None:
    await an_experiment()
    await store(*[shown(f"a{n}", "control", 3, 1) for n in range(5)],
                *[shown(f"b{n}", "hybrid", 3, 2, hours=1 if n < 4 else 26) for n in range(5)])
    report = await experiment_report("exp", NOW, Settings(default_consents=["analytics"], analytics_min_group=5))
    assert report.variants[1].metrics[0].comparison is not None
    assert [point.day for point in report.daily] == [START.date() + timedelta(days=1), START.date() + timedelta(2)]


async def test_the_recommended_size_is_the_fixed_horizon_size_at_the_controls_rate_times_the_sequential_factor(
) -> None:
    await an_experiment()
    await store(*[shown(f"a{n}", "control", 10, n % 3) for n in range(12)], shown("b1", "hybrid", 10, 1))
    report = await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)
    control = report.variants[0]
    assert control.click_through_rate is not None
    sample = Sample(np.array([float(n % 3) for n in range(12)]), np.full(12, 10.0))
    expected = required_learners(sample.rate, 0.1, impressions_per_learner=sample.effective_denominator)
    assert report.recommended_learners == pytest.approx(expected * SEQUENTIAL_FACTOR, abs=1)


async def test_no_recommended_size_without_a_control_rate() -> None:
    await an_experiment()
    await store(shown("a1", "control", 3, 0), shown("b1", "hybrid", 3, 1))
    assert (await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)).recommended_learners is None


async def test_what_each_variant_showed_against_the_published_catalog() -> None:
    await an_experiment()
    await Course.insert_many([Course(id=f"rx-{n}", title=f"Course {n}", published=True) for n in range(4)])
    await store([event("u1", IMPRESSION, "control", course="rx-0") for _ in range(3)],
                [event("u2", IMPRESSION, "hybrid", course=f"rx-{n}") for n in range(4)])
    control, hybrid = (await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)).variants
    assert control.shown is not None and hybrid.shown is not None
    assert (control.shown.impressions, control.shown.courses, control.shown.coverage) == (3, 1, 0.25)
    assert control.shown.concentration == pytest.approx(0.75)  # one course of four holds every impression
    assert (hybrid.shown.coverage, hybrid.shown.concentration) == (1.0, 0.0)


async def test_served_answers_fallbacks_and_latency_come_from_the_servers_tallies() -> None:
    await an_experiment()
    await store(shown("u1", "control", 2, 0), shown("u2", "hybrid", 2, 0))
    await ServedTally.get_pymongo_collection().insert_many([
        {"_id": "hybrid|2026-03-02|exp|hybrid", "day": "2026-03-02", "strategy": "hybrid", "experiment": "exp",
         "variant": "hybrid", "answers": 18, "cached": 5, "fallbacks": 2, "latency_ms_sum": 180.0,
         "latency_le5": 10, "latency_le10": 6, "latency_le50": 2},
        {"_id": "popular|2026-03-02|exp|hybrid", "day": "2026-03-02", "strategy": "popular", "experiment": "exp",
         "variant": "hybrid", "answers": 2, "cached": 0, "fallbacks": 2, "latency_ms_sum": 20.0,
         "latency_le10": 2},
        {"_id": "hybrid|2026-03-02|other|hybrid", "day": "2026-03-02", "strategy": "hybrid", "experiment": "other",
         "variant": "hybrid", "answers": 99, "cached": 0, "fallbacks": 0, "latency_ms_sum": 1.0,
         "latency_le5": 99},
    ])
    control, hybrid = (await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)).variants
    assert control.served is None
    assert hybrid.served is not None
    assert (hybrid.served.answers, hybrid.served.cached, hybrid.served.fallbacks) == (20, 5, 4)
    assert (hybrid.served.fallback_rate, hybrid.served.latency_mean_ms) == (0.2, 10.0)
    assert hybrid.served.latency_p95_ms == 50.0  # 18 of 20 answers within 10 ms: the 19th falls in le50


async def test_mastery_gained_counts_skills_practised_after_the_first_impression(tmp_path: Path) -> None:
    await an_experiment(guardrails=[ExperimentMetric.MASTERY_GAINED])
    await Exercise.insert_many([Exercise(id="mx-1", skills=["sql"], course_id="c-sql"),
                                Exercise(id="mx-2", skills=["joins", "sql"], course_id="c-sql"),
                                Exercise(id="mx-3", skills=["python"], course_id="c-py")])
    await store([event("u1", IMPRESSION, "control", course="c-sql", hours=1)],
                [event("u2", IMPRESSION, "hybrid", course="c-py", hours=1)])
    after, before = START + timedelta(hours=5), START - timedelta(days=3)
    await KnowledgeState.insert_many([
        KnowledgeState(id="u1", user_id="u1", skills={
            field_key("sql"): SkillMastery(probability=0.9, attempts=4, correct=4, practiced_at=after),
            field_key("joins"): SkillMastery(probability=0.95, attempts=4, correct=4, practiced_at=before)}),
        KnowledgeState(id="u2", user_id="u2", skills={
            field_key("python"): SkillMastery(probability=0.01, attempts=2, correct=0, practiced_at=after)}),
    ])
    settings = Settings(default_consents=["analytics"], analytics_min_group=1, data_dir=tmp_path)
    trackers = trackers_for(settings)
    prior = trackers.tracker().prior("sql")
    report = await experiment_report("exp", NOW, settings, trackers)
    control, hybrid = report.variants
    gained = next(m for m in control.metrics if m.metric == ExperimentMetric.MASTERY_GAINED)
    assert (gained.numerator, gained.denominator) == (pytest.approx(0.9 - prior), 2.0)  # joins practised before
    lost = next(m for m in hybrid.metrics if m.metric == ExperimentMetric.MASTERY_GAINED)
    assert (lost.numerator, lost.denominator) == (0.0, 1.0)  # below the prior: no gain, never negative


async def an_interleaving(guardrails: list[ExperimentMetric] | None = None) -> None:
    await an_experiment(guardrails=guardrails)
    experiment = await Experiment.get("exp")
    assert experiment is not None
    experiment.kind = ExperimentKind.INTERLEAVING
    await experiment.save()


async def test_an_interleaving_report_credits_each_ranker_and_tests_the_learners_preference() -> None:
    await an_interleaving()
    learners = [f"i{n}" for n in range(12)]
    await store(*[[event(u, IMPRESSION, team) for team in ("control", "hybrid", "control", "hybrid")]
                  for u in learners],
                *[[event(u, CLICK, "hybrid"), event(u, CLICK, "hybrid")] for u in learners[:9]],
                *[[event(u, CLICK, "control")] for u in learners[6:]])
    report = await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)
    assert report.kind == ExperimentKind.INTERLEAVING and report.mixed_learners == 0
    result = report.interleaving
    assert result is not None
    assert (result.credit, result.credit_control, result.credit_treatment) == ("clicks", 6, 18)
    preference = result.preference
    assert (preference.learners, preference.wins_a, preference.wins_b, preference.ties) == (12, 3, 9, 0)
    assert preference.score == pytest.approx((6 * 1 + 3 * (1 / 3) + 3 * -1) / 12)
    assert [v.learners for v in report.variants] == [12, 12]
    assert [v.impressions for v in report.variants] == [24, 24]
    assert report.sample_ratio.observed == () and not report.sample_ratio.mismatch
    assert report.recommended_learners is None and report.daily == ()
    assert result.daily[-1].preference == preference


async def test_an_interleaving_report_credits_enrolments_to_the_ranker_of_the_first_impression() -> None:
    await an_interleaving(guardrails=[ExperimentMetric.ENROLMENT])
    await store([event("u1", IMPRESSION, "hybrid", course="c-a", hours=1),
                 event("u1", IMPRESSION, "control", course="c-a", hours=2),
                 event("u1", IMPRESSION, "control", course="c-b", hours=1)])
    await Enrollment.insert_many([
        Enrollment(id=Enrollment.key("u1", "c-a"), user_id="u1", course_id="c-a", started_at=START + timedelta(days=1)),
        Enrollment(id=Enrollment.key("u1", "c-b"), user_id="u1", course_id="c-b", started_at=START + timedelta(days=9)),
    ])
    result = (await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)).interleaving
    assert result is not None
    assert (result.credit, result.credit_control, result.credit_treatment) == ("clicks and enrolments", 0, 1)
