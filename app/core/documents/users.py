"""Learners, keyed by the platform's own user id."""

from typing import Any

from beanie import Document
from pydantic import Field, model_validator

from app.core.documents.profiles import Activity, Insights, Onboarding, Preferences, Provenance
from app.core.encryption import sealed_fields
from app.core.timestamps import UtcDatetime, utcnow

# Fields a platform may set through `upsertUser` (besides `id`).
PROFILE_FIELDS = (
    "display_name", "age_range", "country", "city", "languages", "timezone",
    "education_level", "job_title", "industry", "goals", "interests", "other_interests",
    "weekly_minutes_target", "preferred_formats", "preferred_session_minutes",
    "personalization_enabled", "attributes",
)


class User(Document):
    """A learner. Goals and interests name skills/topics of the catalog's taxonomy."""

    id: str = Field(min_length=1, max_length=200)  # type: ignore[assignment]
    display_name: str | None = Field(default=None, max_length=200)
    age_range: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=100)
    city: str | None = Field(default=None, max_length=200)
    languages: list[str] = Field(default_factory=list, max_length=50)
    timezone: str | None = Field(default=None, max_length=64)
    education_level: str | None = Field(default=None, max_length=100)
    job_title: str | None = Field(default=None, max_length=200)
    industry: str | None = Field(default=None, max_length=200)
    goals: list[str] = Field(default_factory=list, max_length=100)
    interests: list[str] = Field(default_factory=list, max_length=200)
    other_interests: str | None = Field(default=None, max_length=2_000)
    weekly_minutes_target: int | None = Field(default=None, ge=0, le=10_080)
    preferred_formats: list[str] = Field(default_factory=list, max_length=20)
    preferred_session_minutes: int | None = Field(default=None, ge=0, le=1_440)
    personalization_enabled: bool = True
    attributes: dict[str, Any] = Field(default_factory=dict)
    # Maintained by Pathwise, not set through upsertUser:
    consents: dict[str, bool] = Field(default_factory=dict, description="purpose -> granted, from the ledger")
    insights: Insights = Field(default_factory=Insights)
    recent_activity: list[Activity] = Field(default_factory=list)  # oldest first, capped
    preferences: Preferences = Field(default_factory=Preferences)
    onboarding: Onboarding = Field(default_factory=Onboarding)
    provenance: dict[str, Provenance] = Field(default_factory=dict)  # field -> where its value came from
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    @model_validator(mode="before")
    @classmethod
    def _open_sealed(cls, data: Any) -> Any:
        """Stored values of the sealed fields are encrypted (app/core/encryption/sealed_fields.py): opened here."""
        return sealed_fields.open_sealed("users", data)

    class Settings:
        name = "users"
