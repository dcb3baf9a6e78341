"""GraphQL types of the skill graph and the item bank. The partner's Exercise type has no `answers` field."""

from datetime import datetime

import strawberry

from app.core.documents.practice import Skill as SkillDocument
from schema.context import Info
from schema.courses.types import PageInfo
from schema.errors import UserError
from schema.practice.types import ExerciseFormatType

_ABOUT = {
    "expected_seconds": "How long answering takes, 1–86,400 seconds; null if unknown (60 s assumed).",
    "course_id": "The platform's course the exercise belongs to, if any.",
    "lesson_id": "The platform's lesson the exercise belongs to, if any.",
    "published": "Whether learners may get it (practice, placement, reviews).",
}


@strawberry.type(description="A node of the skill graph.")
class Skill:
    id: strawberry.ID = strawberry.field(description="The partner's own skill id.")
    name: str = strawberry.field(description="The skill's name, e.g. SQL.")
    description: str = strawberry.field(description="What the skill covers.")
    topics: list[str] = strawberry.field(description="Catalog topics or skills this skill belongs to.")
    updated_at: datetime = strawberry.field(description="When the skill last changed (UTC).")

    @strawberry.field(description="The skills to master first, as stored (batched).")
    async def prerequisites(self, root: strawberry.Parent[SkillDocument], info: Info) -> list["Skill"]:
        found = await info.context.loaders.skill_by_id.load_many(root.prerequisites)
        return [skill for skill in found if skill is not None]


@strawberry.type(description="A practice item as partners manage it; its accepted answers are never exposed.")
class Exercise:
    id: strawberry.ID = strawberry.field(description="The partner's own exercise id.")
    skills: list[str] = strawberry.field(description="The skill ids it practises (1–20).")
    prompt: str = strawberry.field(description="The question shown to learners.")
    format: ExerciseFormatType = strawberry.field(description="How it is answered.")  # type: ignore[valid-type]
    choices: list[str] = strawberry.field(description="The options of a multiple-choice item (≤ 50).")
    difficulty: float = strawberry.field(description="IRT difficulty b in logits (−6 to 6).")
    discrimination: float = strawberry.field(description="IRT discrimination a (above 0, at most 5).")
    expected_seconds: int | None = strawberry.field(description=_ABOUT["expected_seconds"])
    course_id: str | None = strawberry.field(description=_ABOUT["course_id"])
    lesson_id: str | None = strawberry.field(description=_ABOUT["lesson_id"])
    published: bool = strawberry.field(description=_ABOUT["published"])
    updated_at: datetime = strawberry.field(description="When the exercise last changed (UTC).")


@strawberry.type(description="A skill of a page and its cursor. A value object (no id): its node is the entity.")
class SkillEdge:
    cursor: str = strawberry.field(description="Opaque; pass it as `after` to continue after this skill.")
    node: Skill = strawberry.field(description="The skill.")


@strawberry.type(description="A page of skills by id, Relay style. A value object (no id): the answer to one query.")
class SkillConnection:
    total_count: int = strawberry.field(description="Skills matching, over all pages.")
    edges: list[SkillEdge] = strawberry.field(description="This page's skills, by id.")
    page_info: PageInfo = strawberry.field(description="Whether more pages follow, and the cursors.")


@strawberry.type(description="An exercise of a page and its cursor. A value object (no id): its node is the entity.")
class ExerciseEdge:
    cursor: str = strawberry.field(description="Opaque; pass it as `after` to continue after this exercise.")
    node: Exercise = strawberry.field(description="The exercise.")


@strawberry.type(description="A page of exercises by id, Relay style. A value object (no id): the answer to one "
                 "query.")
class ExerciseConnection:
    total_count: int = strawberry.field(description="Exercises of the skill, over all pages.")
    edges: list[ExerciseEdge] = strawberry.field(description="This page's exercises, by id.")
    page_info: PageInfo = strawberry.field(description="Whether more pages follow, and the cursors.")


@strawberry.input(description="A skill to create or update. Fields left out keep their stored values.")
class SkillInput:
    id: strawberry.ID = strawberry.field(description="The partner's own skill id.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="The skill's name.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="What the skill covers.")
    prerequisites: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Skill ids (≤ 100), stored or in the same batch; they may not form a cycle.",
    )
    topics: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Catalog topics or skills this skill belongs to.")


@strawberry.input(description="An exercise to create or update. Fields left out keep their stored values.")
class ExerciseInput:
    id: strawberry.ID = strawberry.field(description="The partner's own exercise id.")
    skills: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Stored skill ids (1–20).")
    prompt: str | None = strawberry.field(default=strawberry.UNSET, description="The question shown to learners.")
    format: ExerciseFormatType | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="How it is answered.")
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
    course_id: str | None = strawberry.field(default=strawberry.UNSET, description=_ABOUT["course_id"])
    lesson_id: str | None = strawberry.field(default=strawberry.UNSET, description=_ABOUT["lesson_id"])
    published: bool | None = strawberry.field(default=strawberry.UNSET, description=_ABOUT["published"])


@strawberry.type(description="What upsertSkills changed.")
class UpsertSkillsPayload:
    skills: list[Skill] = strawberry.field(default_factory=list,
                                           description="The skills stored or left unchanged, in input order.")
    created: int = strawberry.field(default=0, description="Skills that were new.")
    updated: int = strawberry.field(default=0, description="Skills whose stored values changed.")
    unchanged: int = strawberry.field(default=0, description="Skills sent exactly as stored (not rewritten).")
    errors: list[UserError] = strawberry.field(description="Refused skills, each with its index in the input.")


@strawberry.type(description="What upsertExercises changed.")
class UpsertExercisesPayload:
    exercises: list[Exercise] = strawberry.field(
        default_factory=list, description="The exercises stored or left unchanged, in input order."
    )
    created: int = strawberry.field(default=0, description="Exercises that were new.")
    updated: int = strawberry.field(default=0, description="Exercises whose stored values changed.")
    unchanged: int = strawberry.field(default=0, description="Exercises sent exactly as stored (not rewritten).")
    errors: list[UserError] = strawberry.field(description="Refused exercises, each with its index in the input.")
