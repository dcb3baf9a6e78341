"""Preference mutations: follow, interests, "not interested", and feedback on recommendations."""

from collections.abc import Awaitable
from typing import Annotated

import strawberry

from app.core.documents import User as UserDocument
from resolvers.profile import preferences as use_cases
from schema.arguments import CourseIdArg, UserIdArg
from schema.context import Info
from schema.expected_errors import ExpectedErrors
from schema.permissions import SelfOrAdmin, acting_user
from schema.profile.preferences.types import ProfilePayload

_FOR = ("For the caller, or any learner for admins (userId). Returns the learner: select "
        "`user { recommendations(...) }` or refetch `recommendations`, which this changes.")


async def profile_payload(change: Awaitable[UserDocument]) -> ProfilePayload:
    """The payload of a mutation that changes the learner's profile: the learner as changed (its field's
    ExpectedErrors turns a refused change into the errors)."""
    return ProfilePayload(user=await change, errors=[])


_Topic = Annotated[str, strawberry.argument(description="A skill or topic of the catalog, any case.")]
_OptionalTopic = Annotated[str | None, strawberry.argument(
    description="A skill or topic of the catalog, any case; give this or courseId.")]
_OptionalCourse = Annotated[strawberry.ID | None, strawberry.argument(
    description="A course id of the catalog; give this or topic.")]
_Instructor = Annotated[str, strawberry.argument(description="An instructor's name as courses list it.")]
_RequestId = Annotated[str, strawberry.argument(
    description="The `requestId` of the recommendation list the course was in (≤ 200 characters).")]


def _id(value: strawberry.ID | None) -> str | None:
    return None if value is None else str(value)


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        f"Follow a skill or topic of the catalog (NOT_FOUND if it has none); again is a no-op. {_FOR}"))
    async def follow_topic(self, info: Info, topic: _Topic, user_id: UserIdArg = None) -> ProfilePayload:
        return await profile_payload(use_cases.follow_topic(acting_user(info, user_id), topic))

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()],
                         description=f"Stop following a topic. {_FOR}")
    async def unfollow_topic(self, info: Info, topic: _Topic, user_id: UserIdArg = None) -> ProfilePayload:
        return await profile_payload(use_cases.unfollow_topic(acting_user(info, user_id), topic))

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        f"Follow an instructor of a published course (NOT_FOUND otherwise); again is a no-op. {_FOR}"))
    async def follow_instructor(self, info: Info, instructor: _Instructor, user_id: UserIdArg = None) -> ProfilePayload:
        return await profile_payload(use_cases.follow_instructor(acting_user(info, user_id), instructor))

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()],
                         description=f"Stop following an instructor. {_FOR}")
    async def unfollow_instructor(
        self, info: Info, instructor: _Instructor, user_id: UserIdArg = None
    ) -> ProfilePayload:
        return await profile_payload(use_cases.unfollow_instructor(acting_user(info, user_id), instructor))

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Replace the learner's interests with ≤ 200 skills or topics of the catalog (any case; each unknown "
        f"one is an error with its index). {_FOR}"))
    async def set_interests(
        self, info: Info, interests: Annotated[list[str], strawberry.argument(
            description="≤ 200 skills or topics of the catalog (any case); they replace the learner's interests.")],
        user_id: UserIdArg = None,
    ) -> ProfilePayload:
        return await profile_payload(use_cases.set_interests(acting_user(info, user_id), interests))

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Hide a course (courseId) or a whole skill or topic (topic, which also leaves the followed topics and "
        f"interests); give exactly one. {_FOR}"))
    async def mark_not_interested(
        self, info: Info, course_id: _OptionalCourse = None, topic: _OptionalTopic = None, user_id: UserIdArg = None,
    ) -> ProfilePayload:
        owner = acting_user(info, user_id)
        return await profile_payload(use_cases.mark_not_interested(owner, _id(course_id), topic))

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        f"Take back a markNotInterested (courseId or topic, exactly one). {_FOR}"))
    async def undo_not_interested(
        self, info: Info, course_id: _OptionalCourse = None, topic: _OptionalTopic = None, user_id: UserIdArg = None,
    ) -> ProfilePayload:
        owner = acting_user(info, user_id)
        return await profile_payload(use_cases.undo_not_interested(owner, _id(course_id), topic))

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Thumbs up (positive: true) or down on a course recommended in requestId (≤ 200 characters); again "
        f"replaces the earlier thumb. The last 200 are kept. {_FOR}"))
    async def rate_recommendation(
        self, info: Info, request_id: _RequestId, course_id: CourseIdArg,
        positive: Annotated[bool, strawberry.argument(description="True for thumbs up, false for thumbs down.")],
        user_id: UserIdArg = None,
    ) -> ProfilePayload:
        owner = acting_user(info, user_id)
        return await profile_payload(use_cases.rate_recommendation(owner, request_id, str(course_id), positive))

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        f"Stop recommending a course; requestId names the recommendation it came from. {_FOR}"))
    async def dismiss_recommendation(
        self, info: Info, course_id: CourseIdArg, request_id: Annotated[str | None, strawberry.argument(
            description="The `requestId` of the list the course was in (≤ 200 characters), if known.")] = None,
        user_id: UserIdArg = None,
    ) -> ProfilePayload:
        owner = acting_user(info, user_id)
        return await profile_payload(use_cases.dismiss_recommendation(owner, str(course_id), request_id))
