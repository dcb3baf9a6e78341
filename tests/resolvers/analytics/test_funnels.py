"""Course funnels from seeded views and enrolments: stage counts and shares, a learner without a view counted from
enrolment on, the analytics consent, small stages suppressed, `since`, the top courses, and bad input."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.documents import Course, Enrollment, EnrollmentStatus, Event, User
from app.core.settings import Settings
from resolvers.analytics.funnels import FunnelStage, course_funnel, course_funnels, enrolment_levels, stage_counts
from resolvers.errors import ErrorCode, UseCaseError

pytestmark = pytest.mark.usefixtures("clean")

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
K3 = Settings(default_consents=["analytics"], analytics_min_group=3)
_counter = iter(range(10**9))


def view(user: str, course: str, hours: float = 0, kind: str = "course_view") -> dict[str, Any]:
    n = next(_counter)
    document = Event(id=Event.key(user, f"v{n}"), user_id=user, event_id=f"v{n}", type=kind, course_id=course,
                     server_timestamp=T0 + timedelta(hours=hours))
    dumped: dict[str, Any] = document.model_dump(by_alias=True)
    return dumped


def enrolled(user: str, course: str, progress: float, days: float = 0, completed: bool = False,
             status: EnrollmentStatus = EnrollmentStatus.ACTIVE) -> Enrollment:
    return Enrollment(id=Enrollment.key(user, course), user_id=user, course_id=course, progress=progress,
                      status=status, started_at=T0 + timedelta(days=days),
                      completed_at=T0 + timedelta(days=days + 5) if completed else None)


async def seed_course(course: str = "c1", title: str = "Algebra I") -> None:
    await Course(id=course, title=title).insert()


async def seed_c1() -> None:
    """Viewed 8 (2 only viewed), enrolled 6 (2 without a view), 25%: 5, 50%: 4, 75%: 3, completed: 2; and `x`,
    who refused analytics, at every stage."""
    await seed_course()
    await Event.get_pymongo_collection().insert_many([
        view("a", "c1"), view("a", "c1", 1), view("b", "c1"), view("c", "c1", kind="recommendation_click"),
        view("d", "c1"), view("e", "c1"), view("h", "c1"), view("x", "c1"), view("z", "c2"),
        view("a", "c1", kind="recommendation_impression")])
    await Enrollment.insert_many([
        enrolled("c", "c1", 0.1), enrolled("d", "c1", 0.3), enrolled("e", "c1", 0.6), enrolled("f", "c1", 0.8),
        enrolled("g", "c1", 1.0, status=EnrollmentStatus.COMPLETED), enrolled("h", "c1", 0.5, completed=True),
        enrolled("x", "c1", 1.0, completed=True), enrolled("z", "c2", 0.9)])
    await User.get_pymongo_collection().insert_many([
        {"_id": "x", "consents": {"analytics": False}}, {"_id": "a", "consents": {"analytics": True}}])


def numbers(funnel: Any) -> list[tuple[Any, ...]]:
    return [(s.stage, s.suppressed, s.learners, s.share_of_previous, s.share_of_first, s.drop_off)
            for s in funnel.stages]


async def test_a_funnel_counts_learners_per_stage_with_shares_and_drop_off() -> None:
    await seed_c1()
    funnel = await course_funnel("c1", None, K3)
    assert (funnel.course_id, funnel.title, funnel.since, funnel.learners) == ("c1", "Algebra I", None, 8)
    assert numbers(funnel) == [
        (FunnelStage.VIEWED, False, 8, 1.0, 1.0, None),
        (FunnelStage.ENROLLED, False, 6, 6 / 8, 6 / 8, 2),
        (FunnelStage.PROGRESS_25, False, 5, 5 / 6, 5 / 8, 1),
        (FunnelStage.PROGRESS_50, False, 4, 4 / 5, 4 / 8, 1),
        (FunnelStage.PROGRESS_75, False, 3, 3 / 4, 3 / 8, 1),
        (FunnelStage.COMPLETED, True, None, None, None, None),  # 2 learners, under k = 3
    ]


async def test_a_stage_of_exactly_k_learners_is_shown() -> None:
    await seed_c1()
    funnel = await course_funnel("c1", None, Settings(default_consents=["analytics"], analytics_min_group=2))
    assert numbers(funnel)[-1] == (FunnelStage.COMPLETED, False, 2, 2 / 3, 2 / 8, 1)


async def test_without_analytics_by_default_only_learners_who_granted_it_count() -> None:
    await seed_c1()
    funnel = await course_funnel("c1", None, Settings(default_consents=[], analytics_min_group=1))
    assert [s.learners for s in funnel.stages] == [1, None, None, None, None, None]


async def test_since_counts_learners_who_viewed_or_enrolled_since_with_their_whole_enrolment() -> None:
    await seed_course()
    await Event.get_pymongo_collection().insert_many([
        view("old", "c1", hours=1), view("new1", "c1", hours=49), view("new2", "c1", hours=50),
        view("back", "c1", hours=60)])
    await Enrollment.insert_many([
        enrolled("old", "c1", 0.9), enrolled("back", "c1", 0.6, days=0), enrolled("new3", "c1", 0.3, days=3),
        enrolled("gone", "c1", 1.0, days=1, completed=True)])
    funnel = await course_funnel("c1", T0 + timedelta(days=2), Settings(default_consents=["analytics"],
                                                                          analytics_min_group=1))
    assert funnel.since == T0 + timedelta(days=2)
    # new1, new2, back (viewed since; enrolled before, at 60%), new3 (enrolled since, no view)
    assert [s.learners for s in funnel.stages] == [4, 2, 2, 1, None, None]


async def test_a_naive_since_is_utc() -> None:
    await seed_course()
    funnel = await course_funnel("c1", datetime(2026, 3, 4), K3)
    assert funnel.since == datetime(2026, 3, 4, tzinfo=UTC)


async def test_a_course_without_learners_is_wholly_suppressed() -> None:
    await seed_course()
    funnel = await course_funnel("c1", None, K3)
    assert all(s.suppressed and s.learners is None for s in funnel.stages)


async def test_an_unknown_course_is_not_found() -> None:
    with pytest.raises(UseCaseError) as raised:
        await course_funnel("nope", None, K3)
    assert raised.value.code == ErrorCode.NOT_FOUND


async def test_top_funnels_rank_catalog_courses_by_learners_and_leave_out_small_ones() -> None:
    await seed_c1()
    await seed_course("c2", "Geometry")
    await seed_course("c3", "Calculus")
    await Event.get_pymongo_collection().insert_many(
        [view(user, "c3") for user in ("p", "q", "r")] + [view(user, "gone") for user in ("p", "q", "r", "s")]
        + [{**view(user, "c3"), "course_id": None} for user in ("s", "t", "u")])  # views of no course
    funnels = await course_funnels(20, None, K3)
    assert [(f.course_id, f.title, f.learners) for f in funnels] == [("c1", "Algebra I", 8), ("c3", "Calculus", 3)]
    assert [(f.course_id) for f in await course_funnels(1, None, K3)] == ["c1"]


@pytest.mark.parametrize("first", [0, 101])
async def test_top_funnels_refuse_a_page_size_out_of_range(first: int) -> None:
    with pytest.raises(UseCaseError) as raised:
        await course_funnels(first, None, K3)
    assert raised.value.code == ErrorCode.BAD_USER_INPUT
    assert "first" in raised.value.message


def test_levels_count_milestones_and_completion_reaches_the_last_stage() -> None:
    assert enrolment_levels([0.0, 0.25, 0.49, 0.5, 0.75, 1.0, 0.1], [0, 0, 0, 0, 0, 0, 1]) == [1, 2, 2, 3, 4, 4, 5]
    assert stage_counts([0, 1, 1, 5]) == [4, 3, 1, 1, 1, 1]
    assert stage_counts([]) == [0, 0, 0, 0, 0, 0]
