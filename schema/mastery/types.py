"""GraphQL types of mastery. Roots are the use cases' `SkillEstimate` and `MasteryReport`."""

from datetime import datetime

import strawberry

from recommenders.knowledge.serving import DifficultyFeedback
from schema.errors import UserError

DifficultyFeedbackType = strawberry.enum(
    DifficultyFeedback, name="DifficultyFeedback",
    description="TOO_EASY raises the course's skills a step, TOO_HARD lowers them a step, ALREADY_KNOW lifts "
    "them to at least 0.9.")


@strawberry.type(name="SkillMastery", description="A learner's mastery of one skill now (decay applied).")
class SkillMasteryType:
    skill_id: strawberry.ID
    skill_name: str | None = strawberry.field(description="From the skill graph, when the skill is in it.")
    probability: float = strawberry.field(description="P(correct on the next item of the skill), 0–1.")
    confidence: float = strawberry.field(
        description="0–1: grows with practice, halves with each mastery half-life without it; 0 for the prior.")
    attempts: int
    correct: int
    practiced_at: datetime | None
    source: str = strawberry.field(
        description="`practice`, `placement`, `feedback`, `self_assessment`, or `prior` (no evidence yet).")
    mastered: bool = strawberry.field(description="probability ≥ the mastery threshold (setting, default 0.8).")


@strawberry.type(description="A learner's mastery of skills, and their level from placement.")
class LearnerMastery:
    user_id: strawberry.ID
    level: str | None = strawberry.field(description="The starting level from the latest placement test.")
    skills: list[SkillMasteryType]


@strawberry.type
class CourseFeedbackPayload:
    skills: list[SkillMasteryType] = strawberry.field(description="The course's skills' mastery after the feedback.")
    errors: list[UserError]
