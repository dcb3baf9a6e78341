"""Finds with projections: the catalog stamp's `{"updated_at": 1}` scan (resolvers.courses.snapshot), the
consent read `{"consents": 1}` (resolvers.events.tracking._consents), the skills/name reads of resolvers.practice.knowledge, the
course facts read with `$or` (resolvers.profile.folding.load_course_facts) and the dotted insights read
(resolvers.profile.folding._previous_states). MongoDB returns `_id` plus the projected fields that exist."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.documents import Course, Exercise, Skill, User
from tests.store.nx import nx_diverges

pytestmark = pytest.mark.usefixtures("clean")

T0 = datetime(2024, 7, 1, 9, 30, 0, 125_000, tzinfo=UTC)


async def test_updated_at_projection_over_a_collection_returns_id_and_aware_dates() -> None:
    collection = Skill.get_pymongo_collection()
    await collection.insert_many([
        Skill(id="s1", name="One", updated_at=T0).model_dump(by_alias=True),
        Skill(id="s2", name="Two", description="long", updated_at=T0 + timedelta(days=2)).model_dump(by_alias=True),
        {"_id": "s3", "name": "No date"},
    ])
    rows = sorted(await collection.find({}, {"updated_at": 1}).to_list(), key=lambda row: row["_id"])
    assert rows == [{"_id": "s1", "updated_at": T0}, {"_id": "s2", "updated_at": T0 + timedelta(days=2)},
                    {"_id": "s3"}]
    assert all(row["updated_at"].utcoffset() == timedelta(0) for row in rows[:2])
    assert max(row["updated_at"] for row in rows[:2]) == T0 + timedelta(days=2)


async def test_consents_projection_returns_the_map_with_booleans_and_nothing_else() -> None:
    collection = User.get_pymongo_collection()
    await collection.insert_many([
        User(id="u1", display_name="One", consents={"behavioral_tracking": True, "marketing": False}).model_dump(
            by_alias=True),
        {"_id": "u2", "display_name": "No consents field"},
        User(id="u3").model_dump(by_alias=True),
    ])
    rows = await collection.find({"_id": {"$in": ["u1", "u2", "u3", "u4"]}}, {"consents": 1}).to_list()
    by_id = {row["_id"]: row for row in rows}
    assert by_id == {"u1": {"_id": "u1", "consents": {"behavioral_tracking": True, "marketing": False}},
                     "u2": {"_id": "u2"}, "u3": {"_id": "u3", "consents": {}}}
    assert by_id["u1"]["consents"]["behavioral_tracking"] is True
    assert by_id["u1"]["consents"]["marketing"] is False


async def test_a_one_field_projection_of_an_array_and_a_string() -> None:
    await Exercise.get_pymongo_collection().insert_many([
        Exercise(id="e1", skills=["algebra", "fractions"], prompt="p").model_dump(by_alias=True),
        Exercise(id="e2", skills=["geometry"]).model_dump(by_alias=True)])
    rows = await Exercise.get_pymongo_collection().find({"_id": {"$in": ["e1", "e2", "e9"]}}, {"skills": 1}).to_list()
    assert sorted(rows, key=lambda row: row["_id"]) == [{"_id": "e1", "skills": ["algebra", "fractions"]},
                                                         {"_id": "e2", "skills": ["geometry"]}]
    await Skill(id="algebra", name="Algebra").insert()
    assert await Skill.get_pymongo_collection().find({}, {"name": 1}).to_list() == [{"_id": "algebra", "name": "Algebra"}]


async def test_or_of_id_in_and_array_in_with_a_projection_returns_each_match_once() -> None:
    await Course.insert_many([
        Course(id="c1", title="One", skills=["Python"], format="video", duration_minutes=30),
        Course(id="c2", title="Two", skills=["Data"], topics=["SQL"]),
        Course(id="c3", title="Three", skills=["Rust"]),
    ])
    query = {"$or": [{"_id": {"$in": ["c1", "c9"]}}, {"skill_keys": {"$in": ["python", "data"]}}]}
    projection = {"skills": 1, "topics": 1, "format": 1, "duration_minutes": 1}
    rows = sorted(await Course.get_pymongo_collection().find(query, projection).to_list(), key=lambda r: r["_id"])
    assert [row["_id"] for row in rows] == ["c1", "c2"]
    assert rows[0] == {"_id": "c1", "skills": ["Python"], "topics": [], "format": "video", "duration_minutes": 30}
    assert set(rows[1]) == {"_id", "skills", "topics", "format", "duration_minutes"}


@nx_diverges("a dotted projection (`insights.current_streak`) comes back as a flat key; MongoDB nests "
             "it as {'insights': {'current_streak': ...}} (resolvers.profile.folding.state_of reads both)")
async def test_dotted_projection_returns_nested_documents() -> None:
    await User.get_pymongo_collection().insert_one(
        {"_id": "u1", "insights": {"current_streak": 3, "interest_labels": {"python": "Python"}, "events": 9},
         "recent_activity": [{"type": "view"}]})
    projection: dict[str, Any] = {"insights.current_streak": 1, "insights.interest_labels": 1,
                                  "insights.missing": 1, "recent_activity": 1}
    row = await User.get_pymongo_collection().find_one({"_id": "u1"}, projection)
    assert row == {"_id": "u1", "insights": {"current_streak": 3, "interest_labels": {"python": "Python"}},
                   "recent_activity": [{"type": "view"}]}
