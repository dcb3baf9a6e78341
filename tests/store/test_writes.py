"""Updates and replaces: bulk ReplaceOne upserts, `$setOnInsert`, `$inc`, find_one_and_update."""

from typing import Any

import pytest
from pymongo import ReplaceOne, ReturnDocument

from app.documents import Course, Enrollment
from tests.store.nx import nx_diverges

pytestmark = pytest.mark.usefixtures("clean")


def course_doc(course_id: str, **fields: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = Course(id=course_id, title=fields.pop("title", course_id), **fields).model_dump(
        by_alias=True)
    return dumped


async def test_bulk_replace_upserts_new_and_replaces_changed_documents() -> None:
    collection = Course.get_pymongo_collection()
    await collection.insert_one(course_doc("old", title="Old title"))
    result = await collection.bulk_write([
        ReplaceOne({"_id": "old"}, course_doc("old", title="New title"), upsert=True),
        ReplaceOne({"_id": "new"}, course_doc("new", title="Brand new"), upsert=True),
    ], ordered=False)
    assert (result.upserted_count, result.matched_count, result.modified_count) == (1, 1, 1)
    assert result.upserted_ids == {1: "new"}
    titles = {row["_id"]: row["title"] for row in await collection.find({}, {"title": 1}).to_list()}
    assert titles == {"old": "New title", "new": "Brand new"}


async def test_bulk_replace_replaces_the_whole_document() -> None:
    collection = Course.get_pymongo_collection()
    await collection.insert_one({"_id": "c", "title": "T", "stale": 1})
    result = await collection.bulk_write([ReplaceOne({"_id": "c"}, {"_id": "c", "title": "U"}, upsert=True)])
    assert (result.upserted_count, result.matched_count, result.modified_count) == (0, 1, 1)
    assert await collection.find_one({"_id": "c"}) == {"_id": "c", "title": "U"}


@nx_diverges("a replace with an identical document reports nModified 1; MongoDB reports a no-op as 0")
async def test_bulk_replace_with_identical_document_is_matched_not_modified() -> None:
    collection = Course.get_pymongo_collection()
    await collection.insert_one(course_doc("same", title="Same"))
    stored = await collection.find_one({"_id": "same"})
    assert stored is not None
    result = await collection.bulk_write([
        ReplaceOne({"_id": "same"}, stored, upsert=True),
        ReplaceOne({"_id": "other"}, course_doc("other"), upsert=True),
    ], ordered=False)
    assert (result.upserted_count, result.matched_count, result.modified_count) == (1, 1, 0)
    assert await collection.find_one({"_id": "same"}) == stored


async def test_set_on_insert_upsert_inserts_once_then_leaves_the_document_unchanged() -> None:
    collection = Enrollment.get_pymongo_collection()
    key = Enrollment.key("u1", "c1")
    fresh = Enrollment(id=key, user_id="u1", course_id="c1").model_dump(by_alias=True)
    first = await collection.update_one({"_id": key}, {"$setOnInsert": fresh}, upsert=True)
    assert (first.upserted_id, first.matched_count, first.modified_count) == (key, 0, 0)
    again = {**fresh, "progress": 0.5, "status": "completed"}
    second = await collection.update_one({"_id": key}, {"$setOnInsert": again}, upsert=True)
    assert (second.upserted_id, second.matched_count, second.modified_count) == (None, 1, 0)
    assert await collection.find_one({"_id": key}) == fresh
    assert await collection.count_documents({}) == 1


async def test_inc_increments_an_existing_document() -> None:
    collection = Course.get_pymongo_collection()
    await collection.insert_one(course_doc("c1", enrollment_count=4))
    result = await collection.update_one({"_id": "c1"}, {"$inc": {"enrollment_count": 1}})
    assert (result.matched_count, result.modified_count, result.upserted_id) == (1, 1, None)
    await collection.update_one({"_id": "c1"}, {"$inc": {"enrollment_count": 1}})
    course = await Course.get("c1")
    assert course is not None
    assert course.enrollment_count == 6


async def test_inc_on_missing_document_without_upsert_does_nothing() -> None:
    collection = Course.get_pymongo_collection()
    result = await collection.update_one({"_id": "ghost"}, {"$inc": {"enrollment_count": 1}})
    assert (result.matched_count, result.modified_count, result.upserted_id) == (0, 0, None)
    assert await collection.count_documents({}) == 0


async def test_set_on_existing_document_updates_only_those_fields() -> None:
    collection = Course.get_pymongo_collection()
    await collection.insert_one(course_doc("c1", title="Kept", rating_count=1))
    result = await collection.update_one({"_id": "c1"}, {"$set": {"rating": 4.333, "rating_count": 3}})
    assert (result.matched_count, result.modified_count) == (1, 1)
    course = await Course.get("c1")
    assert course is not None
    assert (course.title, course.rating, course.rating_count) == ("Kept", 4.333, 3)


async def test_find_one_and_update_returns_the_updated_document() -> None:
    await Enrollment(id="u1:c1", user_id="u1", course_id="c1").insert()
    changes = {"progress": 1.0, "status": "completed", "completed_at": None}
    raw = await Enrollment.get_pymongo_collection().find_one_and_update(
        {"_id": "u1:c1"}, {"$set": changes}, return_document=ReturnDocument.AFTER)
    assert raw is not None
    assert (raw["_id"], raw["user_id"], raw["progress"], raw["status"]) == ("u1:c1", "u1", 1.0, "completed")
    assert Enrollment.model_validate(raw).progress == 1.0
    stored = await Enrollment.get("u1:c1")
    assert stored is not None
    assert stored.status == "completed"


async def test_find_one_and_update_on_missing_id_returns_none_and_inserts_nothing() -> None:
    await Enrollment(id="u1:c1", user_id="u1", course_id="c1").insert()
    raw = await Enrollment.get_pymongo_collection().find_one_and_update(
        {"_id": "u1:c2"}, {"$set": {"progress": 0.5}}, return_document=ReturnDocument.AFTER)
    assert raw is None
    assert await Enrollment.get_pymongo_collection().count_documents({}) == 1
    assert await Enrollment.get("u1:c2") is None
