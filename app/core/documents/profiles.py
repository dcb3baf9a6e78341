"""The parts of a learner's document that Pathwise derives or the learner states after sign-up:
insights (updated incrementally from events), explicit preferences, onboarding answers, consent
state, and field provenance."""

from datetime import datetime
from urllib.parse import quote, unquote

from pydantic import BaseModel, Field

from app.core.timestamps import UtcDatetime

INTEREST_EPOCH = datetime.fromisoformat("2025-01-01T00:00:00+00:00")
RECENT_ACTIVITY_LIMIT = 50
SESSION_SAMPLE_LIMIT = 50
FEEDBACK_LIMIT = 200


def field_key(label: str) -> str:
    """A MongoDB-safe map key for a skill, topic or device label (no '.', no leading '$')."""
    return quote(" ".join(label.casefold().split()), safe=" ").replace(".", "%2E")


def label_of(key: str) -> str:
    return unquote(key)


class QuizTally(BaseModel):
    attempts: int = 0
    correct: int = 0


class Insights(BaseModel):
    """Aggregates over a learner's events. Interest scores are stored time-normalised:
    score_at(t) = stored * 2 ** (-(t - INTEREST_EPOCH) / half_life), so every update is a plain $inc."""

    interest_scores: dict[str, float] = Field(default_factory=dict)
    interest_labels: dict[str, str] = Field(default_factory=dict)  # field_key(label) -> label as first written
    hours: dict[str, int] = Field(default_factory=dict)  # "0".."23" (UTC or the event's timezone) -> events
    weekdays: dict[str, int] = Field(default_factory=dict)  # "0" (Monday) .. "6" -> events
    devices: dict[str, int] = Field(default_factory=dict)
    formats: dict[str, float] = Field(default_factory=dict)  # course format -> engagement weight
    lengths: dict[str, float] = Field(default_factory=dict)  # "short" / "medium" / "long" -> weight
    session_lengths_ms: list[int] = Field(default_factory=list)  # the last SESSION_SAMPLE_LIMIT sessions
    quiz: dict[str, QuizTally] = Field(default_factory=dict)  # field_key(skill) -> tally
    enrolled: int = 0
    completed: int = 0
    events: int = 0
    active_days: int = 0
    current_streak: int = 0
    longest_streak: int = 0
    last_active_day: str | None = None  # ISO date
    last_active_at: UtcDatetime | None = None


class Activity(BaseModel):
    type: str
    at: UtcDatetime
    course_id: str | None = None
    detail: str | None = None


class RecommendationFeedback(BaseModel):
    request_id: str | None = None
    course_id: str
    positive: bool
    at: UtcDatetime
    action: str = "thumbs"  # "thumbs" (rateRecommendation) or "dismiss" (dismissRecommendation)


class Preferences(BaseModel):
    followed_topics: list[str] = Field(default_factory=list)
    followed_instructors: list[str] = Field(default_factory=list)
    not_interested_courses: list[str] = Field(default_factory=list)
    not_interested_topics: list[str] = Field(default_factory=list)
    dismissed_courses: list[str] = Field(default_factory=list)
    feedback: list[RecommendationFeedback] = Field(default_factory=list)  # the last FEEDBACK_LIMIT
    difficulty_feedback: dict[str, str] = Field(default_factory=dict)  # field_key(course id) -> too_easy/...


class Onboarding(BaseModel):
    completed_at: UtcDatetime | None = None
    self_assessed_level: str | None = None
    other_skills: list[str] = Field(default_factory=list)  # catalog skills matched from free text
    answered_questions: list[str] = Field(default_factory=list)
    skipped_questions: list[str] = Field(default_factory=list)
    answered_at: dict[str, UtcDatetime] = Field(default_factory=dict)  # question id -> last answer
    skipped_at: dict[str, UtcDatetime] = Field(default_factory=dict)  # question id -> last skip
    career_goal: str | None = None  # the role the learner works towards, in their words
    skill_levels: dict[str, str] = Field(default_factory=dict)  # field_key(skill) -> self-assessed level


class Provenance(BaseModel):
    source: str  # "learner", "platform", or a provider such as "github"
    at: UtcDatetime
