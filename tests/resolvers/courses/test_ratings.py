"""resolvers.courses.ratings: one rating per learner and course, and the course average over learners."""

import asyncio
from typing import Any

import pytest

from app.core.documents import Course, Rating
from resolvers.courses.courses import upsert_courses
from resolvers.courses.ratings import MAX_REVIEW_CHARS, rate_course
from resolvers.errors import ErrorCode, UseCaseError

pytestmark = pytest.mark.usefixtures("clean")


async def _seed() -> None:
    await upsert_courses(
        [{"id": "c1", "title": "One"}, {"id": "c2", "title": "Two"},
         {"id": "hidden", "title": "Hidden", "published": False}],
        100,
    )


async def _summary(course_id: str) -> tuple[Any, Any]:
    raw: dict[str, Any] | None = await Course.get_pymongo_collection().find_one({"_id": course_id})
    assert raw is not None
    return raw["stats"].get("rating_average"), raw["stats"].get("rating_count")


async def test_rating_is_stored_and_feeds_the_course() -> None:
    await _seed()
    rating = await rate_course("u1", "c1", 4, "Good")
    assert (rating.id, rating.user_id, rating.course_id, rating.rating, rating.review) == ("u1:c1", "u1", "c1", 4,
                                                                                           "Good")
    assert rating.created_at == rating.updated_at
    stored = await Rating.get("u1:c1")
    assert stored is not None
    assert stored.model_dump() == rating.model_dump()
    assert await _summary("c1") == (4.0, 1)
    assert await _summary("c2") == (None, 0)


async def test_rating_again_replaces_and_keeps_created_at() -> None:
    await _seed()
    first = await rate_course("u1", "c1", 2, "meh")
    await asyncio.sleep(0.01)
    second = await rate_course("u1", "c1", 5, None)
    assert await Rating.count() == 1
    stored = await Rating.get("u1:c1")
    assert stored is not None
    assert stored.rating == 5
    assert stored.review is None
    assert stored.created_at == first.created_at
    assert stored.updated_at == second.updated_at
    assert stored.updated_at > first.updated_at
    assert await _summary("c1") == (5.0, 1)


async def test_course_rating_is_the_average_over_learners() -> None:
    await _seed()
    await rate_course("u1", "c1", 4, None)
    await rate_course("u2", "c1", 5, None)
    assert await _summary("c1") == (4.5, 2)
    await rate_course("u3", "c1", 1, None)
    assert await _summary("c1") == (3.333, 3)
    await rate_course("u1", "c1", 1, None)  # replaces 4 with 1
    assert await _summary("c1") == (2.333, 3)
    await rate_course("u2", "c2", 2, None)
    assert await _summary("c2") == (2.0, 1)
    assert await _summary("c1") == (2.333, 3)
    assert await Rating.count() == 4


async def test_average_is_rounded_to_three_decimals() -> None:
    await _seed()
    for user, value in (("u1", 1), ("u2", 2), ("u3", 2)):
        await rate_course(user, "c1", value, None)
    assert await _summary("c1") == (1.667, 3)


@pytest.mark.parametrize("value", [0, 6, -1, 100])
async def test_rating_out_of_range_is_bad_user_input(value: int) -> None:
    await _seed()
    with pytest.raises(UseCaseError) as caught:
        await rate_course("u1", "c1", value, None)
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == "rating must be between 1 and 5"
    assert await Rating.count() == 0
    assert await _summary("c1") == (None, 0)


@pytest.mark.parametrize("value", [1, 5])
async def test_rating_bounds_are_accepted(value: int) -> None:
    await _seed()
    assert (await rate_course("u1", "c1", value, None)).rating == value


async def test_review_of_10000_chars_is_accepted_10001_refused() -> None:
    await _seed()
    assert MAX_REVIEW_CHARS == 10_000
    await rate_course("u1", "c1", 3, "é" * 10_000)
    stored = await Rating.get("u1:c1")
    assert stored is not None
    assert stored.review == "é" * 10_000
    with pytest.raises(UseCaseError) as caught:
        await rate_course("u1", "c1", 5, "x" * 10_001)
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == "review is longer than 10000 characters"
    stored = await Rating.get("u1:c1")
    assert stored is not None
    assert stored.rating == 3
    assert await _summary("c1") == (3.0, 1)


@pytest.mark.parametrize("course_id", ["missing", "hidden"])
async def test_rating_an_unknown_or_unpublished_course_is_not_found(course_id: str) -> None:
    await _seed()
    with pytest.raises(UseCaseError) as caught:
        await rate_course("u1", course_id, 4, None)
    assert caught.value.code is ErrorCode.NOT_FOUND
    assert caught.value.message == f"no course with id {course_id!r}"
    assert await Rating.count() == 0
    assert await Course.get_pymongo_collection().count_documents({"_id": "missing"}) == 0
