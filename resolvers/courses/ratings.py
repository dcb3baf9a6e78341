"""Ratings and reviews, and the course statistics they feed (`Course.stats`, never the platform's own
catalog rating)."""

from typing import Any

from app.core.documents import Course, Rating
from app.core.encryption.sealed_fields import get_opened
from app.core.timestamps import utcnow
from resolvers.courses.enrollments import require_course
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.learner_writes import save_sealed_learner

MAX_REVIEW_CHARS = 10_000


async def rate_course(user_id: str, course_id: str, rating: int, review: str | None) -> Rating:
    """Rate a course 1–5; rating again replaces the earlier rating."""
    if not 1 <= rating <= 5:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "rating must be between 1 and 5")
    if review is not None and len(review) > MAX_REVIEW_CHARS:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"review is longer than {MAX_REVIEW_CHARS} characters")
    await require_course(course_id)
    key = Rating.key(user_id, course_id)
    stored = await get_opened(Rating, key)
    now = utcnow()
    created = stored.created_at if stored else now
    document = Rating(id=key, user_id=user_id, course_id=course_id, rating=rating, review=review,
                      created_at=created, updated_at=now)
    await save_sealed_learner("ratings", user_id, document)
    await _refresh_course_rating(course_id)
    return document


async def _refresh_course_rating(course_id: str) -> None:
    pipeline: list[dict[str, Any]] = [
        {"$match": {"course_id": course_id}},
        {"$group": {"_id": "$course_id", "average": {"$avg": "$rating"}, "count": {"$sum": 1}}},
    ]
    rows = await Rating.get_pymongo_collection().aggregate(pipeline)
    summary = await rows.to_list()
    if summary:
        average = round(float(summary[0]["average"]), 3)
        await Course.get_pymongo_collection().update_one(
            {"_id": course_id},
            {"$set": {"stats.rating_average": average, "stats.rating_count": int(summary[0]["count"])}},
        )
