"""Finds: float `$gt` (the change feed), by `_id`, `$in`, keyset pages, non-`_id` `$in`, `_id`-only projections, `$in` over the indexed
array `Exercise.skills`, and equality versus `$in` on indexed scalar fields (schema.dataloaders.any_of)."""

from datetime import UTC, datetime
from typing import Any

import pytest

from app.core.documents import ConnectedAccount, Course, Enrollment, Exercise, Rating, ReviewCard
from tests.store.nx import nx_diverges

pytestmark = pytest.mark.usefixtures("clean")

STAMP = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)


async def seed_courses(*ids: str, **fields: Any) -> None:
    await Course.insert_many([Course(id=course_id, title=f"Course {course_id}", **fields) for course_id in ids])


async def test_get_by_string_id_returns_the_document() -> None:
    await seed_courses("c1", "c2")
    found = await Course.get("c2")
    assert found is not None
    assert (found.id, found.title) == ("c2", "Course c2")


async def test_get_by_missing_id_returns_none() -> None:
    await seed_courses("c1")
    assert await Course.get("c0") is None
    assert await Course.get("C1") is None  # string ids compare exactly, case included


async def test_in_on_id_returns_each_existing_document_once() -> None:
    await seed_courses("a", "b", "c")
    found = await Course.find({"_id": {"$in": ["c", "missing", "a", "c", "a", "other"]}}).to_list()
    assert sorted(course.id for course in found) == ["a", "c"]


async def test_in_on_id_with_only_missing_ids_returns_nothing() -> None:
    await seed_courses("a")
    assert await Course.find({"_id": {"$in": ["x", "y"]}}).to_list() == []
    assert await Course.find({"_id": {"$in": []}}).to_list() == []


async def walk_pages(query: dict[str, Any], first: int) -> list[list[str]]:
    """Keyset pages as resolvers.courses.courses._page_by_id reads them."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        page_query = query if cursor is None else {**query, "_id": {"$gt": cursor}}
        found = await Course.find(page_query).sort("_id").limit(first + 1).to_list()
        pages.append([course.id for course in found[:first]])
        if len(found) <= first:
            return pages
        cursor = found[first - 1].id


async def test_keyset_pages_return_every_match_once_in_binary_id_order() -> None:
    # MongoDB compares strings by their UTF-8 bytes: digits < upper case < "_" < lower case < non-ASCII.
    matching = ["b-1", "B-2", "a-10", "é-1", "a-2", "Z", "0-start", "a-1", "_x"]
    await seed_courses(*matching, level="beginner")
    await seed_courses("a-3", "c-9", level="advanced")
    await seed_courses("a-4", level="beginner", published=False)
    pages = await walk_pages({"level": "beginner", "published": True}, first=2)
    assert pages == [["0-start", "B-2"], ["Z", "_x"], ["a-1", "a-10"], ["a-2", "b-1"], ["é-1"]]


async def test_keyset_pages_of_an_exact_multiple_stop_without_an_empty_page() -> None:
    await seed_courses("c1", "c2", "c3", "c4")
    pages = await walk_pages({"published": True}, first=2)
    assert pages == [["c1", "c2"], ["c3", "c4"]]


async def test_gt_cursor_excludes_the_cursor_and_everything_before_it() -> None:
    await seed_courses("a", "b", "c", "d")
    found = await Course.find({"_id": {"$gt": "b"}}).sort("_id").to_list()
    assert [course.id for course in found] == ["c", "d"]
    assert await Course.find({"_id": {"$gt": "d"}}).to_list() == []


async def test_in_on_an_indexed_non_id_field_returns_all_of_those_users_documents() -> None:
    await Enrollment.insert_many([
        Enrollment(id=Enrollment.key(user, course), user_id=user, course_id=course)
        for user, course in [("u1", "c1"), ("u1", "c2"), ("u2", "c1"), ("u3", "c3"), ("u10", "c1")]
    ])
    found = await Enrollment.find({"user_id": {"$in": ["u1", "u3", "u1", "nobody"]}}).to_list()
    assert sorted(e.id for e in found) == ["u1:c1", "u1:c2", "u3:c3"]
    assert {e.user_id for e in found} == {"u1", "u3"}


async def test_id_projection_returns_only_the_id() -> None:
    await seed_courses("a", "b", "c", skills=["Python"], description="long text")
    rows = await Course.get_pymongo_collection().find({"_id": {"$in": ["a", "c", "zz"]}}, {"_id": 1}).to_list()
    assert sorted(rows, key=lambda row: row["_id"]) == [{"_id": "a"}, {"_id": "c"}]


async def test_find_with_filter_and_sort_returns_matching_documents_in_id_order() -> None:
    await seed_courses("m", "k", level="advanced")
    await seed_courses("l", level="beginner")
    found = await Course.find({"level": "advanced"}).sort("_id").to_list()
    assert [course.id for course in found] == ["k", "m"]


# The item bank reads of resolvers.practice.catalog and resolvers.practice.placement_tests: `$in` over the indexed
# array field `Exercise.skills` (never equality, see test_counts), alone, with `published` and keyset pages.

async def seed_exercises() -> None:
    await Exercise.insert_many([
        Exercise(id="e1", skills=["algebra"]), Exercise(id="e2", skills=["algebra", "fractions"]),
        Exercise(id="e3", skills=["fractions"], published=False), Exercise(id="e4", skills=["geometry"]),
        Exercise(id="e5", skills=["Algebra"]),
    ])


async def exercise_ids(query: dict[str, Any]) -> list[str]:
    return [e.id for e in await Exercise.find(query).sort("_id").to_list()]


async def test_in_on_the_indexed_skills_array_matches_any_element_once() -> None:
    await seed_exercises()
    assert await exercise_ids({"skills": {"$in": ["algebra"]}}) == ["e1", "e2"]  # case-sensitive
    assert await exercise_ids({"skills": {"$in": ["algebra", "fractions", "nothing"]}}) == ["e1", "e2", "e3"]
    assert await exercise_ids({"skills": {"$in": ["fractions"]}, "published": True}) == ["e2"]
    assert await exercise_ids({"skills": {"$in": []}}) == []
    assert await Exercise.find({"skills": {"$in": ["algebra", "fractions"]}}).count() == 3


async def test_keyset_page_over_the_skills_array_in() -> None:
    await seed_exercises()
    assert await exercise_ids({"skills": {"$in": ["algebra", "fractions"]}, "_id": {"$gt": "e1"}}) == ["e2", "e3"]


@nx_diverges("once the array field is indexed, equality on one element matches nothing (Exercise.skills; "
             "the app uses $in)")
async def test_equality_on_the_indexed_skills_array_matches_an_element() -> None:
    await seed_exercises()
    assert await exercise_ids({"skills": "algebra"}) == ["e1", "e2"]


async def test_equality_and_in_on_a_users_cards_skills() -> None:
    """resolvers.practice.next_exercises._cards: the learner's cards on any of the skills."""
    await ReviewCard.insert_many([
        ReviewCard(id=ReviewCard.key(user, item), user_id=user, exercise_id=item, skills=skills, due=STAMP)
        for user, item, skills in [("u1", "e1", ["algebra"]), ("u1", "e2", ["geometry", "algebra"]),
                                   ("u1", "e3", ["geometry"]), ("u2", "e1", ["algebra"])]])
    found = await ReviewCard.find({"user_id": "u1", "skills": {"$in": ["algebra", "calculus"]}}).to_list()
    assert sorted(card.id for card in found) == ["u1:e1", "u1:e2"]


# schema.dataloaders.any_of: plain equality for one id, `$in` for several; both must find the same documents.

SCALAR_FIELDS = [(Enrollment, "user_id"), (Rating, "user_id"), (ConnectedAccount, "user_id"), (Course, "_id")]


async def seed_owned() -> None:
    pairs = [("u1", "c1"), ("u1", "c2"), ("u2", "c1"), ("u10", "c3"), ("u1:x", "c4")]
    await Enrollment.insert_many([Enrollment(id=Enrollment.key(u, c), user_id=u, course_id=c) for u, c in pairs])
    await Rating.insert_many([Rating(id=Rating.key(u, c), user_id=u, course_id=c, rating=4) for u, c in pairs])
    await ConnectedAccount.get_pymongo_collection().insert_many(
        [{"_id": f"{u}:{c}", "user_id": u, "provider": "github"} for u, c in pairs])
    await seed_courses("u1", "u2", "u10", "u1:x")


@pytest.mark.parametrize(("model", "field"), SCALAR_FIELDS, ids=[f"{m.__name__}.{f}" for m, f in SCALAR_FIELDS])
async def test_equality_and_in_of_one_value_find_the_same_documents(model: Any, field: str) -> None:
    await seed_owned()
    collection = model.get_pymongo_collection()
    for value in ["u1", "u2", "u1:x", "nobody"]:
        by_equality = sorted(row["_id"] for row in await collection.find({field: value}, {"_id": 1}).to_list())
        by_in = sorted(row["_id"] for row in await collection.find({field: {"$in": [value]}}, {"_id": 1}).to_list())
        assert by_equality == by_in, value
    assert sorted(row["_id"] for row in await collection.find({field: "u1"}, {"_id": 1}).to_list()) == (
        ["u1:c1", "u1:c2"] if field != "_id" else ["u1"])
    several = await collection.find({field: {"$in": ["u1", "u10", "u1"]}}, {"_id": 1}).to_list()
    assert len(several) == (3 if field != "_id" else 2)


async def test_gt_on_an_indexed_float_field_tells_sub_millisecond_apart_with_a_projection() -> None:
    """The change feed's poll (resolvers.change_feed): reports newer than a float epoch time and written by
    another process (`$ne` on a string field), three fields."""
    from app.core.documents import LearnerChange

    base = 1_790_000_000.123456
    reports = [{"_id": f"r{n}", "process": "mine" if n == 3 else "theirs", "learners": [f"u{n}"],
                "at": base + n * 0.0001, "expires_at": datetime(2099, 1, 1, tzinfo=UTC)} for n in range(6)]
    await LearnerChange.get_pymongo_collection().insert_many(reports, ordered=False)
    found = await LearnerChange.get_pymongo_collection().find(
        {"at": {"$gt": base + 0.00015}, "process": {"$ne": "mine"}}, {"process": 1, "learners": 1, "at": 1}).to_list()
    assert sorted(report["_id"] for report in found) == ["r2", "r4", "r5"]
    assert set(found[0]) == {"_id", "process", "learners", "at"} and isinstance(found[0]["at"], float)
