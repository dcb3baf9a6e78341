"""The ratings aggregate of resolvers.ratings._refresh_course_rating: `$match` then `$group` with `$avg`/`$sum`."""

from typing import Any

import pytest

from app.documents import Rating

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
