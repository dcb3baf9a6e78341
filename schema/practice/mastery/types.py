"""GraphQL types of mastery. Roots are the use cases' `SkillEstimate` and `MasteryReport`."""

from datetime import datetime

import strawberry

from recommenders.knowledge.serving import DifficultyFeedback
from schema.enums import described_enum
from schema.errors import UserError
from schema.profile.users.learners import LearnerPayload

DifficultyFeedbackType = described_enum(
    DifficultyFeedback, "DifficultyFeedback",
    "TOO_EASY raises the course's skills a step, TOO_HARD lowers them a step, ALREADY_KNOW lifts "
    "them to at least 0.9.", {
        "TOO_EASY": "The course was too easy: its skills' mastery goes up a step; it is not recommended again.",
        "TOO_HARD": "The course was too hard: its skills' mastery goes down a step.",
        "ALREADY_KNOW": "The learner knows it: its skills' mastery becomes at least 0.9; not recommended again.",
    })


@strawberry.type(name="SkillMastery", description="A learner's mastery of one skill now (decay applied).")
class SkillMasteryType:
    id: strawberry.ID = strawberry.field(description="`<userId>:<skillId>`: one per learner and skill.")
    skill_id: strawberry.ID = strawberry.field(description="The skill's id in the skill graph.")
    skill_name: str | None = strawberry.field(description="From the skill graph, when the skill is in it.")
    probability: float = strawberry.field(description="P(correct on the next item of the skill), 0–1.")
    confidence: float = strawberry.field(
        description="0–1: grows with practice, halves with each mastery half-life without it; 0 for the prior.")
    attempts: int = strawberry.field(description="Practice answers on the skill so far.")
    correct: int = strawberry.field(description="Of which right.")
    practiced_at: datetime | None = strawberry.field(description="The last evidence (UTC); null for the prior.")
    source: str = strawberry.field(
        description="`practice`, `placement`, `feedback`, `self_assessment`, or `prior` (no evidence yet).")
    mastered: bool = strawberry.field(description="probability ≥ the mastery threshold (setting, default 0.8).")


@strawberry.type(description="A learner's mastery of skills, and their level from placement.")
class LearnerMastery:
    id: strawberry.ID = strawberry.field(
        description="Stable for the same learner and `skills` argument (a short hash of both).")
    user_id: strawberry.ID = strawberry.field(description="The learner.")
    level: str | None = strawberry.field(description="The starting level from the latest placement test.")
    skills: list[SkillMasteryType] = strawberry.field(description="One entry per skill, by skill id.")


@strawberry.type(description="What courseDifficultyFeedback changed.")
class CourseFeedbackPayload(LearnerPayload):
    skills: list[SkillMasteryType] = strawberry.field(default_factory=list,
                                                      description="The course's skills' mastery after the feedback.")
    errors: list[UserError] = strawberry.field(description="Why nothing was changed; empty on success.")
