"""The catalog's stamp (resolvers.courses.snapshot.catalog_stamp): a collection's metadata count
(`estimated_document_count`) and its latest `updated_at` by one sorted, limited, indexed find."""

from datetime import UTC, datetime, timedelta

import pytest
from pymongo import DESCENDING, ReplaceOne

from app.core.documents import Course, Skill
from tests.store.nx import nx_diverges

pytestmark = pytest.mark.usefixtures("clean")

DAY0 = datetime(2026, 1, 1, tzinfo=UTC)


async def seed(count: int = 5) -> None:
    await Course.insert_many([Course(id=f"c{i}", title=f"C{i}", updated_at=DAY0 + timedelta(days=i))
                              for i in range(count)])


async def latest() -> list[tuple[str, datetime]]:
    cursor = Course.get_pymongo_collection().find({}, {"updated_at": 1}).sort("updated_at", DESCENDING).limit(1)
    return [(row["_id"], row["updated_at"].replace(tzinfo=UTC)) async for row in cursor]


async def test_the_estimated_count_follows_inserts_and_deletes() -> None:
    collection = Course.get_pymongo_collection()
    assert await collection.estimated_document_count() == 0
    await seed()
    assert await collection.estimated_document_count() == 5
    await collection.delete_one({"_id": "c0"})
    assert await collection.estimated_document_count() == 4
    assert await Skill.get_pymongo_collection().estimated_document_count() == 0


async def test_the_sorted_limited_find_returns_the_latest_update_only() -> None:
    await seed()
    assert await latest() == [("c4", DAY0 + timedelta(days=4))]


async def test_a_replaced_document_moves_the_latest_update() -> None:
    """Catalog writes replace whole courses (resolvers.courses.courses.upsert_courses), in bulk."""
    await seed()
    replaced = Course(id="c1", title="C1 again", updated_at=DAY0 + timedelta(days=30)).model_dump(by_alias=True)
    await Course.get_pymongo_collection().bulk_write([ReplaceOne({"_id": "c1"}, replaced, upsert=True)])
    assert await latest() == [("c1", DAY0 + timedelta(days=30))]


async def test_the_latest_update_has_its_index() -> None:
    """By its field: the embedded store renames indexes (`idx_courses_updated_at`) and lists every key as 1."""
    for model in (Course, Skill):
        indexes = await (await model.get_pymongo_collection().list_indexes()).to_list()
        assert [list(dict(index["key"])) for index in indexes].count(["updated_at"]) == 1


@nx_diverges("a date written by `$set` is stored as text, which sorts below every date: the sorted find misses it "
             "(catalog writes replace whole documents instead)")
async def test_a_date_set_by_set_moves_the_latest_update() -> None:
    await seed()
    await Course.get_pymongo_collection().update_one({"_id": "c1"}, {"$set": {"updated_at": DAY0 + timedelta(days=30)}})
    assert await latest() == [("c1", DAY0 + timedelta(days=30))]
