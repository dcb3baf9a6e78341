"""Enrolments and progress."""

from pymongo import ReturnDocument

from app.documents import Course, Enrollment, EnrollmentStatus
from app.documents.timestamps import utcnow
from resolvers.errors import ErrorCode, UseCaseError


async def require_course(course_id: str) -> Course:
    course = await Course.get(course_id)
    if course is None or not course.published:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"no course with id {course_id!r}")
    return course


async def enroll(user_id: str, course_id: str) -> Enrollment:
    """Enrol the learner; enrolling again returns the existing enrolment unchanged."""
    await require_course(course_id)
    key = Enrollment.key(user_id, course_id)
    fresh = Enrollment(id=key, user_id=user_id, course_id=course_id)
    result = await Enrollment.get_pymongo_collection().update_one(
        {"_id": key}, {"$setOnInsert": fresh.model_dump(by_alias=True)}, upsert=True
    )
    if result.upserted_id is not None:
        await Course.get_pymongo_collection().update_one({"_id": course_id}, {"$inc": {"enrollment_count": 1}})
    enrollment = await Enrollment.get(key)
    assert enrollment is not None
    return enrollment


async def update_progress(user_id: str, course_id: str, progress: float) -> Enrollment:
    """Record progress (0–1); 1 completes the course. The learner must be enrolled."""
    if not 0.0 <= progress <= 1.0:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "progress must be between 0 and 1")
    now = utcnow()
    changes: dict[str, object] = {"progress": progress, "last_active_at": now}
    if progress >= 1.0:
        changes |= {"status": EnrollmentStatus.COMPLETED.value, "completed_at": now}
    else:
        changes |= {"status": EnrollmentStatus.ACTIVE.value, "completed_at": None}
    raw = await Enrollment.get_pymongo_collection().find_one_and_update(
        {"_id": Enrollment.key(user_id, course_id)}, {"$set": changes}, return_document=ReturnDocument.AFTER
    )
    if raw is None:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"not enrolled in course {course_id!r}")
    enrollment: Enrollment = Enrollment.model_validate(raw)
    return enrollment


