"""What each recommender serves most, from seeded servings: answers, servings and shares, catalog coverage, the
Gini coefficient over the published catalog, the popularity lift, the day window, and bad input."""

from datetime import UTC, datetime

import numpy as np
import pytest

from app.core.documents import Course, Enrollment, ServedCourse, ServedTally
from resolvers.analytics.popularity import gini, popularity_lift, recommender_popularity
from resolvers.errors import ErrorCode, UseCaseError

pytestmark = pytest.mark.usefixtures("clean")

NOW = datetime(2026, 3, 28, 15, 0, tzinfo=UTC)


def served(day: str, strategy: str, course: str, answers: int) -> ServedCourse:
    return ServedCourse(id=f"{day}|{strategy}|{course}", day=day, strategy=strategy, course_id=course,
                        answers=answers)


async def seed() -> None:
    """Published c1–c4 with 6, 2, 0, 0 enrolments (mean 2) and unpublished c5; `popular` serves c1 80 times and c2
    20 times, `hybrid` c1–c4 25 times each (and c5 10 times); old servings fall outside 28 days."""
    await Course.insert_many([Course(id=f"c{n}", title=f"Course {n}") for n in range(1, 5)]
                             + [Course(id="c5", title="Hidden", published=False)])
    await Enrollment.insert_many([Enrollment(id=Enrollment.key(f"u{n}", course), user_id=f"u{n}", course_id=course)
                                  for course, count in (("c1", 6), ("c2", 2), ("c5", 4)) for n in range(count)])
    await ServedCourse.insert_many(
        [served("2026-03-28", "popular", "c1", 50), served("2026-03-01", "popular", "c1", 30),
         served("2026-03-10", "popular", "c2", 20), served("2026-02-28", "popular", "c3", 500)]
        + [served("2026-03-20", "hybrid", f"c{n}", 25) for n in range(1, 5)]
        + [served("2026-03-20", "hybrid", "c5", 10)])
    await ServedTally.insert_many([
        ServedTally(id="2026-03-28|popular||", day="2026-03-28", strategy="popular", answers=60),
        ServedTally(id="2026-03-20|hybrid|exp|b", day="2026-03-20", strategy="hybrid", experiment="exp",
                    variant="b", answers=40)])


async def test_each_strategy_with_its_servings_coverage_gini_and_lift() -> None:
    await seed()
    rows = await recommender_popularity(28, 10, NOW)
    assert [(r.strategy, r.answers, r.servings, r.courses_served) for r in rows] == [
        ("hybrid", 40, 110, 5), ("popular", 60, 100, 2)]
    hybrid, popular = rows
    assert (popular.coverage, hybrid.coverage) == (0.5, 1.0)
    # popular over c1..c4: [80, 20, 0, 0]; sorted [0, 0, 20, 80]: 2 * (3 * 20 + 4 * 80) / (4 * 100) - 5 / 4
    assert popular.gini == pytest.approx(0.65)
    assert hybrid.gini == pytest.approx(0.0)
    # popular: (80 * 6 + 20 * 2) / 100 = 5.2 against a catalog mean of 2; hybrid: 2 / 2
    assert popular.popularity_lift == pytest.approx(2.6)
    assert hybrid.popularity_lift == pytest.approx(1.0)
    assert [(c.course_id, c.title, c.servings, c.share) for c in popular.top_courses] == [
        ("c1", "Course 1", 80, 0.8), ("c2", "Course 2", 20, 0.2)]
    assert [(c.course_id, c.title, c.share) for c in hybrid.top_courses[:2]] == [
        ("c1", "Course 1", 25 / 110), ("c2", "Course 2", 25 / 110)]
    assert hybrid.top_courses[-1].course_id == "c5" and hybrid.top_courses[-1].title is None


async def test_the_window_and_the_first_courses() -> None:
    await seed()
    (popular,) = [r for r in await recommender_popularity(1, 1, NOW) if r.strategy == "popular"]
    assert (popular.servings, popular.coverage, popular.gini, popular.popularity_lift) == (50, 0.25, 0.75, 3.0)
    assert [c.course_id for c in popular.top_courses] == ["c1"]
    assert [r.strategy for r in await recommender_popularity(1, 1, NOW)] == ["popular"]


async def test_nothing_served_gives_no_rows() -> None:
    assert await recommender_popularity(28, 10, NOW) == []


async def test_a_strategy_with_answers_but_no_servings_has_no_distribution() -> None:
    await Course(id="c1", title="Course 1").insert()
    await ServedTally(id="2026-03-28|popular||", day="2026-03-28", strategy="popular", answers=3).insert()
    (row,) = await recommender_popularity(28, 10, NOW)
    assert (row.answers, row.servings, row.coverage, row.gini, row.popularity_lift, row.top_courses) == (
        3, 0, 0.0, None, None, ())


def test_gini_of_equal_and_concentrated_servings() -> None:
    assert gini(np.array([5.0, 5.0, 5.0])) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 9.0])) == pytest.approx(0.75)
    assert gini(np.array([0.0, 0.0])) is None
    assert gini(np.array([], dtype=np.float64)) is None


def test_lift_is_none_without_servings_or_popularity() -> None:
    assert popularity_lift(np.array([0.0, 0.0]), np.array([1.0, 3.0])) is None
    assert popularity_lift(np.array([1.0, 0.0]), np.array([0.0, 0.0])) is None
    assert popularity_lift(np.array([1.0, 0.0]), np.array([1.0, 3.0])) == pytest.approx(0.5)


@pytest.mark.parametrize(("days", "first", "name"), [(0, 10, "days"), (367, 10, "days"), (28, 0, "first"),
                                                     (28, 101, "first")])
async def test_arguments_out_of_range_are_refused(days: int, first: int, name: str) -> None:
    with pytest.raises(UseCaseError) as raised:
        await recommender_popularity(days, first, NOW)
    assert raised.value.code == ErrorCode.BAD_USER_INPUT
    assert f"`{name}`" in raised.value.message
