"""GraphQL types of consent, the privacy notice and the learner's data rights. Fields read the use cases'
dataclasses directly."""

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from app.documents import ConsentSource, Purpose
from schema.errors import UserError
from schema.users.types import User

ConsentPurposeType = strawberry.enum(Purpose, name="ConsentPurpose", description="What data is collected for.")
ConsentSourceType = strawberry.enum(ConsentSource, name="ConsentSource", description="Who recorded a consent.")


@strawberry.type(description="The current consent for one purpose, as the ledger last recorded it.")
class Consent:
    purpose: ConsentPurposeType  # type: ignore[valid-type]
    granted: bool
    since: datetime | None = strawberry.field(description="When the current state was recorded; null if never.")
    source: ConsentSourceType | None = strawberry.field(  # type: ignore[valid-type]
        description="LEARNER, ADMIN, or DEFAULT (granted by the deployment, its terms cover it).")
    policy_version: str | None = strawberry.field(description="The privacy policy version it was given under.")


@strawberry.type(description="How many documents of a collection an operation removed or reset.")
class CollectionCount:
    collection: str
    count: int


@strawberry.type
class SetConsentPayload:
    consents: list[Consent] = strawberry.field(description="Every purpose's state after the change.")
    purged: list[CollectionCount] = strawberry.field(description="What the withdrawal removed or reset at once.")
    errors: list[UserError]


@strawberry.type
class SetPersonalizationPayload:
    user: User | None
    errors: list[UserError]


@strawberry.type
class DeleteMyDataPayload:
    deleted: list[CollectionCount] = strawberry.field(description="Documents erased per collection.")
    total: int
    errors: list[UserError]


@strawberry.type(description="One collection's documents about the learner, JSON-safe (dates as ISO 8601).")
class DataSection:
    collection: str
    count: int
    documents: JSON


@strawberry.type(description="Everything Pathwise holds about a learner; GET /v1/me/export gives the same as a file.")
class MyData:
    user_id: strawberry.ID
    exported_at: datetime
    sections: list[DataSection] = strawberry.field(description="One per collection that holds personal data.")


@strawberry.type(description="An event type collected for a purpose.")
class CollectedEvent:
    type: str
    description: str
    properties: list[str] = strawberry.field(description="Its typed properties (others may be sent too).")
    feeds: list[str] = strawberry.field(description="The insights it updates.")


@strawberry.type(description="What is collected for a purpose, why, and how long it is kept.")
class PurposeNotice:
    purpose: ConsentPurposeType  # type: ignore[valid-type]
    why: str
    granted_by_default: bool = strawberry.field(description="Whether this deployment grants it by default.")
    can_withdraw: bool
    events: list[CollectedEvent]
    feeds: list[str]
    stored_data: list[str] = strawberry.field(description="Titles of the stored data kept for this purpose.")
    retention: str
    on_withdrawal: str = strawberry.field(description="What withdrawing it removes at once.")


@strawberry.type(description="Data held about a learner beyond events, collection by collection.")
class StoredDataNotice:
    title: str
    collection: str
    purpose: ConsentPurposeType | None = strawberry.field(  # type: ignore[valid-type]
        description="Null for events: each event type's purpose is listed under purposes.")
    fields: list[str]
    why: str
    retention: str


@strawberry.type(description="The privacy notice, generated from the event taxonomy and the stored documents.")
class PrivacyNotice:
    policy_version: str
    event_retention_days: int
    purposes: list[PurposeNotice]
    stored_data: list[StoredDataNotice]
