"""Counts (`count_documents`, Beanie `.count()`) with the filters resolvers.courses.courses.course_query builds."""

import pytest

from app.core.documents import Course
from resolvers.courses.courses import CourseFilter, course_query
from tests.store.nx import nx_diverges

pytestmark = pytest.mark.usefixtures("clean")


async def seed() -> None:
    await Course.insert_many([
        Course(id="py", title="Python", skills=["Python", "Data"], level="beginner", language="en"),
        Course(id="rs", title="Rust", skills=["Rust", "data"], level="advanced", language="en"),
        Course(id="go", title="Go", skills=["Go"], level="beginner", language="de"),
        Course(id="none", title="No skills", level="beginner", language="en"),
        Course(id="draft", title="Draft", skills=["Python"], level="beginner", language="en", published=False),
    ])


async def test_count_all_and_no_match() -> None:
    await seed()
    assert await Course.find({}).count() == 5
    assert await Course.find({"level": "mixed"}).count() == 0


async def test_count_string_equality() -> None:
    await seed()
    assert await Course.find({"level": "beginner"}).count() == 4
    assert await Course.find({"language": "de"}).count() == 1
    assert await Course.find({"language": "EN"}).count() == 0  # equality is case-sensitive


async def test_count_bool_equality() -> None:
    await seed()
    assert await Course.find({"published": True}).count() == 4
    assert await Course.find({"published": False}).count() == 1


async def test_in_on_array_field_matches_when_any_element_matches() -> None:
    await seed()
    assert await Course.find({"skill_keys": {"$in": ["data"]}}).count() == 2
    # a document matching through two elements counts once
    assert await Course.find({"skill_keys": {"$in": ["python", "data", "cobol"]}}).count() == 3
    assert await Course.find({"skill_keys": {"$in": ["cobol"]}}).count() == 0


@nx_diverges("once the array field is indexed, equality on one element matches nothing ($in still works; "
             "the app uses $in)")
async def test_equality_on_array_field_matches_an_element() -> None:
    await seed()
    found = await Course.find({"skill_keys": "python"}).sort("_id").to_list()
    assert [course.id for course in found] == ["draft", "py"]


async def test_combined_filters_are_anded() -> None:
    await seed()
    query = {"skill_keys": {"$in": ["python", "data", "go"]}, "level": "beginner", "published": True}
    assert await Course.find(query).count() == 2
    assert await Course.find({**query, "language": "en"}).count() == 1


async def test_count_documents_on_the_raw_collection_agrees() -> None:
    await seed()
    collection = Course.get_pymongo_collection()
    assert await collection.count_documents({"published": True, "level": "beginner"}) == 3
    assert await collection.count_documents({"skill_keys": {"$in": ["rust", "go"]}}) == 2


async def test_course_query_filters_count_as_the_app_builds_them() -> None:
    await seed()
    query = course_query(CourseFilter(skills=["DATA", "Go"], language="EN"))
    assert query == {"skill_keys": {"$in": ["data", "go"]}, "language": "en", "published": True}
    assert await Course.find(query).count() == 2
    drafts_too = course_query(CourseFilter(skills=["python"], include_unpublished=True))
    assert await Course.find(drafts_too).count() == 2


@nx_diverges("bool equality also matches the numbers 1/0 (SQLite JSON stores booleans as integers)")
async def test_bool_equality_does_not_match_numbers_or_strings() -> None:
    collection = Course.get_pymongo_collection()
    await collection.insert_many([
        {"_id": "t", "published": True}, {"_id": "one", "published": 1}, {"_id": "s", "published": "true"},
        {"_id": "f", "published": False}, {"_id": "zero", "published": 0},
    ])
    assert [row["_id"] for row in await collection.find({"published": True}, {"_id": 1}).to_list()] == ["t"]
    assert [row["_id"] for row in await collection.find({"published": False}, {"_id": 1}).to_list()] == ["f"]
    assert await collection.count_documents({"published": True}) == 1
