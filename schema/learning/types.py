"""GraphQL types of enrolments and ratings."""

from datetime import datetime

import strawberry

from app.documents import Enrollment as EnrollmentDocument
from app.documents import EnrollmentStatus
from app.documents import Rating as RatingDocument
from schema.context import Info
from schema.courses.types import Course
from schema.errors import UserError

EnrollmentStatusType = strawberry.enum(EnrollmentStatus, name="EnrollmentStatus")


@strawberry.type
class Enrollment:
    status: EnrollmentStatusType  # type: ignore[valid-type]
    progress: float = strawberry.field(description="0 to 1; 1 means completed.")
    started_at: datetime
    completed_at: datetime | None
    last_active_at: datetime

    @strawberry.field
    def course_id(self, root: strawberry.Parent[EnrollmentDocument]) -> strawberry.ID:
        return strawberry.ID(root.course_id)

    @strawberry.field(description="The course, or null if it left the catalog (batched).")
    async def course(self, root: strawberry.Parent[EnrollmentDocument], info: Info) -> Course | None:
        return await info.context.loaders.course_by_id.load(root.course_id)


@strawberry.type
class Rating:
    rating: int = strawberry.field(description="1 to 5.")
    review: str | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    def course_id(self, root: strawberry.Parent[RatingDocument]) -> strawberry.ID:
        return strawberry.ID(root.course_id)

    @strawberry.field(description="The course, or null if it left the catalog (batched).")
    async def course(self, root: strawberry.Parent[RatingDocument], info: Info) -> Course | None:
        return await info.context.loaders.course_by_id.load(root.course_id)


@strawberry.type
class EnrollmentPayload:
    enrollment: Enrollment | None
    errors: list[UserError]


@strawberry.type
class RatingPayload:
    rating: Rating | None
    errors: list[UserError]
