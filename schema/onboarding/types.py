"""GraphQL types of onboarding, profile questions and the catalog taxonomy."""

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.documents.profiles import Onboarding as OnboardingDocument
from app.documents.profiles import label_of
from resolvers.profile_questions import QuestionKind
from schema.courses.types import CourseFormatType
from schema.errors import UserError

if TYPE_CHECKING:
    from schema.users.types import User

ProfileQuestionKindType = strawberry.enum(
    QuestionKind, name="ProfileQuestionKind",
    description="CHOICE: one of the options; FREE_TEXT; NUMBER: a whole number (options suggest some); "
                "FORM: show the onboarding form (submitOnboarding).")


@strawberry.enum(description="How the learner rates their own level.")
class SelfAssessedLevel(Enum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


@strawberry.type(description="The learner's own level in one skill.")
class SkillLevel:
    key: str = strawberry.field(description="Normalised skill key (casefolded, MongoDB-safe).")
    skill: str
    level: str


@strawberry.type(description="What the learner stated at onboarding and in answers to profile questions.")
class Onboarding:
    completed_at: datetime | None = strawberry.field(description="Null until submitOnboarding.")
    self_assessed_level: str | None = strawberry.field(description="beginner, intermediate or advanced.")
    other_skills: list[str] = strawberry.field(description="Catalog skills and topics matched from the free text.")
    career_goal: str | None = strawberry.field(description="The role the learner works towards, in their words.")
    answered_questions: list[str]
    skipped_questions: list[str]

    @strawberry.field(description="Self-assessed levels per skill, from profile questions.")
    def skill_levels(self, root: strawberry.Parent[OnboardingDocument]) -> list[SkillLevel]:
        return [SkillLevel(key=key, skill=label_of(key), level=level) for key, level in root.skill_levels.items()]


@strawberry.type(description="One question to ask the learner now, so their profile grows gradually.")
class ProfileQuestion:
    id: strawberry.ID = strawberry.field(description="Pass it to answerProfileQuestion or skipProfileQuestion.")
    text: str
    field: str = strawberry.field(description="The profile field the answer fills.")
    kind: ProfileQuestionKindType  # type: ignore[valid-type]
    options: list[str] = strawberry.field(description="Choices (CHOICE) or suggestions (NUMBER).")
    reason: str = strawberry.field(description="Why this question is asked now.")


@strawberry.type(description="The skills and topics of the published catalog, for onboarding and interest pickers.")
class Taxonomy:
    skills: list[str]
    topics: list[str]


@strawberry.input(description="Onboarding answers. Fields left out keep their values; a list given replaces one.")
class OnboardingInput:
    goals: list[str] | None = strawberry.field(
        default=None, description="≤ 100 skills or topics of the catalog (any case).")
    interests: list[str] | None = strawberry.field(
        default=None, description="≤ 200 skills or topics of the catalog (any case).")
    other: str | None = strawberry.field(
        default=None, description="Free text (≤ 2,000 characters); the catalog skills it names join interests.")
    weekly_minutes: int | None = strawberry.field(default=None, description="0–10,080 minutes a week.")
    level: SelfAssessedLevel | None = None
    preferred_formats: list[CourseFormatType] | None = None  # type: ignore[valid-type]


@strawberry.type
class ProfileQuestionPayload:
    user: Annotated["User", strawberry.lazy("schema.users.types")] | None
    next_question: ProfileQuestion | None = strawberry.field(description="The question to ask next, if any.")
    errors: list[UserError]
