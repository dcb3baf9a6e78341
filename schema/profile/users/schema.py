"""Learner queries and mutations."""

from typing import Annotated

import strawberry

from resolvers.profile import users as use_cases
from schema.context import Info
from schema.expected_errors import ExpectedErrors
from schema.inputs import given_fields
from schema.permissions import IsAuthenticated, SelfOrAdmin
from schema.profile.users.types import UpsertUserPayload, User, UserInput


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[IsAuthenticated], description="The caller, or null before upsertUser.")
    async def me(self, info: Info) -> User | None:
        principal = info.context.principal
        assert principal is not None
        return await info.context.loaders.user_by_id.load(principal.user_id)

    @strawberry.field(permission_classes=[SelfOrAdmin], description="A learner by id: themselves, or any for admins.")
    async def user(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The learner's user id.")]
    ) -> User | None:
        return await info.context.loaders.user_by_id.load(str(id))


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[SelfOrAdmin], description="Create or update a learner (themselves, or any for admins).",
        extensions=[ExpectedErrors()],
    )
    async def upsert_user(
        self, info: Info,
        input: Annotated[UserInput, strawberry.argument(description="The learner and the fields to set.")],
    ) -> UpsertUserPayload:
        fields = given_fields(input)
        user_id = str(fields.pop("id"))
        fields = {name: value for name, value in fields.items() if value is not None or name in _NULLABLE}
        principal = info.context.principal
        source = "learner" if principal is not None and principal.user_id == user_id else "platform"
        return UpsertUserPayload(user=await use_cases.upsert_user(user_id, fields, source), errors=[])


_NULLABLE = {
    "display_name", "age_range", "country", "city", "timezone", "education_level", "job_title",
    "industry", "other_interests", "weekly_minutes_target", "preferred_session_minutes",
}
