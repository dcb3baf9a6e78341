"""resolvers.courses.enrollments: idempotent enrolment, progress and completion."""

import asyncio
from datetime import datetime
from typing import Any

import pytest

from app.core.documents import Course, Enrollment, EnrollmentStatus
from resolvers.courses.courses import upsert_courses
from resolvers.courses.enrollments import enroll, require_course, update_progress
from resolvers.errors import ErrorCode, UseCaseError

pytestmark = pytest.mark.usefixtures("clean")


async def _seed() -> None:
    report = await upsert_courses(
        [{"id": "c1", "title": "One"}, {"id": "c2", "title": "Two"},
         {"id": "hidden", "title": "Hidden", "published": False}],
        100,
    )
    assert len(report.created) == 3


async def _count(course_id: str) -> int:
    raw: dict[str, Any] | None = await Course.get_pymongo_collection().find_one({"_id": course_id})
    assert raw is not None
    return int(raw["stats"]["enrollments"])


async def test_enroll_creates_an_active_enrolment_and_counts_it() -> None:
    await _seed()
    enrollment = await enroll("u1", "c1")
    assert enrollment.id == "u1:c1"
    assert enrollment.user_id == "u1"
    assert enrollment.course_id == "c1"
    assert enrollment.status is EnrollmentStatus.ACTIVE
    assert enrollment.progress == 0.0
    assert enrollment.completed_at is None
    assert enrollment.started_at.tzinfo is not None
    assert await _count("c1") == 1
    assert await _count("c2") == 0
    assert await Enrollment.count() == 1


async def test_enroll_is_idempotent_and_counts_once() -> None:
    await _seed()
    first = await enroll("u1", "c1")
    await asyncio.sleep(0.01)
    again = await enroll("u1", "c1")
    assert again.model_dump() == first.model_dump()
    assert await _count("c1") == 1
    assert await Enrollment.count() == 1


async def test_enroll_again_keeps_progress() -> None:
    await _seed()
    await enroll("u1", "c1")
    await update_progress("u1", "c1", 0.4)
    again = await enroll("u1", "c1")
    assert again.progress == 0.4
    assert await _count("c1") == 1


async def test_concurrent_enrolments_count_once() -> None:
    await _seed()
    results = await asyncio.gather(*(enroll("u1", "c1") for _ in range(5)))
    assert {r.id for r in results} == {"u1:c1"}
    assert await _count("c1") == 1
    assert await Enrollment.count() == 1


async def test_each_learner_counts() -> None:
    await _seed()
    for user in ("u1", "u2", "u3"):
        await enroll(user, "c1")
    await enroll("u1", "c2")
    assert await _count("c1") == 3
    assert await _count("c2") == 1
    assert sorted(e.id for e in await Enrollment.find_all().to_list()) == ["u1:c1", "u1:c2", "u2:c1", "u3:c1"]


@pytest.mark.parametrize("course_id", ["missing", "hidden"])
async def test_enrolling_in_an_unknown_or_unpublished_course_is_not_found(course_id: str) -> None:
    await _seed()
    with pytest.raises(UseCaseError) as caught:
        await enroll("u1", course_id)
    assert caught.value.code is ErrorCode.NOT_FOUND
    assert caught.value.message == f"no course with id {course_id!r}"
    assert await Enrollment.count() == 0
    assert await _count("hidden") == 0


async def test_require_course() -> None:
    await _seed()
    assert (await require_course("c1")).id == "c1"
    for course_id in ("missing", "hidden"):
        with pytest.raises(UseCaseError) as caught:
            await require_course(course_id)
        assert caught.value.code is ErrorCode.NOT_FOUND


async def test_progress_one_completes_with_completed_at() -> None:
    await _seed()
    await enroll("u1", "c1")
    done = await update_progress("u1", "c1", 1.0)
    assert done.status is EnrollmentStatus.COMPLETED
    assert done.progress == 1.0
    assert done.completed_at is not None
    assert done.completed_at == done.last_active_at
    stored = await Enrollment.get("u1:c1")
    assert stored is not None
    assert stored.status is EnrollmentStatus.COMPLETED
    assert stored.progress == 1.0
    assert stored.completed_at == done.completed_at


async def test_progress_dates_are_stored_as_aware_dates() -> None:
    await _seed()
    await enroll("u1", "c1")
    done = await update_progress("u1", "c1", 1.0)
    raw: dict[str, Any] | None = await Enrollment.get_pymongo_collection().find_one({"_id": "u1:c1"})
    assert raw is not None
    assert isinstance(raw["last_active_at"], datetime)
    assert isinstance(raw["completed_at"], datetime)
    assert done.last_active_at.tzinfo is not None
    assert done.completed_at is not None
    assert done.completed_at.tzinfo is not None


async def test_progress_back_below_one_is_active_again_without_completed_at() -> None:
    await _seed()
    await enroll("u1", "c1")
    await update_progress("u1", "c1", 1.0)
    back = await update_progress("u1", "c1", 0.5)
    assert back.status is EnrollmentStatus.ACTIVE
    assert back.progress == 0.5
    assert back.completed_at is None
    stored = await Enrollment.get("u1:c1")
    assert stored is not None
    assert (stored.status, stored.progress, stored.completed_at) == (EnrollmentStatus.ACTIVE, 0.5, None)


async def test_progress_updates_last_active_at_and_keeps_started_at() -> None:
    await _seed()
    enrolled = await enroll("u1", "c1")
    await asyncio.sleep(0.01)
    moved = await update_progress("u1", "c1", 0.25)
    assert moved.started_at == enrolled.started_at
    # compared without tzinfo: see test_progress_dates_are_stored_as_aware_dates for the awareness itself
    assert moved.last_active_at.replace(tzinfo=None) > enrolled.last_active_at.replace(tzinfo=None)
    assert moved.status is EnrollmentStatus.ACTIVE
    assert moved.completed_at is None


@pytest.mark.parametrize("progress", [0.0, 0.999, 1.0])
async def test_progress_bounds_are_accepted(progress: float) -> None:
    await _seed()
    await enroll("u1", "c1")
    result = await update_progress("u1", "c1", progress)
    assert result.progress == progress
    expected = EnrollmentStatus.COMPLETED if progress == 1.0 else EnrollmentStatus.ACTIVE
    assert result.status is expected


@pytest.mark.parametrize("progress", [-0.01, 1.01, 2.0, -1.0, float("nan"), float("inf")])
async def test_progress_out_of_range_is_bad_user_input(progress: float) -> None:
    await _seed()
    await enroll("u1", "c1")
    await update_progress("u1", "c1", 0.3)
    with pytest.raises(UseCaseError) as caught:
        await update_progress("u1", "c1", progress)
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == "progress must be between 0 and 1"
    stored = await Enrollment.get("u1:c1")
    assert stored is not None
    assert stored.progress == 0.3


async def test_progress_when_not_enrolled_is_not_found_and_creates_nothing() -> None:
    await _seed()
    await enroll("u2", "c1")
    with pytest.raises(UseCaseError) as caught:
        await update_progress("u1", "c1", 0.5)
    assert caught.value.code is ErrorCode.NOT_FOUND
    assert caught.value.message == "not enrolled in course 'c1'"
    assert await Enrollment.count() == 1
    with pytest.raises(UseCaseError) as caught:
        await update_progress("u1", "missing", 0.5)
    assert caught.value.code is ErrorCode.NOT_FOUND


async def test_progress_of_one_learner_does_not_touch_another() -> None:
    await _seed()
    await enroll("u1", "c1")
    await enroll("u2", "c1")
    await update_progress("u1", "c1", 1.0)
    other = await Enrollment.get("u2:c1")
    assert other is not None
    assert (other.status, other.progress, other.completed_at) == (EnrollmentStatus.ACTIVE, 0.0, None)
