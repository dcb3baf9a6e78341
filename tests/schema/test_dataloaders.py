"""schema.dataloaders: one batched query per relation, results in input order, caches per Loaders()."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from app.core.documents import Course, Enrollment, Rating, User
from schema.dataloaders import Loaders
from tests.conftest import CommandCounter

pytestmark = pytest.mark.usefixtures("clean")

T0 = datetime(2024, 1, 1, tzinfo=UTC)


async def _seed_courses() -> None:
    await Course.insert_many([Course(id=f"c{i}", title=f"Course {i}") for i in range(6)])


async def test_course_by_id_load_many_is_one_find_in_input_order(command_counter: CommandCounter) -> None:
    await _seed_courses()
    ids = ["c3", "missing", "c0", "c3", "c5", "nope", "c1", "c0", "c2", "missing"]
    loaders = Loaders()
    command_counter.commands.clear()
    found = await loaders.course_by_id.load_many(ids)
    assert command_counter.commands.count("find") == 1
    assert Counter(command_counter.commands) == Counter({"find": 1})
    assert [c.id if c is not None else None for c in found] == [
        "c3", None, "c0", "c3", "c5", None, "c1", "c0", "c2", None
    ]
    assert found[0] is found[3]
    assert found[0] is not None
    assert found[0].title == "Course 3"


async def test_separate_loads_in_one_tick_are_batched(command_counter: CommandCounter) -> None:
    await _seed_courses()
    loaders = Loaders()
    command_counter.commands.clear()
    found = await asyncio.gather(*(loaders.course_by_id.load(f"c{i}") for i in (4, 2, 9, 0)))
    assert command_counter.commands == ["find"]
    assert [c.id if c else None for c in found] == ["c4", "c2", None, "c0"]


async def test_loaded_courses_are_cached_for_the_request(command_counter: CommandCounter) -> None:
    await _seed_courses()
    loaders = Loaders()
    await loaders.course_by_id.load_many(["c1", "c2"])
    command_counter.commands.clear()
    again = await loaders.course_by_id.load_many(["c2", "c1"])
    assert command_counter.commands == []
    assert [c.id for c in again if c] == ["c2", "c1"]
    await loaders.course_by_id.load("c3")
    assert command_counter.commands == ["find"]


async def test_a_fresh_loaders_does_not_share_the_cache(command_counter: CommandCounter) -> None:
    await _seed_courses()
    first = Loaders()
    await first.course_by_id.load("c1")
    await Course.get_pymongo_collection().update_one({"_id": "c1"}, {"$set": {"title": "Renamed"}})
    command_counter.commands.clear()
    fresh = await Loaders().course_by_id.load("c1")
    assert command_counter.commands == ["find"]
    assert fresh is not None
    assert fresh.title == "Renamed"
    cached = await first.course_by_id.load("c1")
    assert cached is not None
    assert cached.title == "Course 1"


async def test_user_by_id(command_counter: CommandCounter) -> None:
    await User.insert_many([User(id="u1", display_name="One"), User(id="u2")])
    command_counter.commands.clear()
    found = await Loaders().user_by_id.load_many(["u2", "x", "u1"])
    assert command_counter.commands == ["find"]
    assert [u.id if u else None for u in found] == ["u2", None, "u1"]


async def _seed_learning() -> None:
    await Enrollment.insert_many([
        Enrollment(id="u1:a", user_id="u1", course_id="a", started_at=T0),
        Enrollment(id="u1:b", user_id="u1", course_id="b", started_at=T0 + timedelta(days=2)),
        Enrollment(id="u1:c", user_id="u1", course_id="c", started_at=T0 + timedelta(days=1)),
        Enrollment(id="u2:a", user_id="u2", course_id="a", started_at=T0),
        Enrollment(id="u9:a", user_id="u9", course_id="a", started_at=T0),
    ])
    await Rating.insert_many([
        Rating(id="u1:a", user_id="u1", course_id="a", rating=3, updated_at=T0 + timedelta(days=1)),
        Rating(id="u1:b", user_id="u1", course_id="b", rating=5, updated_at=T0 + timedelta(days=3)),
        Rating(id="u2:c", user_id="u2", course_id="c", rating=1, updated_at=T0),
        Rating(id="u9:c", user_id="u9", course_id="c", rating=2, updated_at=T0),
    ])


async def test_enrollments_by_user_groups_per_user_newest_first(command_counter: CommandCounter) -> None:
    await _seed_learning()
    command_counter.commands.clear()
    grouped = await Loaders().enrollments_by_user.load_many(["u2", "nobody", "u1"])
    assert command_counter.commands == ["find"]
    assert [[e.id for e in group] for group in grouped] == [["u2:a"], [], ["u1:b", "u1:c", "u1:a"]]
    assert all(e.user_id == "u1" for e in grouped[2])


async def test_ratings_by_user_groups_per_user_newest_first(command_counter: CommandCounter) -> None:
    await _seed_learning()
    command_counter.commands.clear()
    grouped = await Loaders().ratings_by_user.load_many(["u1", "u2", "nobody", "u1"])
    assert command_counter.commands == ["find"]
    assert [[r.id for r in group] for group in grouped] == [["u1:b", "u1:a"], ["u2:c"], [], ["u1:b", "u1:a"]]
    assert [r.rating for r in grouped[0]] == [5, 3]


async def test_loaders_are_independent_per_relation(command_counter: CommandCounter) -> None:
    await _seed_learning()
    await _seed_courses()
    loaders = Loaders()
    command_counter.commands.clear()
    courses, enrollments, ratings = await asyncio.gather(
        loaders.course_by_id.load_many(["c1", "c2"]),
        loaders.enrollments_by_user.load_many(["u1", "u2"]),
        loaders.ratings_by_user.load_many(["u1", "u2"]),
    )
    assert command_counter.commands == ["find", "find", "find"]
    assert [c.id for c in courses if c] == ["c1", "c2"]
    assert [len(group) for group in enrollments] == [3, 1]
    assert [len(group) for group in ratings] == [2, 1]
