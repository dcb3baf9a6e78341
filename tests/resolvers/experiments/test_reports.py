"""An experiment's report from seeded events: counts and learner-level rates per variant, the comparison with the
control, the sample-ratio check, enrolment and completion windows, the daily series, and who is counted."""

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from app.core.documents import Enrollment, Event, User
from app.core.documents.experiments import (
    Experiment,
    ExperimentMetric,
    ExperimentStatus,
    Population,
    Variant,
)
from app.core.settings import Settings
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.experiments.reports import experiment_report
from resolvers.experiments.statistics import Sample, compare

pytestmark = pytest.mark.usefixtures("clean")

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = START + timedelta(days=2, hours=3)
ANALYTICS_BY_DEFAULT = Settings(default_consents=["analytics"], analytics_min_group=1)


async def an_experiment(shares: tuple[float, float] = (0.5, 0.5), primary: ExperimentMetric =
                        ExperimentMetric.CLICK_THROUGH, guardrails: list[ExperimentMetric] | None = None) -> None:
    await Experiment(
        id="exp", name="Hybrid against popular", hypothesis="Hybrid lists get more clicks.",
        status=ExperimentStatus.RUNNING,
        variants=[Variant(name="control", strategy="popular", share=shares[0], diversity=None, first=None),
                  Variant(name="hybrid", strategy="hybrid", share=shares[1], diversity=None, first=None)],
        population=Population(new_learners=None, segment=None), primary_metric=primary,
        guardrails=guardrails or [], created_at=START - timedelta(days=1), started_at=START, stopped_at=None,
    ).insert()


_counter = iter(range(10**9))


def event(user: str, kind: str, variant: str, course: str = "c1", hours: float = 1.0,
          experiment: str = "exp") -> dict[str, Any]:
    n = next(_counter)
    document = Event(id=Event.key(user, f"e{n}"), user_id=user, event_id=f"e{n}", type=kind, course_id=course,
                     server_timestamp=START + timedelta(hours=hours),
                     properties={"experiment": experiment, "variant": variant, "position": 0})
    dumped: dict[str, Any] = document.model_dump(by_alias=True)
    return dumped


def shown(user: str, variant: str, impressions: int, clicks: int, hours: float = 1.0) -> list[dict[str, Any]]:
    return ([event(user, "recommendation_impression", variant, hours=hours) for _ in range(impressions)]
            + [event(user, "recommendation_click", variant, hours=hours) for _ in range(clicks)])


async def store(*groups: list[dict[str, Any]]) -> None:
    await Event.get_pymongo_collection().insert_many([e for group in groups for e in group])


async def test_counts_and_learner_level_click_through_per_variant() -> None:
    await an_experiment()
    await store(shown("u1", "control", 10, 1), shown("u2", "control", 2, 2), shown("u3", "hybrid", 4, 1),
                shown("u4", "hybrid", 4, 3), shown("u5", "hybrid", 2, 0),
                [event("u1", "recommendation_impression", "control", experiment="other"),
                 event("u1", "course_view", "control")])
    report = await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)
    control, hybrid = report.variants
    assert (control.name, control.control, control.learners, control.impressions, control.clicks) == (
        "control", True, 2, 12, 3)
    assert (hybrid.name, hybrid.control, hybrid.learners, hybrid.impressions, hybrid.clicks) == (
        "hybrid", False, 3, 10, 4)
    assert control.click_through_rate == pytest.approx(3 / 12)
    assert hybrid.click_through_rate == pytest.approx(4 / 10)
    assert control.metrics[0].comparison is None
    expected = compare(Sample(np.array([1.0, 2.0]), np.array([10.0, 2.0])),
                       Sample(np.array([1.0, 3.0, 0.0]), np.array([4.0, 4.0, 2.0])))
    assert hybrid.metrics[0].comparison == expected  # one pair per learner, not one trial per impression
    assert report.metrics == (ExperimentMetric.CLICK_THROUGH, ExperimentMetric.DISMISSAL)
    assert (report.excluded_learners, report.mixed_learners) == (0, 0)


async def test_sample_ratio_mismatch_is_flagged_when_counts_do_not_fit_the_shares() -> None:
    await an_experiment(shares=(0.9, 0.1))
    await store(*[shown(f"a{n}", "control", 1, 0) for n in range(20)],
                *[shown(f"b{n}", "hybrid", 1, 0) for n in range(20)])
    report = await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)
    assert report.sample_ratio.observed == (20, 20)
    assert report.sample_ratio.mismatch


async def test_sample_ratio_fits_when_counts_match_the_shares() -> None:
    await an_experiment()
    await store(*[shown(f"a{n}", "control", 1, 0) for n in range(20)],
                *[shown(f"b{n}", "hybrid", 1, 0) for n in range(19)])
    assert not (await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)).sample_ratio.mismatch


async def test_enrolment_counts_courses_enrolled_within_seven_days_of_their_first_impression() -> None:
    await an_experiment(primary=ExperimentMetric.ENROLMENT, guardrails=[ExperimentMetric.COMPLETION])
    await store([event("u1", "recommendation_impression", "control", course, hours=1)
                 for course in ("soon", "late", "before", "never")],
                [event("u1", "recommendation_impression", "control", "soon", hours=30)],
                [event("u2", "recommendation_impression", "hybrid", "soon", hours=2)])

    def enrolment(user: str, course: str, days: float, completed_days: float | None = None) -> Enrollment:
        at = START + timedelta(hours=1, days=days)
        completed = None if completed_days is None else START + timedelta(hours=1, days=completed_days)
        return Enrollment(id=Enrollment.key(user, course), user_id=user, course_id=course, started_at=at,
                          completed_at=completed)

    await Enrollment.insert_many([enrolment("u1", "soon", 3, completed_days=20), enrolment("u1", "late", 8),
                                  enrolment("u1", "before", -1, completed_days=2),
                                  enrolment("u2", "soon", 1, completed_days=40)])
    report = await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)
    assert report.metrics == (ExperimentMetric.CLICK_THROUGH, ExperimentMetric.DISMISSAL, ExperimentMetric.ENROLMENT,
                              ExperimentMetric.COMPLETION)
    control, hybrid = report.variants
    enrolled, completed = control.metrics[2], control.metrics[3]
    assert (enrolled.numerator, enrolled.denominator, enrolled.rate) == (1.0, 4.0, 0.25)
    assert (completed.numerator, completed.denominator) == (1.0, 4.0)
    assert (hybrid.metrics[2].rate, hybrid.metrics[3].rate) == (1.0, 0.0)  # completed after 40 days: not counted
    assert hybrid.metrics[2].comparison is not None


async def test_learners_without_the_analytics_consent_are_not_counted() -> None:
    await an_experiment()
    await User.get_pymongo_collection().insert_many([
        {"_id": "refused", "consents": {"analytics": False}}, {"_id": "granted", "consents": {"analytics": True}}])
    await store(shown("refused", "control", 5, 5), shown("granted", "control", 2, 1), shown("silent", "hybrid", 2, 0))
    by_default = await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)
    assert [v.learners for v in by_default.variants] == [1, 1]
    assert by_default.variants[0].clicks == 1
    assert by_default.excluded_learners == 1
    only_stated = await experiment_report("exp", NOW, Settings(default_consents=[], analytics_min_group=1))
    assert [v.learners for v in only_stated.variants] == [1, 0]
    assert only_stated.excluded_learners == 2


async def test_a_learner_seen_in_two_variants_is_left_out() -> None:
    await an_experiment()
    await store(shown("u1", "control", 2, 1), shown("u1", "hybrid", 2, 1), shown("u2", "hybrid", 3, 1))
    report = await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)
    assert [v.learners for v in report.variants] == [0, 1]
    assert report.mixed_learners == 1


async def test_daily_series_is_cumulative_from_the_start_to_today() -> None:
    await an_experiment()
    await store(shown("a1", "control", 4, 1, hours=1), shown("a2", "control", 4, 2, hours=1),
                shown("b1", "hybrid", 4, 2, hours=2), shown("b2", "hybrid", 4, 1, hours=26),
                shown("a1", "control", 4, 0, hours=50))
    report = await experiment_report("exp", NOW, ANALYTICS_BY_DEFAULT)
    assert [point.day for point in report.daily] == [START.date() + timedelta(days=n) for n in range(3)]
    assert {point.variant for point in report.daily} == {"hybrid"}
    assert [(p.learners, p.control_learners) for p in report.daily] == [(1, 2), (2, 2), (2, 2)]
    assert [p.comparison.treatment_rate for p in report.daily] == pytest.approx([2 / 4, 3 / 8, 3 / 8])
    assert [p.comparison.control_rate for p in report.daily] == pytest.approx([3 / 8, 3 / 8, 3 / 12])
    assert report.daily[-1].comparison == report.variants[1].metrics[0].comparison


async def test_an_unknown_experiment_is_not_found() -> None:
    with pytest.raises(UseCaseError) as raised:
        await experiment_report("nope", NOW, ANALYTICS_BY_DEFAULT)
    assert raised.value.code == ErrorCode.NOT_FOUND
