"""Enrolment, progress and rating mutations."""

import strawberry

from resolvers import enrollments, ratings
from resolvers.errors import UseCaseError
from schema.context import Info
from schema.errors import user_errors
from schema.learning.types import EnrollmentPayload, RatingPayload
from schema.permissions import ActsForUser, acting_user


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[ActsForUser], description="Enrol in a course; again is a no-op.")
    async def enroll(
        self, info: Info, course_id: strawberry.ID, user_id: strawberry.ID | None = None
    ) -> EnrollmentPayload:
        try:
            found = await enrollments.enroll(acting_user(info, user_id), str(course_id))
        except UseCaseError as error:
            return EnrollmentPayload(enrollment=None, errors=user_errors(error.problems))
        return EnrollmentPayload(enrollment=found, errors=[])

    @strawberry.mutation(permission_classes=[ActsForUser], description="Record progress 0–1 (1 completes).")
    async def update_progress(
        self, info: Info, course_id: strawberry.ID, progress: float, user_id: strawberry.ID | None = None
    ) -> EnrollmentPayload:
        try:
            found = await enrollments.update_progress(acting_user(info, user_id), str(course_id), progress)
        except UseCaseError as error:
            return EnrollmentPayload(enrollment=None, errors=user_errors(error.problems))
        return EnrollmentPayload(enrollment=found, errors=[])

    @strawberry.mutation(
        permission_classes=[ActsForUser], description="Rate 1–5 with an optional review (≤ 10,000 characters)."
    )
    async def rate_course(
        self, info: Info, course_id: strawberry.ID, rating: int, review: str | None = None,
        user_id: strawberry.ID | None = None,
    ) -> RatingPayload:
        try:
            stored = await ratings.rate_course(acting_user(info, user_id), str(course_id), rating, review)
        except UseCaseError as error:
            return RatingPayload(rating=None, errors=user_errors(error.problems))
        return RatingPayload(rating=stored, errors=[])
