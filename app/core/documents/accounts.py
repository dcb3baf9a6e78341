"""Third-party accounts a learner connected (LinkedIn, GitHub, Google), normalized, with provenance."""

from enum import StrEnum
from typing import Any

import pymongo
from beanie import Document
from pydantic import Field, model_validator
from pymongo import IndexModel

from app.core.encryption import sealed_fields
from app.core.timestamps import UtcDatetime, utcnow


class Provider(StrEnum):
    LINKEDIN = "linkedin"
    GITHUB = "github"
    GOOGLE = "google"


class ConnectedAccount(Document):
    """`_id` is `"{user_id}:{provider}"`: connecting again replaces the earlier import."""

    id: str  # type: ignore[assignment]
    user_id: str
    provider: Provider
    connected_at: UtcDatetime = Field(default_factory=utcnow)
    external_id: str | None = None
    # What the import set on the learner: field -> value (profile fields, skills, languages, ...)
    imported: dict[str, Any] = Field(default_factory=dict)
    positions: list[dict[str, Any]] = Field(default_factory=list)
    education: list[dict[str, Any]] = Field(default_factory=list)
    profile: dict[str, Any] = Field(default_factory=dict)  # the normalized profile (skills with weights, ...)

    @model_validator(mode="before")
    @classmethod
    def _open_sealed(cls, data: Any) -> Any:
        """Stored values of the sealed fields are encrypted (app/core/encryption/sealed_fields.py): opened here."""
        return sealed_fields.open_sealed("accounts", data)

    @staticmethod
    def key(user_id: str, provider: str) -> str:
        return f"{user_id}:{provider}"

    class Settings:
        name = "accounts"
        indexes = [IndexModel([("user_id", pymongo.ASCENDING)], name="account_user")]
