"""Enrolment, progress and rating mutations. Each payload returns what it changed: the enrolment or rating,
the learner (whose recommendations depend on it) and, for ratings, the course with its new stats."""

from typing import Annotated

import strawberry

from app.core.documents import Course as CourseDocument
from app.core.documents import Enrollment as EnrollmentDocument
from resolvers.courses import enrollments, ratings
from schema.arguments import CourseIdArg, UserIdArg
from schema.context import Info
from schema.courses.learning.types import EnrollmentPayload, RatingPayload
from schema.expected_errors import ExpectedErrors
from schema.permissions import SelfOrAdmin, acting_user
from schema.profile.users.learners import forget

_PROGRESS = "Progress from 0 to 1; 1 completes the course (COMPLETED), below 1 makes it ACTIVE again."
_RATING = "Stars, 1 to 5."
_REVIEW = "A review text (≤ 10,000 characters); null for none."


def _enrollment_payload(info: Info, owner: str, found: EnrollmentDocument) -> EnrollmentPayload:
    forget(info.context.loaders.course_by_id, found.course_id)  # its stats changed
    return EnrollmentPayload(owner=owner, enrollment=found, errors=[])


async def _course(info: Info, course_id: str) -> CourseDocument | None:
    forget(info.context.loaders.course_by_id, course_id)
    return await info.context.loaders.course_by_id.load(course_id)


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Enrol the learner (the caller, or any for admins) in a course (NOT_FOUND if it is not in the catalog); "
        "again is a no-op. Returns the enrolment and the learner: the course leaves their recommendations, so "
        "select `user { recommendations(...) }` here or refetch `recommendations`."))
    async def enroll(self, info: Info, course_id: CourseIdArg, user_id: UserIdArg = None) -> EnrollmentPayload:
        owner = acting_user(info, user_id)
        return _enrollment_payload(info, owner, await enrollments.enroll(owner, str(course_id)))

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Record progress 0–1 in a course the learner is enrolled in (NOT_FOUND otherwise); 1 completes it. "
        "Returns the enrolment and the learner."))
    async def update_progress(
        self, info: Info, course_id: CourseIdArg,
        progress: Annotated[float, strawberry.argument(description=_PROGRESS)], user_id: UserIdArg = None,
    ) -> EnrollmentPayload:
        owner = acting_user(info, user_id)
        return _enrollment_payload(info, owner, await enrollments.update_progress(owner, str(course_id), progress))

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Rate a course 1–5 with an optional review (≤ 10,000 characters); again replaces the rating. Returns the "
        "rating, the course with its new stats, and the learner."))
    async def rate_course(
        self, info: Info, course_id: CourseIdArg, rating: Annotated[int, strawberry.argument(description=_RATING)],
        review: Annotated[str | None, strawberry.argument(description=_REVIEW)] = None, user_id: UserIdArg = None,
    ) -> RatingPayload:
        owner = acting_user(info, user_id)
        stored = await ratings.rate_course(owner, str(course_id), rating, review)
        return RatingPayload(owner=owner, rating=stored, course=await _course(info, stored.course_id),
                             errors=[])
