"""The query shapes of resolvers.experiments.outcomes (an experiment's report): impressions and clicks grouped by
learner with `$min`/`$max` of the variant and three aligned `$push` arrays (`$dateToString` day, nested `$cond`
kind, course);
the first impression per (learner, course) after a `$project` of a separated key; learners by a dotted consent
flag; enrolments since a date."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.documents import Enrollment, Event, User
from resolvers.experiments.outcomes import (
    CLICK,
    IMPRESSION,
    exposure_pipeline,
    first_impressions_pipeline,
    stored_date,
)
from tests.store.nx import nx_diverges

pytestmark = pytest.mark.usefixtures("clean")

T0 = datetime(2026, 3, 2, 9, 30, 0, 250_000, tzinfo=UTC)


def event(user_id: str, n: int, kind: str, course_id: str, hours: float, experiment: str = "exp",
          variant: str = "a") -> dict[str, Any]:
    document = Event(id=Event.key(user_id, f"e{n}"), user_id=user_id, event_id=f"e{n}", type=kind,
                     course_id=course_id, server_timestamp=T0 + timedelta(hours=hours),
                     properties={"experiment": experiment, "variant": variant, "position": 1})
    dumped: dict[str, Any] = document.model_dump(by_alias=True)
    return dumped


async def seed() -> None:
    await Event.get_pymongo_collection().insert_many([
        event("u1", 1, IMPRESSION, "c1", 0), event("u1", 2, IMPRESSION, "c2", 1), event("u1", 3, CLICK, "c1", 2),
        event("u1", 4, IMPRESSION, "c1", 30),  # the next day
        event("u2", 5, IMPRESSION, "c1", 3, variant="b"), event("u2", 6, IMPRESSION, "c1", 4, variant="b"),
        event("u1", 7, IMPRESSION, "c1", 5, experiment="other"), event("u1", 8, "course_view", "c1", 6),
        event("u1", 9, "recommendation_dismiss", "c1", 7),
    ])


async def aggregate(pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = await (await Event.get_pymongo_collection().aggregate(pipeline)).to_list()
    return sorted(rows, key=lambda row: str(row["_id"]))


def events_of(row: dict[str, Any]) -> list[tuple[str, int, str]]:
    """A learner's (day, kind, course) triples: `$push` keeps the three arrays aligned, in no promised order."""
    return sorted(zip(row["days"], row["kinds"], row["courses"], strict=True))


async def test_exposures_group_by_learner_pushing_each_event_day_kind_and_course() -> None:
    await seed()
    rows = await aggregate(exposure_pipeline("exp"))
    assert [(row["_id"], row["variant_low"], row["variant_high"], events_of(row)) for row in rows] == [
        ("u1", "a", "a", [("2026-03-02", 0, "c1"), ("2026-03-02", 0, "c2"), ("2026-03-02", 1, "c1"),
                          ("2026-03-02", 2, "c1"), ("2026-03-03", 0, "c1")]),
        ("u2", "b", "b", [("2026-03-02", 0, "c1"), ("2026-03-02", 0, "c1")]),
    ]


async def test_exposures_show_a_learner_seen_in_two_variants_by_lowest_and_highest_name() -> None:
    await Event.get_pymongo_collection().insert_many([event("u1", 1, IMPRESSION, "c1", 0, variant="b"),
                                                      event("u1", 2, CLICK, "c1", 1, variant="a")])
    rows = await aggregate(exposure_pipeline("exp"))
    assert [(row["variant_low"], row["variant_high"], events_of(row)) for row in rows] == [
        ("a", "b", [("2026-03-02", 0, "c1"), ("2026-03-02", 1, "c1")])]


async def test_exposures_push_integer_kinds_and_find_nothing_for_an_unknown_experiment() -> None:
    await seed()
    row = (await aggregate(exposure_pipeline("exp")))[0]
    assert all(type(kind) is int for kind in row["kinds"])
    assert await aggregate(exposure_pipeline("nope")) == []


async def test_first_impressions_keep_the_earliest_per_learner_and_course() -> None:
    await seed()
    rows = await aggregate(first_impressions_pipeline("exp"))
    assert [(row["_id"], stored_date(row["first"])) for row in rows] == [
        ("u1\x1fc1", T0.replace(microsecond=250_000)), ("u1\x1fc2", T0 + timedelta(hours=1)),
        ("u2\x1fc1", T0 + timedelta(hours=3))]


@nx_diverges("`$min` of dates in `$group` returns the extended-JSON string '{\"$date\": ...}', not a date "
             "(outcomes.stored_date reads both)")
async def test_first_impression_is_a_date() -> None:
    await seed()
    rows = await aggregate(first_impressions_pipeline("exp"))
    assert isinstance(rows[0]["first"], datetime)


async def test_learners_found_by_a_dotted_consent_flag() -> None:
    await User.get_pymongo_collection().insert_many([
        {"_id": "granted", "consents": {"analytics": True}}, {"_id": "refused", "consents": {"analytics": False}},
        {"_id": "silent", "consents": {"personalization": True}}, {"_id": "none"}])
    found = {row["_id"] async for row in User.get_pymongo_collection().find({"consents.analytics": False}, {"_id": 1})}
    assert found == {"refused"}
    found = {row["_id"] async for row in User.get_pymongo_collection().find({"consents.analytics": True}, {"_id": 1})}
    assert found == {"granted"}


async def test_enrolments_found_since_a_date() -> None:
    await Enrollment.insert_many([
        Enrollment(id=Enrollment.key("u1", "c1"), user_id="u1", course_id="c1", started_at=T0 - timedelta(days=1)),
        Enrollment(id=Enrollment.key("u1", "c2"), user_id="u1", course_id="c2", started_at=T0 + timedelta(days=1),
                   completed_at=T0 + timedelta(days=3))])
    fields = {"user_id": 1, "course_id": 1, "started_at": 1, "completed_at": 1, "_id": 0}
    rows = [row async for row in Enrollment.get_pymongo_collection().find({"started_at": {"$gte": T0}}, fields)]
    assert [(row["course_id"], stored_date(row["started_at"]), stored_date(row["completed_at"])) for row in rows] == [
        ("c2", T0 + timedelta(days=1), T0 + timedelta(days=3))]
