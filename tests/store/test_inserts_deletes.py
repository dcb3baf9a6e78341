"""Inserts, Beanie `save()` upserts, and deletes."""

import pytest
from pymongo.errors import BulkWriteError, DuplicateKeyError

from app.core.documents import Enrollment, Event, Rating, User

pytestmark = pytest.mark.usefixtures("clean")


def event(user_id: str, event_id: str, kind: str = "view") -> Event:
    return Event(id=Event.key(user_id, event_id), user_id=user_id, event_id=event_id, type=kind)


async def test_unordered_insert_many_reports_duplicates_and_stores_the_rest() -> None:
    collection = Event.get_pymongo_collection()
    await collection.insert_many([event("u", "e1", "first").model_dump(by_alias=True),
                                  event("u", "e2", "first").model_dump(by_alias=True)])
    batch = [event("u", event_id, "second") for event_id in ["e0", "e1", "e3", "e3", "e4", "e2"]]
    with pytest.raises(BulkWriteError) as raised:
        await collection.insert_many([e.model_dump(by_alias=True) for e in batch], ordered=False)
    details = raised.value.details
    failures = details["writeErrors"]
    assert [failure["index"] for failure in failures] == [1, 3, 5]
    assert [failure["code"] for failure in failures] == [11000, 11000, 11000]
    assert details["nInserted"] == 3
    stored = {row["_id"]: row["type"] for row in await collection.find({}, {"type": 1}).to_list()}
    assert stored == {"u:e0": "second", "u:e1": "first", "u:e2": "first", "u:e3": "second", "u:e4": "second"}


async def test_insert_many_without_duplicates_inserts_all() -> None:
    result = await Event.get_pymongo_collection().insert_many(
        [event("u", f"e{i}").model_dump(by_alias=True) for i in range(3)], ordered=False)
    assert result.inserted_ids == ["u:e0", "u:e1", "u:e2"]
    assert await Event.find({"user_id": "u"}).count() == 3


async def test_insert_of_an_existing_id_raises_duplicate_key() -> None:
    await User(id="u1").insert()
    with pytest.raises(DuplicateKeyError) as raised:
        await User.get_pymongo_collection().insert_one({"_id": "u1", "display_name": "twin"})
    assert raised.value.code == 11000
    stored = await User.get("u1")
    assert stored is not None
    assert stored.display_name is None


async def test_model_dump_by_alias_names_the_id_underscore_id() -> None:
    dumped = User(id="u1").model_dump(by_alias=True)
    assert dumped["_id"] == "u1"
    assert "id" not in dumped


async def test_save_inserts_then_replaces_by_string_id() -> None:
    await User(id="u1", display_name="First", goals=["a", "b"], attributes={"team": {"size": 3}}).save()
    raw = await User.get_pymongo_collection().find_one({"_id": "u1"})
    assert raw is not None
    assert (raw["display_name"], raw["goals"], raw["attributes"]) == ("First", ["a", "b"], {"team": {"size": 3}})

    await User(id="u1", display_name="Second", goals=["c"], attributes={"plan": "pro"}).save()
    assert await User.get_pymongo_collection().count_documents({}) == 1
    raw = await User.get_pymongo_collection().find_one({"_id": "u1"})
    assert raw is not None
    # a saved dict field replaces the stored one whole: no key of the old value survives
    assert (raw["display_name"], raw["goals"], raw["attributes"]) == ("Second", ["c"], {"plan": "pro"})


async def test_save_of_a_loaded_document_keeps_its_id_and_other_fields() -> None:
    await Rating(id="u1:c1", user_id="u1", course_id="c1", rating=3, review="ok").save()
    stored = await Rating.get("u1:c1")
    assert stored is not None
    stored.rating = 5
    await stored.save()
    again = await Rating.get("u1:c1")
    assert again is not None
    assert (again.id, again.rating, again.review, again.user_id) == ("u1:c1", 5, "ok", "u1")
    assert await Rating.get_pymongo_collection().count_documents({}) == 1


async def test_delete_many_deletes_exactly_that_users_documents() -> None:
    await Enrollment.insert_many([
        Enrollment(id=Enrollment.key(user, course), user_id=user, course_id=course)
        for user, course in [("u1", "c1"), ("u1", "c2"), ("u1", "c3"), ("u2", "c1"), ("u10", "c1")]
    ])
    collection = Enrollment.get_pymongo_collection()
    result = await collection.delete_many({"user_id": "u1"})
    assert result.deleted_count == 3
    assert sorted(row["_id"] for row in await collection.find({}, {"_id": 1}).to_list()) == ["u10:c1", "u2:c1"]
    assert (await collection.delete_many({"user_id": "u1"})).deleted_count == 0
