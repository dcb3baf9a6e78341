"""The course catalog."""

import hashlib
import json
from enum import StrEnum

import pymongo
from beanie import Document
from pydantic import BaseModel, Field, field_validator, model_validator
from pymongo import IndexModel

from app.core.timestamps import UtcDatetime, utcnow


class CourseLevel(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    MIXED = "mixed"


class CourseFormat(StrEnum):
    VIDEO = "video"
    TEXT = "text"
    INTERACTIVE = "interactive"
    PROJECT = "project"
    LIVE = "live"
    AUDIO = "audio"
    MIXED = "mixed"


# Fields a platform sets; the content hash covers exactly these.
CONTENT_FIELDS = (
    "title", "summary", "description", "skills", "topics", "level", "language",
    "duration_minutes", "format", "provider", "instructors", "prerequisites",
    "url", "rating", "rating_count", "enrollment_count", "published",
)


class CourseStats(BaseModel):
    """What Pathwise's own learners did with the course (kept apart from the platform's catalog numbers)."""

    enrollments: int = 0
    completions: int = 0
    rating_count: int = 0
    rating_average: float | None = None


class Course(Document):
    """A course of the platform's catalog, keyed by the platform's own course id."""

    id: str = Field(min_length=1, max_length=200)  # type: ignore[assignment]
    title: str = Field(min_length=1, max_length=500)
    summary: str = Field(default="", max_length=5_000)
    description: str = Field(default="", max_length=50_000)
    skills: list[str] = Field(default_factory=list, max_length=200)
    topics: list[str] = Field(default_factory=list, max_length=200)
    level: CourseLevel | None = None
    language: str = Field(default="en", min_length=2, max_length=35)
    duration_minutes: int | None = Field(default=None, ge=0, le=1_000_000)
    format: CourseFormat | None = None
    provider: str | None = Field(default=None, max_length=300)
    instructors: list[str] = Field(default_factory=list, max_length=100)
    prerequisites: list[str] = Field(default_factory=list, max_length=100)
    url: str | None = Field(default=None, max_length=2_000)
    rating: float | None = Field(default=None, ge=0, le=5)
    rating_count: int = Field(default=0, ge=0)
    enrollment_count: int = Field(default=0, ge=0)
    published: bool = True
    stats: CourseStats = Field(default_factory=CourseStats)
    skill_keys: list[str] = Field(default_factory=list, description="casefolded skills, for filters")
    content_hash: str = ""
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    @field_validator("skills", "topics", "instructors", "prerequisites")
    @classmethod
    def _clean_list(cls, values: list[str]) -> list[str]:
        seen: dict[str, None] = {}
        for value in values:
            cleaned = " ".join(value.split())
            if cleaned:
                seen.setdefault(cleaned, None)
        return list(seen)

    @model_validator(mode="after")
    def _derive(self) -> "Course":
        self.language = self.language.lower()
        self.skill_keys = [skill.casefold() for skill in self.skills]
        return self

    def compute_content_hash(self) -> str:
        payload = {name: getattr(self, name) for name in CONTENT_FIELDS}
        encoded = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()[:32]

    class Settings:
        name = "courses"
        indexes = [
            IndexModel(
                [("title", pymongo.TEXT), ("summary", pymongo.TEXT), ("skills", pymongo.TEXT),
                 ("topics", pymongo.TEXT), ("description", pymongo.TEXT)],
                name="course_text",
                weights={"title": 10, "skills": 5, "topics": 5, "summary": 3, "description": 1},
                default_language="english",
                # MongoDB would read each course's `language` ("en", "pt-br", ...) as the text language
                # and refuse the ones it has no stemmer for; a field we never set keeps English for all.
                language_override="text_language",
            ),
            IndexModel([("skill_keys", pymongo.ASCENDING)], name="course_skill_keys"),
            IndexModel([("level", pymongo.ASCENDING)], name="course_level"),
            IndexModel([("language", pymongo.ASCENDING)], name="course_language"),
            IndexModel([("published", pymongo.ASCENDING)], name="course_published"),
            IndexModel([("updated_at", pymongo.DESCENDING)], name="course_updated_at"),  # the catalog's stamp
        ]
