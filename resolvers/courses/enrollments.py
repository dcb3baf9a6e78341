"""Enrolments and progress."""

from app.core.documents import Course, Enrollment, EnrollmentStatus
from app.core.timestamps import utcnow
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.learner_writes import insert_learner_once, replace_learner


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
    if await insert_learner_once(Enrollment, user_id, {"_id": key}, fresh.model_dump(by_alias=True)):
        await Course.get_pymongo_collection().update_one({"_id": course_id}, {"$inc": {"stats.enrollments": 1}})
    enrollment = await Enrollment.get(key)
    assert enrollment is not None
    return enrollment


async def update_progress(user_id: str, course_id: str, progress: float) -> Enrollment:
    """Record progress (0–1); 1 completes the course (once: completing again keeps the first date).
    The learner must be enrolled."""
    if not 0.0 <= progress <= 1.0:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "progress must be between 0 and 1")
    enrollment = await Enrollment.get(Enrollment.key(user_id, course_id))
    if enrollment is None:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"not enrolled in course {course_id!r}")
    now = utcnow()
    enrollment.progress, enrollment.last_active_at = progress, now
    newly_completed = progress >= 1.0 and enrollment.completed_at is None
    if progress >= 1.0:
        enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.completed_at = enrollment.completed_at or now
    else:
        enrollment.status, enrollment.completed_at = EnrollmentStatus.ACTIVE, None
    # a whole-document replace: the embedded store keeps `$set` dates as strings
    await replace_learner(Enrollment, user_id, {"_id": enrollment.id}, enrollment.model_dump(by_alias=True))
    if newly_completed:
        await Course.get_pymongo_collection().update_one({"_id": course_id}, {"$inc": {"stats.completions": 1}})
    return enrollment
