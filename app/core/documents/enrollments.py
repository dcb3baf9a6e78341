"""A learner's enrolment in a course and their progress through it."""

from enum import StrEnum

import pymongo
from beanie import Document
from pydantic import Field
from pymongo import IndexModel

from app.core.timestamps import UtcDatetime, utcnow


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    DROPPED = "dropped"


class Enrollment(Document):
    """One per (user, course); `_id` is `"{user_id}:{course_id}"` so enrolling twice is a no-op."""

    id: str  # type: ignore[assignment]
    user_id: str
    course_id: str
    status: EnrollmentStatus = EnrollmentStatus.ACTIVE
    progress: float = Field(default=0.0, ge=0.0, le=1.0)
    started_at: UtcDatetime = Field(default_factory=utcnow)
    completed_at: UtcDatetime | None = None
    last_active_at: UtcDatetime = Field(default_factory=utcnow)

    @staticmethod
    def key(user_id: str, course_id: str) -> str:
        return f"{user_id}:{course_id}"

    class Settings:
        name = "enrollments"
        indexes = [
            IndexModel([("user_id", pymongo.ASCENDING)], name="enrollment_user"),
            IndexModel([("course_id", pymongo.ASCENDING)], name="enrollment_course"),
        ]
