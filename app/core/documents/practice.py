"""What adaptive practice stores: the skill graph, the item bank, and per learner their mastery, memory of
items (spaced repetition) and placement tests. String ids throughout; composite ids are `"{user}:{thing}"`
as for enrolments (a user id may contain ':', so code always filters on the separate fields too)."""

from enum import StrEnum
from typing import Any

import pymongo
from beanie import Document
from pydantic import BaseModel, Field
from pymongo import IndexModel

from app.core.timestamps import UtcDatetime, utcnow


class Skill(Document):
    """A node of the skill graph; `prerequisites` are skill ids that should be mastered first."""

    id: str = Field(min_length=1, max_length=200)  # type: ignore[assignment]
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5_000)
    prerequisites: list[str] = Field(default_factory=list, max_length=100)
    topics: list[str] = Field(default_factory=list, max_length=100)  # catalog topics/skills this skill belongs to
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "skills"
        indexes = [IndexModel([("updated_at", pymongo.DESCENDING)], name="skill_updated_at")]  # the catalog's stamp


class ExerciseFormat(StrEnum):
    MULTIPLE_CHOICE = "multiple_choice"
    SHORT_ANSWER = "short_answer"
    NUMERIC = "numeric"
    CODE = "code"
    OPEN = "open"  # graded by the platform, which reports correctness


class Exercise(Document):
    """A practice item. IRT 2PL parameters: `discrimination` (a) and `difficulty` (b, logits)."""

    id: str = Field(min_length=1, max_length=200)  # type: ignore[assignment]
    skills: list[str] = Field(min_length=1, max_length=20)
    prompt: str = Field(default="", max_length=10_000)
    format: ExerciseFormat = ExerciseFormat.MULTIPLE_CHOICE
    choices: list[str] = Field(default_factory=list, max_length=50)
    answers: list[str] = Field(default_factory=list, max_length=50)  # accepted answers; never shown to learners
    difficulty: float = Field(default=0.0, ge=-6.0, le=6.0)
    discrimination: float = Field(default=1.0, gt=0.0, le=5.0)
    expected_seconds: int | None = Field(default=None, ge=1, le=86_400)
    course_id: str | None = Field(default=None, max_length=200)
    lesson_id: str | None = Field(default=None, max_length=200)
    published: bool = True
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "exercises"
        indexes = [IndexModel([("skills", pymongo.ASCENDING)], name="exercise_skills")]


class SkillMastery(BaseModel):
    """The current estimate for one skill of one learner."""

    probability: float = Field(ge=0.0, le=1.0)  # P(correct on the next item of this skill)
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    attempts: int = 0
    correct: int = 0
    source: str = "practice"  # "practice", "placement", "feedback", "self_assessment"
    practiced_at: UtcDatetime | None = None
    updated_at: UtcDatetime = Field(default_factory=utcnow)


class KnowledgeState(Document):
    """One per learner (`_id` = `user_id`): mastery per skill (keys are `field_key(skill id)`) and the knowledge
    model's own state of the learner (`LearnerState.to_dict()`, skills numbered by `skill_numbers`)."""

    id: str  # type: ignore[assignment]
    user_id: str
    skills: dict[str, SkillMastery] = Field(default_factory=dict)
    skill_ids: dict[str, str] = Field(default_factory=dict)  # field_key -> skill id as written
    model_state: dict[str, Any] = Field(default_factory=dict)
    skill_numbers: dict[str, int] = Field(default_factory=dict)  # field_key -> the model state's skill number
    level: str | None = None  # starting level from the latest placement test
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "knowledge_states"


class ReviewCard(Document):
    """Spaced-repetition memory of one exercise for one learner (`_id` = `"{user_id}:{exercise_id}"`)."""

    id: str  # type: ignore[assignment]
    user_id: str
    exercise_id: str
    skills: list[str] = Field(default_factory=list)
    memory: dict[str, Any] = Field(default_factory=dict)  # `ItemMemory.to_dict()` (FSRS card)
    due: UtcDatetime
    last_review: UtcDatetime | None = None
    reviews: int = 0
    lapses: int = 0

    @staticmethod
    def key(user_id: str, exercise_id: str) -> str:
        return f"{user_id}:{exercise_id}"

    class Settings:
        name = "review_cards"
        indexes = [IndexModel([("user_id", pymongo.ASCENDING), ("due", pymongo.ASCENDING)], name="review_due")]


class PlacementStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class PlacementTest(Document):
    """An adaptive placement test in progress or finished; `session` is `PlacementSession.to_dict()`."""

    id: str  # type: ignore[assignment]
    user_id: str
    skills: list[str] = Field(default_factory=list)
    session: dict[str, Any] = Field(default_factory=dict)
    status: PlacementStatus = PlacementStatus.IN_PROGRESS
    current_item: str | None = None
    asked: list[str] = Field(default_factory=list)
    ability: float | None = None
    standard_error: float | None = None
    level: str | None = None
    stop_reason: str | None = None
    created_at: UtcDatetime = Field(default_factory=utcnow)
    finished_at: UtcDatetime | None = None

    class Settings:
        name = "placement_tests"
        indexes = [IndexModel([("user_id", pymongo.ASCENDING)], name="placement_user")]
