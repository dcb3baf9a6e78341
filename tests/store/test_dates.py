"""Dates as filters and values: the due-card reads of resolvers.practice.review_queue.review_queue and
resolvers.recommendations.recommend._due_skills (`user_id` equality and `due` `$lte`, with and without a projection),
`$currentDate`, and dates written inside `$set`. MongoDB stores BSON dates (UTC, milliseconds); the client
reads them back as aware UTC datetimes and compares instants, whatever offset a filter value carries."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from app.core.documents import KnowledgeState, ReviewCard, SkillMastery
from tests.store.nx import nx_diverges

pytestmark = pytest.mark.usefixtures("clean")

NOW = datetime(2024, 3, 10, 12, 0, 0, 500_000, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))


def card(user_id: str, exercise_id: str, due: datetime, *skills: str) -> dict[str, Any]:
    document = ReviewCard(id=ReviewCard.key(user_id, exercise_id), user_id=user_id, exercise_id=exercise_id,
                          skills=list(skills), due=due)
    dumped: dict[str, Any] = document.model_dump(by_alias=True)
    return dumped


async def seed_cards() -> None:
    await ReviewCard.get_pymongo_collection().insert_many([
        card("u1", "past", NOW - timedelta(days=3), "algebra"),
        card("u1", "exact", NOW, "algebra", "fractions"),
        card("u1", "later", NOW + timedelta(seconds=1), "geometry"),
        card("u2", "past", NOW - timedelta(days=1), "calculus"),
        card("u10", "past", NOW - timedelta(days=1), "statistics"),
    ])


async def due_ids(now: datetime, user_id: str = "u1") -> list[str]:
    rows = await ReviewCard.get_pymongo_collection().find({"user_id": user_id, "due": {"$lte": now}}).to_list()
    return sorted(row["_id"] for row in rows)


async def test_lte_and_equality_find_the_learners_cards_due_up_to_and_including_now() -> None:
    await seed_cards()
    assert await due_ids(NOW) == ["u1:exact", "u1:past"]
    assert await due_ids(NOW - timedelta(seconds=1)) == ["u1:past"]
    assert await due_ids(NOW + timedelta(seconds=1)) == ["u1:exact", "u1:later", "u1:past"]
    assert await due_ids(NOW, "u2") == ["u2:past"]
    assert await due_ids(NOW, "nobody") == []


@nx_diverges("date range filters compare whole seconds: a date later in the same second counts as equal "
             "(`$lte` matches it), one earlier in the same second is not `$lt`")
async def test_date_range_filters_compare_milliseconds() -> None:
    await ReviewCard.get_pymongo_collection().insert_many([
        card("u1", f"ms{ms}", NOW + timedelta(milliseconds=ms)) for ms in (-501, -1, 0, 1, 499)])
    assert await due_ids(NOW) == ["u1:ms-1", "u1:ms-501", "u1:ms0"]
    rows = await ReviewCard.get_pymongo_collection().find({"due": {"$lt": NOW}}, {"_id": 1}).to_list()
    assert sorted(row["_id"] for row in rows) == ["u1:ms-1", "u1:ms-501"]


async def test_lte_compares_instants_whatever_the_offset_of_the_filter_value() -> None:
    await seed_cards()
    assert await due_ids(NOW.astimezone(PARIS)) == ["u1:exact", "u1:past"]
    assert await due_ids((NOW - timedelta(seconds=1)).astimezone(PARIS)) == ["u1:past"]


async def test_due_read_with_a_skills_projection_returns_only_id_and_skills() -> None:
    await seed_cards()
    cursor = ReviewCard.get_pymongo_collection().find({"user_id": "u1", "due": {"$lte": NOW}}, {"skills": 1})
    rows = sorted(await cursor.to_list(), key=lambda row: row["_id"])
    assert rows == [{"_id": "u1:exact", "skills": ["algebra", "fractions"]}, {"_id": "u1:past", "skills": ["algebra"]}]


async def test_due_read_through_beanie_returns_aware_utc_dates() -> None:
    await seed_cards()
    found = await ReviewCard.find({"user_id": "u1", "due": {"$lte": NOW}}).to_list()
    assert sorted((c.id, c.due) for c in found) == [("u1:exact", NOW), ("u1:past", NOW - timedelta(days=3))]
    raw = await ReviewCard.get_pymongo_collection().find_one({"_id": "u1:exact"})
    assert raw is not None
    assert raw["due"] == NOW
    assert raw["due"].utcoffset() == timedelta(0)


async def test_current_date_stores_an_aware_utc_date_of_now() -> None:
    collection = KnowledgeState.get_pymongo_collection()
    before = datetime.now(UTC).replace(microsecond=0)
    await collection.update_one({"_id": "u1"}, {"$set": {"user_id": "u1"}, "$currentDate": {"updated_at": True}},
                                upsert=True)
    after = datetime.now(UTC) + timedelta(seconds=1)
    raw = await collection.find_one({"_id": "u1"})
    assert raw is not None
    assert isinstance(raw["updated_at"], datetime)
    assert raw["updated_at"].utcoffset() == timedelta(0)
    assert before <= raw["updated_at"] <= after


@nx_diverges("a date written by `$currentDate` matches no date range filter (`$lte`/`$gte`), though it reads "
             "back as a date")
async def test_a_current_date_value_is_compared_as_a_date() -> None:
    collection = KnowledgeState.get_pymongo_collection()
    await collection.update_one({"_id": "u1"}, {"$set": {"user_id": "u1"}, "$currentDate": {"updated_at": True}},
                                upsert=True)
    assert await collection.count_documents({"updated_at": {"$gte": NOW}}) == 1
    assert await collection.count_documents({"updated_at": {"$lte": datetime.now(UTC) + timedelta(days=1)}}) == 1


async def test_a_date_inside_a_set_sub_document_round_trips_as_an_aware_utc_date() -> None:
    collection = KnowledgeState.get_pymongo_collection()
    mastery = SkillMastery(probability=0.5, practiced_at=NOW, updated_at=NOW).model_dump()
    await collection.update_one({"_id": "u1"}, {"$set": {"user_id": "u1", "skills.algebra": mastery}}, upsert=True)
    raw = await collection.find_one({"_id": "u1"})
    assert raw is not None
    stored = raw["skills"]["algebra"]
    assert (stored["practiced_at"], stored["updated_at"]) == (NOW, NOW)
    assert stored["updated_at"].utcoffset() == timedelta(0)


@nx_diverges("a date written by `$set` as a field of its own is stored as a naive string, not a BSON date")
async def test_a_date_set_on_its_own_round_trips_as_an_aware_utc_date() -> None:
    collection = KnowledgeState.get_pymongo_collection()
    await collection.insert_one({"_id": "u1", "user_id": "u1"})
    await collection.update_one({"_id": "u1"}, {"$set": {"updated_at": NOW}})
    raw = await collection.find_one({"_id": "u1"})
    assert raw is not None
    assert raw["updated_at"] == NOW
    assert await collection.count_documents({"updated_at": {"$lte": NOW}}) == 1
