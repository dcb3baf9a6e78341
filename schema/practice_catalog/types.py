"""GraphQL types of the skill graph and the item bank. The partner's Exercise type has no `answers` field."""

from datetime import datetime

import strawberry

from app.documents.practice import ExerciseFormat
from app.documents.practice import Skill as SkillDocument
from schema.context import Info
from schema.courses.types import PageInfo
from schema.errors import UserError

# the same enum as schema.practice's (one GraphQL type); keep the description identical
ExerciseFormatType = strawberry.enum(ExerciseFormat, name="ExerciseFormat",
                                     description="How an exercise is answered; OPEN items are graded by the platform.")


@strawberry.type(description="A node of the skill graph.")
class Skill:
    id: strawberry.ID
    name: str
    description: str
    topics: list[str] = strawberry.field(description="Catalog topics or skills this skill belongs to.")
    updated_at: datetime

    @strawberry.field(description="The skills to master first, as stored (batched).")
    async def prerequisites(self, root: strawberry.Parent[SkillDocument], info: Info) -> list["Skill"]:
        found = await info.context.loaders.skill_by_id.load_many(root.prerequisites)
        return [skill for skill in found if skill is not None]


@strawberry.type(description="A practice item as partners manage it; its accepted answers are never exposed.")
class Exercise:
    id: strawberry.ID
    skills: list[str] = strawberry.field(description="The skill ids it practises (1–20).")
    prompt: str
    format: ExerciseFormatType  # type: ignore[valid-type]
    choices: list[str] = strawberry.field(description="The options of a multiple-choice item (≤ 50).")
    difficulty: float = strawberry.field(description="IRT difficulty b in logits (−6 to 6).")
    discrimination: float = strawberry.field(description="IRT discrimination a (above 0, at most 5).")
    expected_seconds: int | None
    course_id: str | None
    lesson_id: str | None
    published: bool
    updated_at: datetime


@strawberry.type
class SkillEdge:
    cursor: str
    node: Skill


@strawberry.type(description="A page of skills by id, Relay style.")
class SkillConnection:
    total_count: int
    edges: list[SkillEdge]
    page_info: PageInfo


@strawberry.type
class ExerciseEdge:
    cursor: str
    node: Exercise


@strawberry.type(description="A page of exercises by id, Relay style.")
class ExerciseConnection:
    total_count: int
    edges: list[ExerciseEdge]
    page_info: PageInfo


@strawberry.input(description="A skill to create or update. Fields left out keep their stored values.")
class SkillInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    prerequisites: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Skill ids (≤ 100), stored or in the same batch; they may not form a cycle.",
    )
    topics: list[str] | None = strawberry.UNSET


@strawberry.input(description="An exercise to create or update. Fields left out keep their stored values.")
class ExerciseInput:
    id: strawberry.ID
    skills: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Stored skill ids (1–20).")
    prompt: str | None = strawberry.UNSET
    format: ExerciseFormatType | None = strawberry.UNSET  # type: ignore[valid-type]
    choices: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="≤ 50; a MULTIPLE_CHOICE item needs at least 2, all different."
    )
    answers: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Accepted answers (≤ 50), never shown again; for MULTIPLE_CHOICE each must be a choice.",
    )
    difficulty: float | None = strawberry.field(default=strawberry.UNSET, description="Logits, −6 to 6.")
    discrimination: float | None = strawberry.field(default=strawberry.UNSET, description="Above 0, at most 5.")
    expected_seconds: int | None = strawberry.field(default=strawberry.UNSET, description="1 to 86,400.")
    course_id: str | None = strawberry.UNSET
    lesson_id: str | None = strawberry.UNSET
    published: bool | None = strawberry.UNSET


@strawberry.type
class UpsertSkillsPayload:
    skills: list[Skill] = strawberry.field(description="The skills stored or left unchanged, in input order.")
    created: int
    updated: int
    unchanged: int
    errors: list[UserError]


@strawberry.type
class UpsertExercisesPayload:
    exercises: list[Exercise] = strawberry.field(
        description="The exercises stored or left unchanged, in input order."
    )
    created: int
    updated: int
    unchanged: int
    errors: list[UserError]
