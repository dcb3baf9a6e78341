"""A learner's rating (1–5) of a course, with an optional review."""

from typing import Any

import pymongo
from beanie import Document
from pydantic import Field, model_validator
from pymongo import IndexModel

from app.core.encryption import sealed_fields
from app.core.timestamps import UtcDatetime, utcnow


class Rating(Document):
    """One per (user, course); `_id` is `"{user_id}:{course_id}"`; rating again replaces it."""

    id: str  # type: ignore[assignment]
    user_id: str
    course_id: str
    rating: int = Field(ge=1, le=5)
    review: str | None = Field(default=None, max_length=10_000)
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    @model_validator(mode="before")
    @classmethod
    def _open_sealed(cls, data: Any) -> Any:
        """Stored values of the sealed fields are encrypted (app/core/encryption/sealed_fields.py): opened here."""
        return sealed_fields.open_sealed("ratings", data)

    @staticmethod
    def key(user_id: str, course_id: str) -> str:
        return f"{user_id}:{course_id}"

    class Settings:
        name = "ratings"
        indexes = [
            IndexModel([("user_id", pymongo.ASCENDING)], name="rating_user"),
            IndexModel([("course_id", pymongo.ASCENDING)], name="rating_course"),
        ]
