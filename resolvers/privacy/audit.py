"""The audit log's use cases: recording an act (at once, or batched for reads by others) and the admins' query.

An erased learner's id is not kept: their erasure entry names them by a keyed hash (HMAC-SHA256 with the
deployment's audit key), so the entry proves the erasure to whoever knows the id and holds the key, yet the
store keeps no document with the id itself."""

import asyncio
import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from beanie import SortDirection
from pymongo.errors import PyMongoError

from app.core.documents import AuditAction, AuditEntry, Purpose
from app.core.secret_files import read_or_create
from app.core.timestamps import as_utc
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.pages import Page, check_page_size, decode_cursor, encode_cursor

KEY_FILE = "audit_key"
_NEWEST_FIRST = [("at", SortDirection.DESCENDING), ("_id", SortDirection.DESCENDING)]
log = logging.getLogger("pathwise.audit")


@dataclass(frozen=True)
class Actor:
    """Who acts (the principal's id and roles), through which operation, in which request."""

    id: str
    roles: tuple[str, ...]
    operation: str
    request_id: str | None = None


SYSTEM = Actor("pathwise", ("system",), "cli")  # the command line (demo data), not a person


def entry(actor: Actor, action: AuditAction, user_id: str | None, purpose: Purpose | None = None) -> AuditEntry:
    return AuditEntry(id=uuid.uuid4().hex, action=action, operation=actor.operation, actor_id=actor.id,
                      actor_roles=list(actor.roles), user_id=user_id, request_id=actor.request_id, purpose=purpose)


async def record(actor: Actor, action: AuditAction, user_id: str, purpose: Purpose | None = None) -> None:
    """Record an act before its answer (consent changes, exports)."""
    await entry(actor, action, user_id, purpose).insert()


def load_or_create_key(data_dir: Path) -> bytes:
    """The deployment's audit key, generated once and kept in the data dir (like the JWT secret)."""
    return bytes.fromhex(read_or_create(data_dir / KEY_FILE, lambda: secrets.token_hex(32)).strip())


def erased_subject(key: bytes, user_id: str) -> str:
    """How an erasure entry names the erased learner: a keyed hash of the id, not the id."""
    return "hmac-sha256:" + hmac.new(key, user_id.encode(), hashlib.sha256).hexdigest()


async def record_erasure(actor: Actor, user_id: str, counts: dict[str, int], key: bytes) -> AuditEntry:
    """The entry proving an erasure; written after it, it names the learner (and a learner erasing their own
    data as the actor) only by the keyed hash."""
    subject = erased_subject(key, user_id)
    done = entry(actor, AuditAction.ERASURE, None)
    done.erased_learner, done.counts = subject, dict(counts)
    if actor.id == user_id:
        done.actor_id = subject
    await done.insert()
    return done


class AuditLog:
    """Entries of reads and changes by others, written in batches shortly after the answer (fire and forget:
    a failed write is logged, never the caller's failure). `flush()` writes what is pending now."""

    def __init__(self, key: bytes | None = None, flush_ms: int = 20, max_pending: int = 10_000) -> None:
        self.key = key if key is not None else secrets.token_bytes(32)
        self._flush_s = flush_ms / 1000
        self._max_pending = max_pending
        self._pending: list[AuditEntry] = []
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def record_later(self, audited: AuditEntry) -> None:
        if len(self._pending) >= self._max_pending:
            log.error("audit log: %d entries pending, one of %s dropped", len(self._pending), audited.operation)
            return
        self._pending.append(audited)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._flush_soon(), name="pathwise-audit-log")

    async def _flush_soon(self) -> None:
        await asyncio.sleep(self._flush_s)
        await self.flush()

    async def flush(self) -> None:
        async with self._lock:  # a write in flight is done when flush() returns
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await AuditEntry.insert_many(batch, ordered=False)
                except PyMongoError:
                    log.exception("audit log: %d entries could not be written", len(batch))

    async def forget(self, user_id: str) -> None:
        """Drop the pending entries about `user_id` (being erased), after any write in flight."""
        async with self._lock:
            self._pending = [pending for pending in self._pending if pending.user_id != user_id]


@dataclass(frozen=True)
class AuditQuery:
    """What `auditLog` keeps: entries about a learner (their erasure included), by an actor, in a time range."""

    user_id: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def audit_page(query: AuditQuery, first: int, after: str | None, key: bytes) -> Page[AuditEntry]:
    """A page of entries, newest first (ties by id)."""
    check_page_size(first)
    if query.since and query.until and as_utc(query.since) > as_utc(query.until):
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "`since` must not be after `until`")
    found = _filter(query, key)
    total = await AuditEntry.find(found).count()
    if after is not None:
        found = {"$and": [found, _before(decode_cursor(after, "audit"))]}
    rows = await AuditEntry.find(found).sort(_NEWEST_FIRST).limit(first + 1).to_list()
    items = rows[:first]
    cursors = [encode_cursor("audit", [item.at.isoformat(), item.id]) for item in items]
    return Page(items, cursors, total, len(rows) > first, after is not None)


def _filter(query: AuditQuery, key: bytes) -> dict[str, Any]:
    clauses: list[dict[str, Any]] = []
    if query.user_id is not None:
        clauses.append({"$or": [{"user_id": query.user_id},
                                {"erased_learner": erased_subject(key, query.user_id)}]})
    if query.actor is not None:
        clauses.append({"actor_id": {"$in": [query.actor, erased_subject(key, query.actor)]}})
    if query.since is not None:
        clauses.append({"at": {"$gte": as_utc(query.since)}})
    if query.until is not None:
        clauses.append({"at": {"$lte": as_utc(query.until)}})
    return {"$and": clauses} if clauses else {}


def _before(cursor: Any) -> dict[str, Any]:
    try:
        at, entry_id = datetime.fromisoformat(cursor[0]), str(cursor[1])
    except (TypeError, ValueError, IndexError, KeyError) as error:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "`after` is not a cursor of this list") from error
    return {"$or": [{"at": {"$lt": at}}, {"at": at, "_id": {"$lt": entry_id}}]}
