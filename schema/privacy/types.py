"""GraphQL types of consent, the privacy notice and the learner's data rights. Fields read the use cases'
dataclasses directly."""

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from app.core.documents import ConsentSource, Purpose
from schema.enums import described_enum
from schema.errors import UserError
from schema.profile.users.learners import LearnerPayload
from schema.profile.users.types import User

ConsentPurposeType = described_enum(Purpose, "ConsentPurpose", "What data is collected for.", {
    "ESSENTIAL": "Running the service (enrolments, ratings, the profile); cannot be withdrawn.",
    "PERSONALIZATION": "Personal recommendations and insights from the learner's data.",
    "BEHAVIORAL_TRACKING": "Storing behavioural events (views, clicks, searches, sessions).",
    "THIRD_PARTY_IMPORT": "Importing profiles from connected accounts (connectAccount).",
    "ANALYTICS": "Aggregate statistics for the platform.",
})
ConsentSourceType = described_enum(ConsentSource, "ConsentSource", "Who recorded a consent.", {
    "LEARNER": "The learner, through setConsent.",
    "DEFAULT": "The deployment grants it by default; its terms cover it.",
    "ADMIN": "An admin, for the learner.",
})


@strawberry.type(description="The current consent of one learner for one purpose, as the ledger last recorded it.")
class Consent:
    id: strawberry.ID = strawberry.field(description="`<userId>:<purpose>` (purpose in lower case).")
    purpose: ConsentPurposeType = strawberry.field(description="The purpose.")  # type: ignore[valid-type]
    granted: bool = strawberry.field(description="Whether data may be collected and used for it now.")
    since: datetime | None = strawberry.field(description="When the current state was recorded; null if never.")
    source: ConsentSourceType | None = strawberry.field(  # type: ignore[valid-type]
        description="LEARNER, ADMIN, or DEFAULT (granted by the deployment, its terms cover it).")
    policy_version: str | None = strawberry.field(description="The privacy policy version it was given under.")


@strawberry.type(description="How many documents of a collection an operation removed or reset. A value object "
                 "(no id): a count reported once.")
class CollectionCount:
    collection: str = strawberry.field(description="The MongoDB collection, e.g. events.")
    count: int = strawberry.field(description="Documents removed or reset.")


@strawberry.type(description="What setConsent changed.")
class SetConsentPayload(LearnerPayload):
    consents: list[Consent] = strawberry.field(default_factory=list,
                                               description="Every purpose's state after the change (with ids).")
    purged: list[CollectionCount] = strawberry.field(default_factory=list,
                                                     description="What the withdrawal removed or reset at once.")
    errors: list[UserError] = strawberry.field(description="Why nothing was changed; empty on success.")


@strawberry.type(description="What setPersonalization changed.")
class SetPersonalizationPayload:
    user: User | None = strawberry.field(description=(
        "The learner with personalizationEnabled as set now: their recommendations change too, so select "
        "`user { recommendations(...) }` here or refetch `recommendations`."))
    errors: list[UserError] = strawberry.field(description="Always empty (kept for the payload convention).")


@strawberry.type(description="What deleteMyData erased.")
class DeleteMyDataPayload:
    deleted: list[CollectionCount] = strawberry.field(description="Documents erased per collection.")
    total: int = strawberry.field(description="Documents erased in all.")
    errors: list[UserError] = strawberry.field(description="Always empty (kept for the payload convention).")


@strawberry.type(description="One collection's documents about the learner, JSON-safe (dates as ISO 8601). A value "
                 "object of its export (no id).")
class DataSection:
    collection: str = strawberry.field(description="The MongoDB collection.")
    count: int = strawberry.field(description="How many documents it holds about the learner.")
    documents: JSON = strawberry.field(description="The documents, as a JSON array.")


@strawberry.type(description="Everything Pathwise holds about a learner; GET /v1/me/export gives the same as a file. "
                 "A value object (no id): a snapshot taken when asked, never cached.")
class MyData:
    user_id: strawberry.ID = strawberry.field(description="The learner exported.")
    exported_at: datetime = strawberry.field(description="When the snapshot was taken (UTC).")
    sections: list[DataSection] = strawberry.field(description="One per collection that holds personal data.")


@strawberry.type(description="An event type collected for a purpose. A value object of the privacy notice (no id).")
class CollectedEvent:
    type: str = strawberry.field(description="The event type, e.g. course_view.")
    description: str = strawberry.field(description="What it records.")
    properties: list[str] = strawberry.field(description="Its typed properties (others may be sent too).")
    feeds: list[str] = strawberry.field(description="The insights it updates.")


@strawberry.type(description="What is collected for a purpose, why, and how long it is kept. A value object of the "
                 "privacy notice (no id).")
class PurposeNotice:
    purpose: ConsentPurposeType = strawberry.field(description="The purpose.")  # type: ignore[valid-type]
    why: str = strawberry.field(description="Why the data is collected, for learners.")
    granted_by_default: bool = strawberry.field(description="Whether this deployment grants it by default.")
    can_withdraw: bool = strawberry.field(description="False only for ESSENTIAL.")
    events: list[CollectedEvent] = strawberry.field(description="The event types collected for it.")
    feeds: list[str] = strawberry.field(description="What the data feeds, e.g. recommendations or insights.")
    stored_data: list[str] = strawberry.field(description="Titles of the stored data kept for this purpose.")
    retention: str = strawberry.field(description="How long the data is kept, in words.")
    on_withdrawal: str = strawberry.field(description="What withdrawing it removes at once.")


@strawberry.type(description="Data held about a learner beyond events, collection by collection. A value object of "
                 "the privacy notice (no id).")
class StoredDataNotice:
    title: str = strawberry.field(description="What the data is, in words.")
    collection: str = strawberry.field(description="The MongoDB collection holding it.")
    purpose: ConsentPurposeType | None = strawberry.field(  # type: ignore[valid-type]
        description="Null for events: each event type's purpose is listed under purposes.")
    fields: list[str] = strawberry.field(description="The fields it holds.")
    why: str = strawberry.field(description="Why it is kept, for learners.")
    retention: str = strawberry.field(description="How long it is kept, in words.")


@strawberry.type(description="The privacy notice, generated from the event taxonomy and the stored documents. A "
                 "value object (no id): one per deployment, the same for everyone.")
class PrivacyNotice:
    policy_version: str = strawberry.field(description="The privacy policy version consents are given under.")
    event_retention_days: int = strawberry.field(description="Days raw events are kept before deletion.")
    purposes: list[PurposeNotice] = strawberry.field(description="One entry per purpose.")
    stored_data: list[StoredDataNotice] = strawberry.field(description="The stored data beyond events.")
