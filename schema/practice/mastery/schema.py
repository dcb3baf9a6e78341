"""The mastery query and the course difficulty feedback mutation."""
from typing import Annotated

import strawberry

from recommenders.knowledge.serving import DifficultyFeedback
from resolvers.practice import knowledge as use_cases
from resolvers.practice.knowledge import SkillEstimate
from schema.arguments import CourseIdArg, LearnerIdArg, UserIdArg
from schema.context import Info
from schema.expected_errors import ExpectedErrors
from schema.ids import pair_id, question_id
from schema.permissions import SelfOrAdmin, SelfOrPlatform, acting_user
from schema.practice.mastery.types import (
    CourseFeedbackPayload,
    DifficultyFeedbackType,
    LearnerMastery,
    SkillMasteryType,
)


def skill_masteries(owner: str, estimates: list[SkillEstimate]) -> list[SkillMasteryType]:
    return [SkillMasteryType(id=pair_id(owner, e.skill_id), skill_id=strawberry.ID(e.skill_id),
                             skill_name=e.skill_name, probability=e.probability,
                             confidence=e.confidence, attempts=e.attempts, correct=e.correct,
                             practiced_at=e.practiced_at, source=e.source, mastered=e.mastered) for e in estimates]


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[SelfOrPlatform], extensions=[ExpectedErrors()], description=(
        "A learner's mastery of ≤ 200 skills (all skills with any evidence when `skills` is omitted); a skill "
        "without evidence is its prior with confidence 0. The caller's own, or any learner's for partners and "
        "admins (userId)."))
    async def mastery(
        self, info: Info, user_id: LearnerIdArg = None,
        skills: Annotated[list[strawberry.ID] | None, strawberry.argument(
            description="≤ 200 skill ids; null for every skill with evidence.")] = None,
    ) -> LearnerMastery:
        owner = acting_user(info, None if user_id is None else str(user_id))
        wanted = None if skills is None else [str(skill) for skill in skills]
        report = await use_cases.mastery_report(owner, wanted, None, info.context.settings, info.context.trackers)
        return LearnerMastery(id=question_id("mastery", owner, wanted), user_id=strawberry.ID(owner),
                              level=report.level, skills=skill_masteries(owner, report.skills))


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Tell Pathwise a course is too easy, too hard, or already known: it moves the learner's mastery of the "
        "course's skills (source `feedback`) and is kept in their preferences for recommendations (returned with the "
        "learner). For the "
        "caller, or any learner for admins (userId)."))
    async def course_difficulty_feedback(
        self, info: Info, course_id: CourseIdArg,
        kind: Annotated[DifficultyFeedbackType, strawberry.argument(  # type: ignore[valid-type]
            description="What the learner said about the course.")],
        user_id: UserIdArg = None,
    ) -> CourseFeedbackPayload:
        owner = acting_user(info, None if user_id is None else str(user_id))
        estimates = await use_cases.course_difficulty_feedback(
            owner, str(course_id), DifficultyFeedback(kind), None, info.context.settings, info.context.trackers)
        return CourseFeedbackPayload(owner=owner, skills=skill_masteries(owner, estimates), errors=[])
