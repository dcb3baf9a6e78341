"""The audit log: who read or changed a learner's data for them, every consent change, export and erasure.

An entry holds ids, operation names, a purpose and counts, never what was read or written. Entries expire
after the audit retention (a TTL index on `at`, app/core/store/db.py)."""

from enum import StrEnum

import pymongo
from beanie import Document
from pydantic import Field
from pymongo import IndexModel

from app.core.documents.consents import Purpose
from app.core.timestamps import UtcDatetime, utcnow


class AuditAction(StrEnum):
    ACCESS = "access"  # someone else read or changed the learner's data
    CONSENT_GRANTED = "consent_granted"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    PERSONALIZATION_ON = "personalization_on"
    PERSONALIZATION_OFF = "personalization_off"
    EXPORT = "export"
    ERASURE = "erasure"


class AuditEntry(Document):
    """One audited act. `user_id` names the learner whose data it is; an erasure entry has none (it would be
    erased with the learner) and names them by `erased_learner`, a keyed hash of their id instead."""

    id: str  # type: ignore[assignment]
    at: UtcDatetime = Field(default_factory=utcnow)
    action: AuditAction
    operation: str  # the GraphQL field (`Query.user`) or the HTTP route (`GET /v1/me/export`)
    actor_id: str  # the principal (a keyed hash where it is the erased learner)
    actor_roles: list[str] = Field(default_factory=list)
    user_id: str | None = None
    erased_learner: str | None = None
    request_id: str | None = None
    purpose: Purpose | None = None  # consent changes
    counts: dict[str, int] = Field(default_factory=dict)  # erasure: documents deleted per collection

    class Settings:
        name = "audit_log"
        indexes = [
            IndexModel([("user_id", pymongo.ASCENDING), ("at", pymongo.ASCENDING)], name="audit_user_time"),
            IndexModel([("actor_id", pymongo.ASCENDING), ("at", pymongo.ASCENDING)], name="audit_actor_time"),
            IndexModel([("erased_learner", pymongo.ASCENDING)], name="audit_erased_learner"),
        ]
