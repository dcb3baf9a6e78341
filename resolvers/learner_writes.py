"""The writes of learners' data, each announcing its learners changed when done (resolvers.learner_changes).

Use cases write a learner's documents through these instead of the collections, so a new write path cannot
leave a cached recommendation list behind. Profile writes go through resolvers.profile.writes (which
announces too); a use case whose writes are partly made by helpers that do not announce (folding events into
profiles) runs them inside `changing`. Writes that no recommendation reads (placement tests in progress,
ledgers, audit entries) and writes that deliberately keep the lists (events that only move usage patterns)
stay outside. Each function sends exactly the command its name says, in the shape given.
"""

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from beanie import Document
from pymongo.results import UpdateResult

from app.core.encryption.sealed_fields import replace_sealed
from resolvers.learner_changes import touched


@asynccontextmanager
async def changing(user_ids: Iterable[str]) -> AsyncIterator[None]:
    """A unit of work on the learners' data: they are announced changed when it ends, done or failed (a
    failed write may have written part), so answers read before the end are never kept."""
    try:
        yield
    finally:
        touched(*user_ids)


async def update_learner(model: type[Document], user_id: str, query: Mapping[str, Any], update: Mapping[str, Any],
                         *, upsert: bool = False) -> UpdateResult:
    """`update_one(query, update)` on `model`'s collection, a document of the learner's."""
    async with changing([user_id]):
        return await model.get_pymongo_collection().update_one(dict(query), dict(update), upsert=upsert)


async def insert_learner_once(model: type[Document], user_id: str, query: Mapping[str, Any],
                              fields: Mapping[str, Any]) -> bool:
    """Insert the document of `fields` unless one matches `query`: one upserting `$setOnInsert`. Whether it was
    inserted; the learner is announced only then (nothing changed otherwise)."""
    result = await model.get_pymongo_collection().update_one(dict(query), {"$setOnInsert": dict(fields)},
                                                             upsert=True)
    inserted = result.upserted_id is not None
    if inserted:
        touched(user_id)
    return inserted


async def replace_learner(model: type[Document], user_id: str, query: Mapping[str, Any],
                          document: Mapping[str, Any]) -> UpdateResult:
    """`replace_one(query, document)` on `model`'s collection, a document of the learner's."""
    async with changing([user_id]):
        return await model.get_pymongo_collection().replace_one(dict(query), dict(document))


async def save_sealed_learner(collection: str, user_id: str, document: Document) -> None:
    """Store `document` whole (inserted or replaced), its sealed fields encrypted with the learner's key."""
    async with changing([user_id]):
        await replace_sealed(collection, user_id, document)


async def delete_learner_data(model: type[Document], user_id: str, query: Mapping[str, Any]) -> int:
    """`delete_many(query)` on `model`'s collection, documents of the learner's; how many went."""
    async with changing([user_id]):
        result = await model.get_pymongo_collection().delete_many(dict(query))
        return result.deleted_count
