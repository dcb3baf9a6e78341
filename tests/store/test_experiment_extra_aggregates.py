"""The further query shapes of an experiment's report: clicks per learner with each
click's variant and day, impressions per `variant \\x1f course` key, the first placement per (learner, course) as
the `$min` of an ISO-time-and-variant string, and the servers' `$inc` upserts of flat counters."""

from typing import Any

import pytest
from pymongo import UpdateOne

from app.core.documents import Event, ServedTally
from resolvers.experiments.interleaving_reports import first_placements_pipeline
from resolvers.experiments.outcomes import CLICK, DISMISS, IMPRESSION, credits_pipeline
from resolvers.experiments.shown import shown_courses_pipeline
from tests.store.nx import nx_diverges
from tests.store.test_experiment_aggregates import aggregate, event

pytestmark = pytest.mark.usefixtures("clean")


async def seed() -> None:
    await Event.get_pymongo_collection().insert_many([
        event("u1", 1, IMPRESSION, "c1", 0, variant="a"), event("u1", 2, IMPRESSION, "c1", 1, variant="b"),
        event("u1", 3, IMPRESSION, "c2", 2, variant="b"), event("u1", 4, CLICK, "c2", 3, variant="b"),
        event("u1", 5, CLICK, "c1", 27, variant="a"), event("u2", 6, DISMISS, "c1", 4, variant="a"),
        event("u2", 7, DISMISS, "c2", 5, variant="a"), event("u2", 8, IMPRESSION, "c1", 6, variant="a"),
        event("u3", 9, DISMISS, "c1", 4, experiment="other"),
    ])


async def test_clicks_per_learner_push_each_variant_and_day_aligned() -> None:
    await seed()
    rows = await aggregate(credits_pipeline("exp"))
    assert [(row["_id"], sorted(zip(row["variants"], row["days"], strict=True))) for row in rows] == [
        ("u1", [("a", "2026-03-03"), ("b", "2026-03-02")])]


async def test_impressions_are_counted_per_variant_and_course() -> None:
    await seed()
    rows = await aggregate(shown_courses_pipeline("exp"))
    assert [(row["_id"], row["impressions"]) for row in rows] == [
        ("a\x1fc1", 2), ("b\x1fc1", 1), ("b\x1fc2", 1)]


async def test_the_first_placement_keeps_the_earliest_impressions_variant() -> None:
    await seed()
    rows = await aggregate(first_placements_pipeline("exp"))
    firsts = {row["_id"]: row["first"] for row in rows}
    assert firsts == {"u1\x1fc1": "2026-03-02T09:30:00.250Z\x1fa", "u1\x1fc2": "2026-03-02T11:30:00.250Z\x1fb",
                      "u2\x1fc1": "2026-03-02T15:30:00.250Z\x1fa"}


async def test_inc_upserts_of_flat_counters_insert_then_add() -> None:
    collection = ServedTally.get_pymongo_collection()
    for increments in ({"answers": 1, "latency_le5": 1}, {"answers": 2, "latency_le50": 1}):
        update = UpdateOne({"_id": "hybrid|2026-03-02||"}, {"$inc": increments, "$setOnInsert": {
            "day": "2026-03-02", "strategy": "hybrid", "experiment": "", "variant": ""}}, upsert=True)
        await collection.bulk_write([update], ordered=False)
    row: dict[str, Any] | None = await collection.find_one({"_id": "hybrid|2026-03-02||"})
    assert row is not None
    assert {key: row[key] for key in ("answers", "latency_le5", "latency_le50", "day")} == {
        "answers": 3, "latency_le5": 1, "latency_le50": 1, "day": "2026-03-02"}


@nx_diverges("an upsert that inserts with `$inc` on a dotted path stores a literal dotted key instead of a "
             "sub-document (the servers' counters are flat fields for this reason)")
async def test_an_inserting_upsert_with_a_dotted_inc_makes_a_sub_document() -> None:
    collection = ServedTally.get_pymongo_collection()
    await collection.update_one({"_id": "dotted"}, {"$inc": {"buckets.le5": 1}}, upsert=True)
    row: dict[str, Any] | None = await collection.find_one({"_id": "dotted"})
    assert row is not None and row.get("buckets") == {"le5": 1} and "buckets.le5" not in row
