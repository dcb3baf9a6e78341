"""The audit log query (admins only)."""

from datetime import datetime
from typing import Annotated

import strawberry

from app.core.documents import AuditEntry as AuditEntryDocument
from app.core.identifiers import id_problem
from resolvers.errors import ErrorCode
from resolvers.pages import MAX_PAGE_SIZE, Page
from resolvers.privacy import audit
from schema.arguments import AfterArg
from schema.context import Info
from schema.courses.types import page_info_of
from schema.errors import ApiError
from schema.expected_errors import ExpectedErrors
from schema.permissions import IsAdmin
from schema.privacy.audit.types import AuditEntryConnection, AuditEntryEdge


def _connection(page: Page[AuditEntryDocument]) -> AuditEntryConnection:
    edges = [AuditEntryEdge(cursor=c, node=n) for n, c in zip(page.items, page.cursors, strict=True)]
    return AuditEntryConnection(total_count=page.total_count, edges=edges, page_info=page_info_of(page))


def _checked_id(value: strawberry.ID | None, argument: str) -> str | None:
    if value is None:
        return None
    problem = id_problem(str(value))
    if problem:
        raise ApiError(ErrorCode.BAD_USER_INPUT, f"{argument} {problem}")
    return str(value)


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[IsAdmin], extensions=[ExpectedErrors()], description=(
        "The audit log, newest first (admins only; others get FORBIDDEN): reads and changes of a learner's data "
        "by someone else, consent changes, exports and erasures. Filters combine; `since`/`until` are inclusive. "
        f"`first` is 1–{MAX_PAGE_SIZE}."))
    async def audit_log(
        self, info: Info,
        user_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Only entries about this learner, their erasure entry included.")] = None,
        actor: Annotated[strawberry.ID | None, strawberry.argument(
            description="Only entries of acts by this user id.")] = None,
        since: Annotated[datetime | None, strawberry.argument(description="Only entries at or after this time.")]
        = None,
        until: Annotated[datetime | None, strawberry.argument(description="Only entries at or before this time.")]
        = None,
        first: Annotated[int, strawberry.argument(description=f"Page size, 1–{MAX_PAGE_SIZE}.")] = 20,
        after: AfterArg = None,
    ) -> AuditEntryConnection:
        query = audit.AuditQuery(_checked_id(user_id, "userId"), _checked_id(actor, "actor"), since, until)
        key = info.context.audit_log.key if info.context.audit_log is not None else audit.AuditLog().key
        return _connection(await audit.audit_page(query, first, after, key))

