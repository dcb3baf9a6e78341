"""Updates and replaces: bulk ReplaceOne upserts, `$setOnInsert`, `$inc`, find_one_and_update, and upserting
`$set`s of dotted map paths with `$currentDate`."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from pymongo import ReplaceOne, ReturnDocument

from app.core.documents import Course, Enrollment, KnowledgeState, User
from app.core.documents.profiles import field_key
from resolvers.profile.folding import MAX_UPDATE_PATHS
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


def _counters_update(increments: int) -> dict[str, Any]:
    """`increments` paths of `$inc`, with a `$set` and a `$push` as the profile fold sends them."""
    return {"$inc": {f"insights.interest_scores.k{i}": 1.5 for i in range(increments)},
            "$set": {"insights.current_streak": 2},
            "$push": {"insights.session_lengths_ms": {"$each": [1_000, 2_000], "$slice": -50}}}


async def test_an_update_of_as_many_paths_as_the_fold_sends_applies_them_all() -> None:
    """The profile fold names at most MAX_UPDATE_PATHS paths in an update with an `$inc`
    (resolvers/profile/folding.py)."""
    collection = User.get_pymongo_collection()
    await collection.insert_one({"_id": "u1", "insights": {"interest_scores": {"kept": 2.5}}})
    result = await collection.update_one({"_id": "u1"}, _counters_update(MAX_UPDATE_PATHS - 2))
    assert (result.matched_count, result.modified_count) == (1, 1)
    stored = await collection.find_one({"_id": "u1"})
    assert stored is not None
    assert stored["insights"]["interest_scores"] == {"kept": 2.5} | {
        f"k{i}": 1.5 for i in range(MAX_UPDATE_PATHS - 2)}
    assert (stored["insights"]["current_streak"], stored["insights"]["session_lengths_ms"]) == (2, [1_000, 2_000])


@nx_diverges("an update whose $inc, $set and $push name 64 paths or more is acknowledged, and applied but its $inc")
async def test_an_update_of_more_paths_applies_them_all() -> None:
    collection = User.get_pymongo_collection()
    await collection.insert_one({"_id": "u1", "insights": {"interest_scores": {}}})
    result = await collection.update_one({"_id": "u1"}, _counters_update(MAX_UPDATE_PATHS - 1))
    assert (result.matched_count, result.modified_count) == (1, 1)
    stored = await collection.find_one({"_id": "u1"})
    assert stored is not None and stored["insights"]["current_streak"] == 2
    assert len(stored["insights"]["interest_scores"]) == MAX_UPDATE_PATHS - 1


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


# The mastery seeds of resolvers.practice.placement_tests._seed_mastery and resolvers.practice.knowledge.apply_course_feedback:
# one upserting `$set` of dotted paths into the `skills`/`skill_ids` maps plus `$currentDate`.

def seed_update(level: str | None, **probabilities: float) -> dict[str, Any]:
    fields: dict[str, Any] = {"user_id": "u1", "level": level}
    for label, probability in probabilities.items():
        key = field_key(label.replace("_", " "))
        fields[f"skills.{key}"] = {"probability": probability, "source": "placement"}
        fields[f"skill_ids.{key}"] = label
    return {"$set": fields, "$currentDate": {"updated_at": True}}


async def test_dotted_set_upsert_creates_nested_maps_and_a_current_date() -> None:
    collection = KnowledgeState.get_pymongo_collection()
    result = await collection.update_one({"_id": "u1"}, seed_update("beginner", Linear_Algebra=0.4), upsert=True)
    assert (result.upserted_id, result.matched_count) == ("u1", 0)
    raw = await collection.find_one({"_id": "u1"})
    assert raw is not None
    assert sorted(raw) == ["_id", "level", "skill_ids", "skills", "updated_at", "user_id"]
    assert raw["skills"] == {"linear algebra": {"probability": 0.4, "source": "placement"}}
    assert raw["skill_ids"] == {"linear algebra": "Linear_Algebra"}
    assert isinstance(raw["updated_at"], datetime)
    assert raw["updated_at"].utcoffset() == timedelta(0)


async def test_dotted_set_on_an_existing_document_merges_map_keys_and_replaces_a_key_whole() -> None:
    collection = KnowledgeState.get_pymongo_collection()
    await collection.insert_one({"_id": "u1", "user_id": "u1", "model_state": {"responses": 3},
                                 "skills": {"algebra": {"probability": 0.9, "attempts": 4}, "geometry": {"probability": 0.2}}})
    result = await collection.update_one({"_id": "u1"}, seed_update("advanced", algebra=0.6, calculus=0.3), upsert=True)
    assert (result.upserted_id, result.matched_count, result.modified_count) == (None, 1, 1)
    raw = await collection.find_one({"_id": "u1"})
    assert raw is not None
    assert raw["skills"] == {"algebra": {"probability": 0.6, "source": "placement"}, "geometry": {"probability": 0.2},
                             "calculus": {"probability": 0.3, "source": "placement"}}
    assert (raw["level"], raw["model_state"]) == ("advanced", {"responses": 3})
    state = await KnowledgeState.get("u1")
    assert state is not None
    assert state.skills["calculus"].probability == 0.3


async def test_dotted_set_upsert_reads_back_as_the_document() -> None:
    await KnowledgeState.get_pymongo_collection().update_one(
        {"_id": "u1"}, seed_update(None, **{"C++": 0.7}), upsert=True)
    state = await KnowledgeState.get("u1")
    assert state is not None
    key = field_key("C++")
    assert (state.user_id, state.level, state.skill_ids) == ("u1", None, {key: "C++"})
    assert state.skills[key].probability == 0.7
