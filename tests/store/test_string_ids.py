"""String `_id`s and string fields compare as exact strings, whatever they look like.

Platform ids are free strings (`2024-01-15-intro` is a plausible course id), and the app's compound keys
`"{user_id}:{course_id}"` inherit them. MongoDB compares such strings byte for byte; it never reads them as dates.
"""

import pytest
from pymongo import ReturnDocument

from app.core.documents import Course, Enrollment, User
from tests.store.nx import nx_diverges

pytestmark = pytest.mark.usefixtures("clean")

DATE_LIKE = nx_diverges("string filters ($eq/$in/$gt) on strings that start like a date are compared with "
                        "SQLite datetime(): such ids are not found, or match other date-like strings")

IDS = [
    "course-42",
    "u1:c1",
    "Ünïcødé id with spaces",
    "1e400",
    pytest.param("2024-01-15-intro", marks=DATE_LIKE),
    pytest.param("01/15/2024-recap", marks=DATE_LIKE),
]


@pytest.mark.parametrize("course_id", IDS)
async def test_find_by_any_string_id(course_id: str) -> None:
    await Course.insert_many([Course(id=course_id, title="Target"), Course(id="other", title="Other")])
    found = await Course.get(course_id)
    assert found is not None
    assert found.title == "Target"
    in_found = await Course.find({"_id": {"$in": [course_id, "missing"]}}).to_list()
    assert [course.id for course in in_found] == [course_id]


@DATE_LIKE
async def test_date_like_ids_are_distinct_strings() -> None:
    ids = ["2024-01-15", "2024-01-15 00:00:00", "2024-01-15T00:00:00"]
    await Course.insert_many([Course(id=course_id, title=course_id) for course_id in ids])
    for course_id in ids:
        found = await Course.find({"_id": course_id}).to_list()
        assert [course.id for course in found] == [course_id]


@DATE_LIKE
async def test_keyset_pages_over_date_prefixed_ids() -> None:
    ids = ["2024-01-15-intro", "2024-01-16-rust", "2024-02-01-go", "c-plain"]
    await Course.insert_many([Course(id=course_id, title=course_id) for course_id in ids])
    after = await Course.find({"_id": {"$gt": "2024-01-15-intro"}}).sort("_id").limit(2).to_list()
    assert [course.id for course in after] == ["2024-01-16-rust", "2024-02-01-go"]


@DATE_LIKE
async def test_set_on_insert_twice_on_a_date_prefixed_key_is_a_no_op() -> None:
    collection = Enrollment.get_pymongo_collection()
    key = Enrollment.key("2024-01-15-learner", "c1")
    fresh = Enrollment(id=key, user_id="2024-01-15-learner", course_id="c1").model_dump(by_alias=True)
    assert (await collection.update_one({"_id": key}, {"$setOnInsert": fresh}, upsert=True)).upserted_id == key
    second = await collection.update_one({"_id": key}, {"$setOnInsert": fresh}, upsert=True)
    assert (second.upserted_id, second.matched_count) == (None, 1)
    after = await collection.find_one_and_update({"_id": key}, {"$set": {"progress": 0.5}},
                                                 return_document=ReturnDocument.AFTER)
    assert after is not None
    assert after["progress"] == 0.5


@DATE_LIKE
async def test_save_twice_with_a_date_prefixed_id() -> None:
    await User(id="2024-01-15-learner", display_name="First").save()
    await User(id="2024-01-15-learner", display_name="Second").save()
    stored = await User.get("2024-01-15-learner")
    assert stored is not None
    assert stored.display_name == "Second"


@DATE_LIKE
async def test_in_and_delete_on_a_date_prefixed_non_id_field() -> None:
    await Enrollment.insert_many([
        Enrollment(id=Enrollment.key(user, "c1"), user_id=user, course_id="c1")
        for user in ["2024-01-15-a", "2024-01-15-b", "u3"]
    ])
    found = await Enrollment.find({"user_id": {"$in": ["2024-01-15-a", "2024-01-15-b"]}}).to_list()
    assert sorted(e.user_id for e in found) == ["2024-01-15-a", "2024-01-15-b"]
    result = await Enrollment.get_pymongo_collection().delete_many({"user_id": "2024-01-15-a"})
    assert result.deleted_count == 1


@nx_diverges("an `_id` that starts with an ISO date followed by more text (`2026-04-01|x`) is counted but not found "
             "by an equality find (served tallies' ids start with the strategy for this reason)")
async def test_an_id_that_starts_with_a_date_is_found_by_equality() -> None:
    collection = Course.get_pymongo_collection()
    await collection.insert_one({"_id": "2026-04-01|x", "title": "dated"})
    assert await collection.count_documents({"_id": "2026-04-01|x"}) == 1
    assert await collection.find_one({"_id": "2026-04-01|x"}) is not None
