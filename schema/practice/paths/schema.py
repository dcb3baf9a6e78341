"""Next exercises on a skill and the learning path toward goal skills, for the learner or (partners) anyone."""

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from resolvers.practice.learning_paths import MAX_GOAL_SKILLS, MAX_GOAL_TEXT, learning_path
from resolvers.practice.next_exercises import MAX_FIRST, next_exercises
from schema.arguments import LearnerIdArg
from schema.context import Info
from schema.expected_errors import ExpectedErrors
from schema.ids import question_id
from schema.permissions import SelfOrPlatform, acting_user
from schema.practice.paths.types import LearningPath, NextExercise, identified_path

_FOR = "For the caller, or any learner for partners and admins (userId)."


def _id(value: strawberry.ID | None) -> str | None:
    return None if value is None else str(value)


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[SelfOrPlatform], extensions=[ExpectedErrors()], description=(
        f"What to practise next on `skill` (NOT_FOUND if unknown), `first` 1–{MAX_FIRST}: due reviews of it and its "
        "prerequisites (at most every other slot while new practice lasts), new items whose predicted success is "
        "in the PATHWISE_PRACTICE_TARGET_LOW–HIGH band (nearest its middle first), items of a weak prerequisite, "
        f"and one stretch item. Nothing answered in the last 10 minutes. {_FOR}"))
    async def next_exercises(
        self, info: Info, skill: Annotated[strawberry.ID, strawberry.argument(description="The skill's id.")],
        first: Annotated[int, strawberry.argument(description=f"How many exercises, 1–{MAX_FIRST}.")] = 5,
        user_id: LearnerIdArg = None,
    ) -> list[NextExercise]:
        found = await next_exercises(acting_user(info, _id(user_id)), str(skill), first, datetime.now(UTC),
                                     settings=info.context.settings, trackers=info.context.trackers)
        return found  # type: ignore[return-value]

    @strawberry.field(permission_classes=[SelfOrPlatform], extensions=[ExpectedErrors()], description=(
        f"The path toward ≤ {MAX_GOAL_SKILLS} `goalSkills` (ids) or a free-text `goal` (≤ {MAX_GOAL_TEXT} "
        "characters, read by a sentence model) — exactly one, else BAD_USER_INPUT, as is a goal no skill matches. "
        f"Mastered skills are skipped; a course covers each step where one can, else practice. {_FOR}"))
    async def learning_path(
        self, info: Info,
        goal_skills: Annotated[list[strawberry.ID] | None, strawberry.argument(
            description=f"≤ {MAX_GOAL_SKILLS} skill ids to reach; give this or `goal`.")] = None,
        goal: Annotated[str | None, strawberry.argument(
            description=f"The goal in words (≤ {MAX_GOAL_TEXT} characters); give this or `goalSkills`.")] = None,
        user_id: LearnerIdArg = None,
    ) -> LearningPath:
        service = info.context.recommendations
        courses = service.catalog.courses if service is not None and service.catalog.stamp is not None else None
        wanted = None if goal_skills is None else [str(skill) for skill in goal_skills]
        owner = acting_user(info, _id(user_id))
        path = await learning_path(owner, wanted, goal, datetime.now(UTC), courses, info.context.settings,
                                   info.context.trackers)
        return identified_path(path, question_id("path", owner, wanted, goal))  # type: ignore[return-value]
