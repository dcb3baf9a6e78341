"""Skill graph and item bank: queries for everyone signed in (exercises for partners), imports for partners."""

from typing import Annotated

import strawberry

from app.core.documents.practice import Exercise as ExerciseDocument
from app.core.documents.practice import Skill as SkillDocument
from resolvers.pages import MAX_PAGE_SIZE, Page
from resolvers.practice import catalog as use_cases
from schema.arguments import AfterArg
from schema.context import Info
from schema.courses.types import page_info_of
from schema.errors import user_errors
from schema.expected_errors import ExpectedErrors
from schema.inputs import given_fields
from schema.permissions import IsAuthenticated, IsPartner
from schema.practice.catalog.types import (
    ExerciseConnection,
    ExerciseEdge,
    ExerciseInput,
    Skill,
    SkillConnection,
    SkillEdge,
    SkillInput,
    UpsertExercisesPayload,
    UpsertSkillsPayload,
)

_FIRST = f"Page size, 1–{MAX_PAGE_SIZE}."
_BATCH = "1 to 1,000 items (PATHWISE_MAX_COURSES_PER_BATCH), each by id."


def _skill_connection(page: Page[SkillDocument]) -> SkillConnection:
    edges = [SkillEdge(cursor=c, node=n) for n, c in zip(page.items, page.cursors, strict=True)]
    return SkillConnection(total_count=page.total_count, edges=edges, page_info=page_info_of(page))


def _exercise_connection(page: Page[ExerciseDocument]) -> ExerciseConnection:
    edges = [ExerciseEdge(cursor=c, node=n) for n, c in zip(page.items, page.cursors, strict=True)]
    return ExerciseConnection(total_count=page.total_count, edges=edges, page_info=page_info_of(page))


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[IsAuthenticated], description="A skill by id, or null.")
    async def skill(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The skill's id.")]
    ) -> Skill | None:
        return await info.context.loaders.skill_by_id.load(str(id))

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description=(
            f"Skills of the skill graph, by id. `ids` (≤ {use_cases.MAX_IDS}) keeps only those named. "
            f"`first` is 1–{MAX_PAGE_SIZE}."
        ),
        extensions=[ExpectedErrors()],
    )
    async def skills(
        self, info: Info, first: Annotated[int, strawberry.argument(description=_FIRST)] = 20, after: AfterArg = None,
        ids: Annotated[list[strawberry.ID] | None, strawberry.argument(
            description=f"Only these skill ids (≤ {use_cases.MAX_IDS}); null for all.")] = None,
    ) -> SkillConnection:
        page = await use_cases.list_skills(first, after, None if ids is None else [str(i) for i in ids])
        return _skill_connection(page)

    @strawberry.field(
        permission_classes=[IsPartner],
        description=f"The exercises of one skill, published or not, by id (partners and admins). "
                    f"`first` is 1–{MAX_PAGE_SIZE}. Accepted answers are never shown.",
        extensions=[ExpectedErrors()],
    )
    async def exercises(
        self, info: Info, skill: Annotated[strawberry.ID, strawberry.argument(description="The skill's id.")],
        first: Annotated[int, strawberry.argument(description=_FIRST)] = 20, after: AfterArg = None,
    ) -> ExerciseConnection:
        return _exercise_connection(await use_cases.list_exercises(str(skill), first, after))


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsPartner],
        description=(
            "Create or update up to 1,000 skills by id (partners and admins). Prerequisites must be stored "
            "skills or skills of the same batch and may not form a cycle; a skill that breaks this is refused "
            "with its index, the rest are stored. Unchanged skills are not rewritten."
        ),
        extensions=[ExpectedErrors()],
    )
    async def upsert_skills(
        self, info: Info, skills: Annotated[list[SkillInput], strawberry.argument(description=_BATCH)],
    ) -> UpsertSkillsPayload:
        items = [given_fields(item) for item in skills]
        report = await use_cases.upsert_skills(items, info.context.settings.max_courses_per_batch)
        stored = await info.context.loaders.skill_by_id.load_many(report.stored_ids)
        return UpsertSkillsPayload(
            skills=[s for s in stored if s is not None],
            created=len(report.created), updated=len(report.updated), unchanged=len(report.unchanged),
            errors=user_errors(report.problems),
        )

    @strawberry.mutation(
        permission_classes=[IsPartner],
        description=(
            "Create or update up to 1,000 exercises by id (partners and admins). Their skills must be stored; "
            "a MULTIPLE_CHOICE item needs at least 2 different choices and answers among them. Refused items "
            "come back with their index, the rest are stored. Unchanged exercises are not rewritten."
        ),
        extensions=[ExpectedErrors()],
    )
    async def upsert_exercises(
        self, info: Info, exercises: Annotated[list[ExerciseInput], strawberry.argument(description=_BATCH)],
    ) -> UpsertExercisesPayload:
        items = [given_fields(item) for item in exercises]
        report = await use_cases.upsert_exercises(items, info.context.settings.max_courses_per_batch)
        stored = await use_cases.exercises_by_id(report.stored_ids)
        return UpsertExercisesPayload(
            exercises=stored,  # type: ignore[arg-type]
            created=len(report.created), updated=len(report.updated), unchanged=len(report.unchanged),
            errors=user_errors(report.problems),
        )
