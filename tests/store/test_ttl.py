"""The TTL index on raw events (app.core.store.db.ensure_event_ttl): created with the configured retention, changed in
place when the retention changes, and applied by init_database."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.collection import AsyncCollection

from app.core.documents import Event
from app.core.store.db import EVENT_TTL_FIELD, ensure_event_ttl, init_database
from tests.store.nx import ON_EMBEDDED_STORE

DAY = 86_400


@pytest.fixture
async def scratch(database: str) -> AsyncIterator[AsyncCollection[Any]]:
    collection = Event.get_pymongo_collection().database["store_scratch_ttl"]
    await collection.drop()
    yield collection
    await collection.drop()


async def ttl_values(collection: AsyncCollection[Any]) -> list[int | None]:
    """expireAfterSeconds of each index on the TTL field, found by key (the embedded store renames indexes)."""
    indexes = await (await collection.list_indexes()).to_list()
    return [index.get("expireAfterSeconds") for index in indexes if dict(index["key"]) == {EVENT_TTL_FIELD: 1}]


async def test_the_ttl_index_is_created_with_the_retention(scratch: AsyncCollection[Any]) -> None:
    await ensure_event_ttl(scratch, 30)
    assert await ttl_values(scratch) == [30 * DAY]
    await ensure_event_ttl(scratch, 30)
    assert await ttl_values(scratch) == [30 * DAY]


async def test_a_changed_retention_changes_the_existing_index(scratch: AsyncCollection[Any]) -> None:
    await ensure_event_ttl(scratch, 30)
    await ensure_event_ttl(scratch, 7)
    assert await ttl_values(scratch) == [7 * DAY]
    await ensure_event_ttl(scratch, 400)
    assert await ttl_values(scratch) == [400 * DAY]


async def test_init_database_applies_the_retention_only_when_given(database: str) -> None:
    client = Event.get_pymongo_collection().database.client
    fresh = f"{database}_ttl"
    try:
        await init_database(client, fresh)
        assert await ttl_values(Event.get_pymongo_collection()) == []
        await init_database(client, fresh, event_retention_days=10)
        assert await ttl_values(Event.get_pymongo_collection()) == [10 * DAY]
    finally:
        await init_database(client, database)  # bind the documents back to the session's database
        await client.drop_database(fresh)


@pytest.mark.skipif(not ON_EMBEDDED_STORE, reason="MongoDB's TTL monitor deletes expired documents only every 60 s")
async def test_expired_documents_are_gone_at_the_next_read_on_the_embedded_store(
    scratch: AsyncCollection[Any],
) -> None:
    now = datetime.now(UTC)
    await scratch.insert_many([{"_id": "old", EVENT_TTL_FIELD: now - timedelta(days=2)},
                               {"_id": "new", EVENT_TTL_FIELD: now}])
    await ensure_event_ttl(scratch, 1)
    assert [doc["_id"] for doc in await scratch.find({}, {"_id": 1}).to_list()] == ["new"]
