"""The MongoDB connection, Beanie initialisation and index creation."""

from typing import Any

from beanie import Document, init_beanie
from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure
from pymongo.monitoring import CommandListener

from app.documents import DOCUMENT_MODELS


def make_client(uri: str, listeners: list[CommandListener] | None = None) -> AsyncMongoClient[Any]:
    """A client for `uri`; `listeners` observe every command (tests count them)."""
    return AsyncMongoClient(
        uri, tz_aware=True, serverSelectionTimeoutMS=5_000, event_listeners=listeners or []
    )


async def init_database(client: AsyncMongoClient[Any], database: str) -> None:
    """Bind the documents to `database` and create their indexes."""
    await init_beanie(database=client[database], document_models=DOCUMENT_MODELS, skip_indexes=True)
    for model in DOCUMENT_MODELS:
        await ensure_indexes(model)


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


async def database_answers(client: AsyncMongoClient[Any], database: str) -> bool:
    try:
        await client[database].command("ping")
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False
    return True
