"""The MongoDB connection, Beanie initialisation and index creation."""

import asyncio
import contextlib
from typing import Any

import pymongo
from beanie import Document, init_beanie
from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure
from pymongo.monitoring import CommandListener

from app.core.documents import DOCUMENT_MODELS, AuditEntry, Event
from app.core.store import wire
from app.core.store.command_metrics import StoreCommandMetrics


def make_client(uri: str, listeners: list[CommandListener] | None = None, select_timeout_ms: int = 5_000,
                reply_timeout_ms: int | None = None) -> AsyncMongoClient[Any]:
    """A client for `uri`; `listeners` observe every command (tests count them). An operation fails once the
    database has not been reachable for `select_timeout_ms`, or has not replied for `reply_timeout_ms`.
    (Not pymongo's timeoutMS: it would bound a whole cursor, and replace the server selection timeout.)
    Its round trips wait once in the calling task, not on tasks of their own (`wire`)."""
    wire.install()
    return AsyncMongoClient(
        uri, tz_aware=True, serverSelectionTimeoutMS=select_timeout_ms,
        connectTimeoutMS=max(select_timeout_ms, 1_000), socketTimeoutMS=reply_timeout_ms,
        event_listeners=[*(listeners or []), StoreCommandMetrics()],  # the latter: /metrics
    )


def database_reachable(client: AsyncMongoClient[Any]) -> bool:
    """Whether the client currently knows a server it can write to (False once an operation or a heartbeat found
    the database gone, until one finds it back)."""
    return bool(client.topology_description.has_writable_server())


async def init_database(
    client: AsyncMongoClient[Any], database: str, event_retention_days: int | None = None,
    audit_retention_days: int | None = None,
) -> None:
    """Bind the documents to `database` and create their indexes; with a retention, raw events (audit log
    entries) expire."""
    await init_beanie(database=client[database], document_models=DOCUMENT_MODELS, skip_indexes=True)
    for model in DOCUMENT_MODELS:
        await ensure_indexes(model)
    if event_retention_days is not None:
        await ensure_event_ttl(Event.get_pymongo_collection(), event_retention_days)
    if audit_retention_days is not None:
        await ensure_event_ttl(AuditEntry.get_pymongo_collection(), audit_retention_days, AUDIT_TTL_FIELD,
                               AUDIT_TTL_INDEX)


EVENT_TTL_INDEX = "event_ttl"
EVENT_TTL_FIELD = "server_timestamp"
AUDIT_TTL_INDEX = "audit_ttl"
AUDIT_TTL_FIELD = "at"


async def ensure_event_ttl(collection: AsyncCollection[Any], days: int, field: str = EVENT_TTL_FIELD,
                           name: str = EVENT_TTL_INDEX) -> None:
    """A TTL index deleting raw events (or the documents of another `field`) `days` after they were received; an
    existing one is changed in place (collMod on MongoDB; drop and create where collMod does not take, as on the
    embedded store)."""
    seconds = days * 86_400
    existing = await _ttl_index(collection, field)
    if existing is None:
        await collection.create_indexes([_ttl_model(seconds, field, name)])
        return
    if existing.get("expireAfterSeconds") == seconds:
        return
    with contextlib.suppress(OperationFailure):
        await collection.database.command(
            {"collMod": collection.name, "index": {"name": existing["name"], "expireAfterSeconds": seconds}})
    changed = await _ttl_index(collection, field)
    if changed is None or changed.get("expireAfterSeconds") != seconds:
        await collection.drop_index(existing["name"])
        await collection.create_indexes([_ttl_model(seconds, field, name)])


async def _ttl_index(collection: AsyncCollection[Any], field: str) -> dict[str, Any] | None:
    """The single-field index on the TTL field, found by its key (the embedded store renames indexes)."""
    for index in await (await collection.list_indexes()).to_list():
        if dict(index["key"]) == {field: 1}:
            return dict(index)
    return None


def _ttl_model(seconds: int, field: str, name: str) -> IndexModel:
    return IndexModel([(field, ASCENDING)], name=name, expireAfterSeconds=seconds)


async def ensure_indexes(model: type[Document]) -> None:
    """Create the model's indexes (creating an existing one is a no-op)."""
    collection = model.get_pymongo_collection()
    declared = getattr(model, "Settings", None)
    for index in getattr(declared, "indexes", None) or []:
        if isinstance(index, IndexModel):
            await _ensure_index(collection, index)


async def _ensure_index(collection: AsyncCollection[Any], index: IndexModel) -> None:
    if not _is_text(index):
        await collection.create_indexes([index])
        return
    existing = await collection.index_information()
    if any(key == "_fts" for info in existing.values() for key, _ in info["key"]):
        return  # MongoDB allows one text index per collection
    try:
        await collection.create_indexes([index])
    except OperationFailure:
        # The embedded store does not list text indexes and fails to create one twice.
        if not await text_search_works(collection):
            raise


def _is_text(index: IndexModel) -> bool:
    return any(kind == "text" for _, kind in index.document["key"].items())


async def text_search_works(collection: AsyncCollection[Any]) -> bool:
    try:
        await collection.find({"$text": {"$search": "pathwise"}}, {"_id": 1}).limit(1).to_list()
    except OperationFailure:
        return False
    return True


async def database_answers(client: AsyncMongoClient[Any], database: str, timeout_s: float = 1.0) -> bool:
    """Whether the database answers a ping within `timeout_s`."""
    try:
        with pymongo.timeout(timeout_s):
            await asyncio.wait_for(client[database].command("ping"), timeout_s + 0.5)
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False
    return True
