"""Aggregates: the ratings summary of resolvers.courses.ratings._refresh_course_rating (`$match` then `$group` with
`$avg`/`$sum`) and the course-event signals of resolvers.recommendations.training_data.event_signals."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.documents import Event, Rating
from tests.store.nx import nx_diverges

pytestmark = pytest.mark.usefixtures("clean")


def pipeline(course_id: str) -> list[dict[str, Any]]:
    return [
        {"$match": {"course_id": course_id}},
        {"$group": {"_id": "$course_id", "average": {"$avg": "$rating"}, "count": {"$sum": 1}}},
    ]


async def summary(course_id: str) -> list[dict[str, Any]]:
    rows = await Rating.get_pymongo_collection().aggregate(pipeline(course_id))
    return await rows.to_list()


async def seed(*ratings: tuple[str, str, int]) -> None:
    await Rating.insert_many([Rating(id=Rating.key(user, course), user_id=user, course_id=course, rating=value)
                              for user, course, value in ratings])


async def test_group_averages_and_counts_only_the_matched_course() -> None:
    await seed(("u1", "x", 4), ("u2", "x", 5), ("u3", "x", 5), ("u1", "y", 1))
    rows = await summary("x")
    assert len(rows) == 1
    assert rows[0]["_id"] == "x"
    assert rows[0]["average"] == pytest.approx(14 / 3)
    assert rows[0]["count"] == 3


async def test_average_of_integers_is_a_double_and_count_an_integer() -> None:
    await seed(("u1", "x", 4), ("u2", "x", 4))
    assert await summary("x") == [{"_id": "x", "average": 4.0, "count": 2}]
    row = (await summary("x"))[0]
    assert type(row["average"]) is float
    assert isinstance(row["count"], int)


async def test_group_over_no_matching_documents_returns_no_rows() -> None:
    await seed(("u1", "y", 2))
    assert await summary("x") == []


async def test_group_reflects_a_replaced_rating() -> None:
    await seed(("u1", "x", 1), ("u2", "x", 2))
    await Rating(id=Rating.key("u1", "x"), user_id="u1", course_id="x", rating=5).save()
    assert await summary("x") == [{"_id": "x", "average": 3.5, "count": 2}]


# The course-event signals of resolvers.recommendations.training_data.event_signals: `$match` (`$in` on type, `course_id` not
# null) then `$group` by a compound `_id` document, counting with `$sum: 1` and taking the latest `$max` date.

T0 = datetime(2024, 5, 1, 8, 0, 0, 250_000, tzinfo=UTC)

SIGNALS: list[dict[str, Any]] = [
    {"$match": {"type": {"$in": ["course_view", "bookmark"]}, "course_id": {"$ne": None}}},
    {"$group": {"_id": {"user": "$user_id", "course": "$course_id", "type": "$type"},
                "count": {"$sum": 1}, "at": {"$max": "$server_timestamp"}}},
]


def event(user_id: str, n: int, kind: str, course_id: str | None, hours: int) -> dict[str, Any]:
    document = Event(id=Event.key(user_id, f"e{n}"), user_id=user_id, event_id=f"e{n}", type=kind,
                     course_id=course_id, server_timestamp=T0 + timedelta(hours=hours))
    dumped: dict[str, Any] = document.model_dump(by_alias=True)
    return dumped


async def signals() -> list[dict[str, Any]]:
    rows = await (await Event.get_pymongo_collection().aggregate(SIGNALS)).to_list()
    return sorted(rows, key=lambda row: (row["_id"]["user"], row["_id"]["course"], row["_id"]["type"]))


COMPOUND_ID = nx_diverges("`$group` takes an `_id` document of field paths literally: every matched document "
                          "falls into one group whose `_id` is {'user': '$user_id', ...}")


async def seed_events() -> None:
    await Event.get_pymongo_collection().insert_many([
        event("u1", 1, "course_view", "c1", 0), event("u1", 2, "course_view", "c1", 5),
        event("u1", 3, "course_view", "c1", 2), event("u1", 4, "bookmark", "c1", 1),
        event("u1", 5, "course_view", "c2", 3), event("u2", 6, "course_view", "c1", 4),
        event("u1", 7, "search", "c1", 8), event("u1", 8, "course_view", None, 7),
    ])


async def test_signals_match_keeps_listed_types_with_a_course() -> None:
    await seed_events()
    rows = await (await Event.get_pymongo_collection().aggregate(SIGNALS[:1])).to_list()
    assert sorted(row["event_id"] for row in rows) == ["e1", "e2", "e3", "e4", "e5", "e6"]


@nx_diverges("`$ne: null` also matches documents without the field; MongoDB treats a missing field as null "
             "(the app always writes `course_id`, so stored events are unaffected)")
async def test_ne_null_excludes_documents_without_the_field() -> None:
    without_course = event("u1", 9, "course_view", None, 0)
    del without_course["course_id"]
    await Event.get_pymongo_collection().insert_many([without_course, event("u1", 1, "course_view", "c1", 0)])
    rows = await (await Event.get_pymongo_collection().aggregate(SIGNALS[:1])).to_list()
    assert [row["event_id"] for row in rows] == ["e1"]
    assert await Event.get_pymongo_collection().count_documents({"course_id": {"$ne": None}}) == 1


@COMPOUND_ID
async def test_signals_group_by_user_course_and_type_with_count_and_latest_time() -> None:
    await seed_events()
    assert await signals() == [
        {"_id": {"user": "u1", "course": "c1", "type": "bookmark"}, "count": 1, "at": T0 + timedelta(hours=1)},
        {"_id": {"user": "u1", "course": "c1", "type": "course_view"}, "count": 3, "at": T0 + timedelta(hours=5)},
        {"_id": {"user": "u1", "course": "c2", "type": "course_view"}, "count": 1, "at": T0 + timedelta(hours=3)},
        {"_id": {"user": "u2", "course": "c1", "type": "course_view"}, "count": 1, "at": T0 + timedelta(hours=4)},
    ]


@COMPOUND_ID
async def test_signals_keep_the_compound_id_order_and_value_types() -> None:
    await seed_events()
    row = (await signals())[1]
    assert list(row["_id"]) == ["user", "course", "type"]
    assert type(row["count"]) is int
    assert isinstance(row["at"], datetime)
    assert row["at"].utcoffset() == timedelta(0)


@nx_diverges("`$max` of dates (grouped by a plain field path) returns a JSON string '{\"$date\": ...}', "
             "not a date")
async def test_max_of_dates_is_the_latest_date_to_the_millisecond() -> None:
    await Event.get_pymongo_collection().insert_many([
        {**event("u1", n, "course_view", "c1", 0), "server_timestamp": T0 + timedelta(milliseconds=ms)}
        for n, ms in enumerate([0, 700, 300])])
    pipeline = [{"$group": {"_id": "$user_id", "count": {"$sum": 1}, "at": {"$max": "$server_timestamp"}}}]
    rows = await (await Event.get_pymongo_collection().aggregate(pipeline)).to_list()
    assert rows == [{"_id": "u1", "count": 3, "at": T0 + timedelta(milliseconds=700)}]
    assert rows[0]["at"].utcoffset() == timedelta(0)
