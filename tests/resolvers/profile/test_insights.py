"""resolvers.profile.insights: a learner's stored insights read at a moment, as plain values."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from app.core.documents import User
from app.core.documents.profiles import INTEREST_EPOCH, Activity, Insights, QuizTally
from app.core.timestamps import as_utc_or_none
from resolvers.profile.insights import (
    Interest,
    Share,
    SkillAccuracy,
    current_streak,
    insights_of,
    interest_weights,
    quiz_accuracy,
    recent_activity_of,
    top_interests,
)

pytestmark = pytest.mark.usefixtures("database")  # documents need Beanie bound, not any data

HALF_LIFE = 10.0
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def stored_at(weight: float, at: datetime) -> float:
    return float(weight * 2 ** ((at - INTEREST_EPOCH).total_seconds() / (HALF_LIFE * 86_400)))


def learner(**insights: Any) -> User:
    return User(id="u1", insights=Insights(**insights))


def test_interest_weights_halve_every_half_life() -> None:
    insights = Insights(interest_scores={"python": stored_at(4.0, NOW)})
    assert interest_weights(insights, NOW, HALF_LIFE)["python"] == pytest.approx(4.0)
    later = NOW + timedelta(days=HALF_LIFE)
    assert interest_weights(insights, later, HALF_LIFE)["python"] == pytest.approx(2.0)


def test_top_interests_are_positive_strongest_first_with_labels() -> None:
    insights = Insights(
        interest_scores={"python": stored_at(3.0, NOW), "node%2Ejs": stored_at(5.0, NOW),
                         "sql": stored_at(3.0, NOW), "baking": stored_at(-2.0, NOW), "gone": 0.0},
        interest_labels={"python": "Python", "node%2Ejs": "Node.js"},
    )
    found = top_interests(insights, NOW, HALF_LIFE)
    assert [(i.key, i.label) for i in found] == [("node%2Ejs", "Node.js"), ("python", "Python"), ("sql", "sql")]
    assert found[0] == Interest("node%2Ejs", "Node.js", pytest.approx(5.0))  # type: ignore[arg-type]


def test_an_older_signal_weighs_less_than_the_same_signal_today() -> None:
    insights = Insights(interest_scores={"old": stored_at(1.0, NOW - timedelta(days=20)), "new": stored_at(1.0, NOW)})
    weights = {i.key: i.weight for i in top_interests(insights, NOW, HALF_LIFE)}
    assert weights == {"new": pytest.approx(1.0), "old": pytest.approx(0.25)}


def test_histograms_have_every_bucket() -> None:
    view = insights_of(learner(hours={"0": 2, "13": 5}, weekdays={"6": 1}), NOW, HALF_LIFE)
    assert view.hours == [2] + [0] * 12 + [5] + [0] * 10
    assert view.weekdays == [0, 0, 0, 0, 0, 0, 1]


def test_median_session_length() -> None:
    assert insights_of(learner(session_lengths_ms=[30, 10, 20, 1_000]), NOW, HALF_LIFE).median_session_ms == 25
    assert insights_of(learner(), NOW, HALF_LIFE).median_session_ms is None


@pytest.mark.parametrize(("last_day", "expected"), [("2026-03-10", 3), ("2026-03-09", 3), ("2026-03-08", 0),
                                                    (None, 0)])
def test_the_current_streak_lapses_after_a_day_without_activity(last_day: str | None, expected: int) -> None:
    insights = Insights(current_streak=3, longest_streak=7, last_active_day=last_day)
    assert current_streak(insights, date(2026, 3, 10)) == expected


def test_today_is_the_learners_own_day() -> None:
    user = User(id="u1", timezone="Pacific/Kiritimati",  # UTC+14: already the 11th there
                insights=Insights(current_streak=2, longest_streak=2, last_active_day="2026-03-09"))
    assert insights_of(user, NOW, HALF_LIFE).current_streak == 0
    user.timezone = None
    assert insights_of(user, NOW, HALF_LIFE).current_streak == 2


def test_shares_are_positive_largest_first_and_sum_to_one() -> None:
    view = insights_of(learner(devices={"mobile": 1, "desktop": 3}, formats={"video": 2.0, "text": 6.0, "audio": 0.0},
                               lengths={"short": 1.0, "long": 1.0}), NOW, HALF_LIFE)
    assert view.devices == [Share("desktop", "desktop", 3, 0.75), Share("mobile", "mobile", 1, 0.25)]
    assert [(s.key, s.share) for s in view.formats] == [("text", 0.75), ("video", 0.25)]
    assert [s.key for s in view.lengths] == ["long", "short"]


def test_completion_rate() -> None:
    assert insights_of(learner(enrolled=4, completed=1), NOW, HALF_LIFE).completion_rate == 0.25
    assert insights_of(learner(), NOW, HALF_LIFE).completion_rate is None


def test_quiz_accuracy_per_skill_most_attempted_first() -> None:
    insights = Insights(quiz={"sql": QuizTally(attempts=2, correct=1), "python": QuizTally(attempts=4, correct=3),
                              "none": QuizTally()}, interest_labels={"python": "Python"})
    assert quiz_accuracy(insights) == [SkillAccuracy("python", "Python", 4, 3, 0.75),
                                       SkillAccuracy("sql", "sql", 2, 1, 0.5)]


def test_a_naive_last_active_time_is_read_as_utc() -> None:
    naive = datetime(2026, 3, 9, 8, 0)
    assert insights_of(learner(last_active_at=naive), NOW, HALF_LIFE).last_active_at == naive.replace(tzinfo=UTC)
    assert as_utc_or_none(None) is None


def test_recent_activity_newest_first_limited() -> None:
    stamps = [NOW - timedelta(minutes=m) for m in (30, 20, 10)]
    user = User(id="u1", recent_activity=[Activity(type=f"t{i}", at=at) for i, at in enumerate(stamps)])
    assert [a.type for a in recent_activity_of(user, 2)] == ["t2", "t1"]
    assert [a.type for a in recent_activity_of(user, 10)] == ["t2", "t1", "t0"]


def test_of_activities_at_the_same_instant_the_one_stored_last_comes_first() -> None:
    user = User(id="u1", recent_activity=[Activity(type=f"t{i}", at=NOW) for i in range(3)])
    assert [a.type for a in recent_activity_of(user, 3)] == ["t2", "t1", "t0"]


def test_an_empty_profile_reads_as_zeros() -> None:
    view = insights_of(learner(), NOW, HALF_LIFE)
    assert (view.interests, view.devices, view.quiz_accuracy, view.events, view.last_active_at) == ([], [], [], 0, None)
    assert (view.current_streak, view.longest_streak, view.active_days) == (0, 0, 0)
