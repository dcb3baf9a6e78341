"""GraphQL types of the audit log: an entry, and a page of them."""

from datetime import datetime

import strawberry

from app.core.documents import AuditAction
from app.core.documents import AuditEntry as AuditEntryDocument
from schema.courses.types import PageInfo
from schema.enums import described_enum
from schema.privacy.types import CollectionCount, ConsentPurposeType

AuditActionType = described_enum(AuditAction, "AuditAction", "What an audit entry records.", {
    "ACCESS": "Someone else (a partner or an admin) read or changed the learner's data through `operation`.",
    "CONSENT_GRANTED": "A purpose was granted (`purpose`).",
    "CONSENT_WITHDRAWN": "A purpose was withdrawn (`purpose`); what was collected only for it was purged.",
    "PERSONALIZATION_ON": "Personalization was switched on.",
    "PERSONALIZATION_OFF": "Personalization was switched off (a generic experience).",
    "EXPORT": "The learner's data was exported (myData or GET /v1/me/export).",
    "ERASURE": "The learner's data was erased (deleteMyData); `counts` has the documents deleted per collection.",
})


@strawberry.type(description=(
    "One audited act: who, what, whose data, when and in which request. Ids, operation names, a purpose and "
    "counts only, never what was read or written. Kept PATHWISE_AUDIT_RETENTION_DAYS days (default 400)."))
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="The entry's id.")
    at: datetime = strawberry.field(description="When it happened (UTC, milliseconds).")
    action: AuditActionType = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    operation: str = strawberry.field(description=(
        "Through what: the GraphQL field (`Query.user`, `Mutation.setConsent`, `User.recommendations`), the HTTP "
        "route (`GET /v1/me/export`, `POST /v1/events`), or `cli`."))
    actor_id: str = strawberry.field(description=(
        "Who: the caller's user id (the token's `sub`); `pathwise` for the command line. In the erasure entry of "
        "a learner who erased their own data, the same keyed hash as `erasedLearner`."))
    actor_roles: list[str] = strawberry.field(description="The caller's roles then: learner, partner, admin.")
    user_id: strawberry.ID | None = strawberry.field(description=(
        "Whose data: the learner's id; null in an erasure entry, which names them by `erasedLearner`."))
    erased_learner: str | None = strawberry.field(description=(
        "Erasure entries only: `hmac-sha256:` and a keyed hash of the erased learner's id (the id itself is "
        "erased); `auditLog(userId:)` finds it from the id."))
    request_id: str | None = strawberry.field(description="The request's id (the X-Request-ID response header).")
    purpose: ConsentPurposeType | None = strawberry.field(  # type: ignore[valid-type]
        description="Consent changes: the purpose granted or withdrawn; null otherwise.")

    @strawberry.field(description="Erasure entries: the documents deleted per collection; empty otherwise.")
    def counts(self, root: strawberry.Parent[AuditEntryDocument]) -> list[CollectionCount]:
        return [CollectionCount(collection=name, count=count) for name, count in sorted(root.counts.items())]


@strawberry.type(description="An audit entry of a page and its cursor. A value object (no id): its node is the entity.")
class AuditEntryEdge:
    cursor: str = strawberry.field(description="Opaque; pass it as `after` to continue after this entry.")
    node: AuditEntry = strawberry.field(description="The entry.")


@strawberry.type(description="A page of audit entries, newest first, Relay style. A value object (no id).")
class AuditEntryConnection:
    total_count: int = strawberry.field(description="Entries matching the filters, over all pages.")
    edges: list[AuditEntryEdge] = strawberry.field(description="This page's entries, newest first.")
    page_info: PageInfo = strawberry.field(description="Whether more pages follow, and the cursors.")
