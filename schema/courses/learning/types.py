"""GraphQL types of enrolments and ratings."""

from datetime import datetime

import strawberry

from app.core.documents import Enrollment as EnrollmentDocument
from app.core.documents import EnrollmentStatus
from app.core.documents import Rating as RatingDocument
from schema.context import Info
from schema.courses.types import Course
from schema.enums import described_enum
from schema.errors import UserError
from schema.profile.users.learners import LearnerPayload

EnrollmentStatusType = described_enum(EnrollmentStatus, "EnrollmentStatus", "Where a learner is in a course.", {
    "ACTIVE": "Enrolled, progress below 1.",
    "COMPLETED": "Progress reached 1 (updateProgress); completedAt is set.",
    "DROPPED": "The platform reported that the learner left the course.",
})

_ENTITY = "The id is `<userId>:<courseId>`: one per learner and course."


@strawberry.type(description=f"A learner's enrolment in a course. {_ENTITY}")
class Enrollment:
    id: strawberry.ID = strawberry.field(description=_ENTITY)
    status: EnrollmentStatusType = strawberry.field(description="ACTIVE, COMPLETED or DROPPED.")  # type: ignore[valid-type]
    progress: float = strawberry.field(description="0 to 1; 1 means completed.")
    started_at: datetime = strawberry.field(description="When the learner enrolled (UTC).")
    completed_at: datetime | None = strawberry.field(description="When progress first reached 1; null before.")
    last_active_at: datetime = strawberry.field(description="The last enrolment or progress update (UTC).")

    @strawberry.field(description="The enrolled course's id (kept when the course leaves the catalog).")
    def course_id(self, root: strawberry.Parent[EnrollmentDocument]) -> strawberry.ID:
        return strawberry.ID(root.course_id)

    @strawberry.field(description="The course, or null if it left the catalog (batched).")
    async def course(self, root: strawberry.Parent[EnrollmentDocument], info: Info) -> Course | None:
        return await info.context.loaders.course_by_id.load(root.course_id)


@strawberry.type(description=f"A learner's rating of a course; rating again replaces it. {_ENTITY}")
class Rating:
    id: strawberry.ID = strawberry.field(description=_ENTITY)
    rating: int = strawberry.field(description="1 to 5.")
    review: str | None = strawberry.field(description="The learner's review text (≤ 10,000 characters), if any.")
    created_at: datetime = strawberry.field(description="When the course was first rated (UTC).")
    updated_at: datetime = strawberry.field(description="When the rating was last replaced (UTC).")

    @strawberry.field(description="The rated course's id (kept when the course leaves the catalog).")
    def course_id(self, root: strawberry.Parent[RatingDocument]) -> strawberry.ID:
        return strawberry.ID(root.course_id)

    @strawberry.field(description="The course, or null if it left the catalog (batched).")
    async def course(self, root: strawberry.Parent[RatingDocument], info: Info) -> Course | None:
        return await info.context.loaders.course_by_id.load(root.course_id)


@strawberry.type(description="What enroll and updateProgress changed.")
class EnrollmentPayload(LearnerPayload):
    enrollment: Enrollment | None = strawberry.field(
        default=None, description="The enrolment as stored now; null when errors is not empty.")
    errors: list[UserError] = strawberry.field(description="Why nothing was changed; empty on success.")


@strawberry.type(description="What rateCourse changed.")
class RatingPayload(LearnerPayload):
    rating: Rating | None = strawberry.field(default=None,
                                             description="The rating as stored now; null when errors is not empty.")
    course: Course | None = strawberry.field(default=None, description=(
        "The rated course with its updated `stats` (rating count and average); null on errors."))
    errors: list[UserError] = strawberry.field(description="Why nothing was changed; empty on success.")
