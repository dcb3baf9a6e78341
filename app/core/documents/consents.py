"""Consent: the purposes a learner may grant, and the ledger of every grant and withdrawal."""

from enum import StrEnum

import pymongo
from beanie import Document
from pydantic import Field
from pymongo import IndexModel

from app.core.timestamps import UtcDatetime, utcnow


class Purpose(StrEnum):
    ESSENTIAL = "essential"
    PERSONALIZATION = "personalization"
    BEHAVIORAL_TRACKING = "behavioral_tracking"
    THIRD_PARTY_IMPORT = "third_party_import"
    ANALYTICS = "analytics"


class ConsentSource(StrEnum):
    LEARNER = "learner"  # the learner said so
    DEFAULT = "default"  # the deployment grants it by default (its own terms cover it)
    ADMIN = "admin"  # an admin acted for the learner


class ConsentEntry(Document):
    """One grant or withdrawal; the ledger is append-only (erasure removes it with the learner)."""

    id: str  # type: ignore[assignment]
    user_id: str
    purpose: Purpose
    granted: bool
    at: UtcDatetime = Field(default_factory=utcnow)
    policy_version: str
    source: ConsentSource = ConsentSource.LEARNER

    class Settings:
        name = "consents"
        indexes = [IndexModel([("user_id", pymongo.ASCENDING), ("at", pymongo.ASCENDING)], name="consent_user_time")]
