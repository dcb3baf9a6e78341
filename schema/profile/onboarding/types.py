"""GraphQL types of onboarding, profile questions and the catalog taxonomy."""

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.core.documents.profiles import Onboarding as OnboardingDocument
from app.core.documents.profiles import label_of
from resolvers.profile.questions import QuestionKind
from schema.courses.types import CourseFormatType
from schema.enums import described_enum
from schema.errors import UserError

if TYPE_CHECKING:
    from schema.profile.users.types import User

ProfileQuestionKindType = described_enum(
    QuestionKind, "ProfileQuestionKind", "How a profile question is answered.", {
        "CHOICE": "With one of `options`.",
        "FREE_TEXT": "With free text (≤ 200 characters).",
        "NUMBER": "With a whole number as digits; `options` suggests some.",
        "FORM": "Not answered directly: show the onboarding form (submitOnboarding).",
    })


class SelfAssessedLevel(Enum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


described_enum(SelfAssessedLevel, "SelfAssessedLevel", "How the learner rates their own level.", {
    "BEGINNER": "New to the subject.",
    "INTERMEDIATE": "Knows the basics.",
    "ADVANCED": "At ease with the subject.",
})


@strawberry.type(description="The learner's own level in one skill. A value object of Onboarding (no id).")
class SkillLevel:
    key: str = strawberry.field(description="Normalised skill key (casefolded, MongoDB-safe).")
    skill: str = strawberry.field(description="The skill, as the learner named it.")
    level: str = strawberry.field(description="beginner, intermediate or advanced.")


@strawberry.type(description="What the learner stated at onboarding and in answers to profile questions. A value "
                 "object of its User (no id): cached inside the learner, which submitOnboarding returns.")
class Onboarding:
    completed_at: datetime | None = strawberry.field(description="Null until submitOnboarding.")
    self_assessed_level: str | None = strawberry.field(description="beginner, intermediate or advanced.")
    other_skills: list[str] = strawberry.field(description="Catalog skills and topics matched from the free text.")
    career_goal: str | None = strawberry.field(description="The role the learner works towards, in their words.")
    answered_questions: list[str] = strawberry.field(description="Ids of the profile questions answered.")
    skipped_questions: list[str] = strawberry.field(description="Ids of the profile questions skipped.")

    @strawberry.field(description="Self-assessed levels per skill, from profile questions.")
    def skill_levels(self, root: strawberry.Parent[OnboardingDocument]) -> list[SkillLevel]:
        return [SkillLevel(key=key, skill=label_of(key), level=level) for key, level in root.skill_levels.items()]


@strawberry.type(description="One question to ask the learner now, so their profile grows gradually.")
class ProfileQuestion:
    id: strawberry.ID = strawberry.field(description="Pass it to answerProfileQuestion or skipProfileQuestion.")
    text: str = strawberry.field(description="The question, for learners.")
    field: str = strawberry.field(description="The profile field the answer fills.")
    kind: ProfileQuestionKindType = strawberry.field(description="How to answer it.")  # type: ignore[valid-type]
    options: list[str] = strawberry.field(description="Choices (CHOICE) or suggestions (NUMBER).")
    reason: str = strawberry.field(description="Why this question is asked now.")


@strawberry.type(description="The skills and topics of the published catalog, for onboarding and interest pickers. "
                 "A value object (no id): one per deployment, derived from the catalog.")
class Taxonomy:
    skills: list[str] = strawberry.field(description="Every skill of the published catalog, once (ignoring case).")
    topics: list[str] = strawberry.field(description="Every topic of the published catalog, once (ignoring case).")


@strawberry.input(description="Onboarding answers. Fields left out keep their values; a list given replaces one.")
class OnboardingInput:
    goals: list[str] | None = strawberry.field(
        default=None, description="≤ 100 skills or topics of the catalog (any case).")
    interests: list[str] | None = strawberry.field(
        default=None, description="≤ 200 skills or topics of the catalog (any case).")
    other: str | None = strawberry.field(
        default=None, description="Free text (≤ 2,000 characters); the catalog skills it names join interests.")
    weekly_minutes: int | None = strawberry.field(default=None, description="0–10,080 minutes a week.")
    level: SelfAssessedLevel | None = strawberry.field(default=None, description="The learner's own overall level.")
    preferred_formats: list[CourseFormatType] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Course formats the learner prefers.")


@strawberry.type(description="What answerProfileQuestion or skipProfileQuestion changed, and what to ask next.")
class ProfileQuestionPayload:
    user: Annotated["User", strawberry.lazy("schema.profile.users.types")] | None = strawberry.field(
        default=None, description=(
        "The learner as stored now: a normalised cache updates them from it; their recommendations may change, so "
        "select `user { recommendations(...) }` here or refetch `recommendations`. Null on errors."))
    next_question: ProfileQuestion | None = strawberry.field(default=None,
                                                             description="The question to ask next, if any.")
    errors: list[UserError] = strawberry.field(description="Why nothing was changed; empty on success.")
