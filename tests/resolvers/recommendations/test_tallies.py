"""resolvers.recommendations.tallies: answers counted in memory and added to the store with `$inc` upserts."""

from datetime import UTC, datetime

import pytest
from pymongo.errors import AutoReconnect

from app.core.documents import ServedCourse, ServedTally
from resolvers.recommendations.tallies import Served, ServingTallies

pytestmark = pytest.mark.usefixtures("clean")
DAY = datetime(2026, 4, 1, 12, tzinfo=UTC)


def served(strategy: str = "hybrid", ms: float = 3.0, fallback: bool = False, cached: bool = False,
           experiment: str | None = None, variant: str | None = None) -> Served:
    return Served(strategy, experiment, variant, fallback, cached, ms, ((strategy, "t-c1"), (strategy, "t-c2")))


async def test_counts_are_added_per_day_strategy_and_arm_and_flushes_add_up() -> None:
    tallies = ServingTallies()
    tallies.record(served(ms=3.0), DAY)
    tallies.record(served(ms=30.0, cached=True), DAY)
    tallies.record(served("popular", fallback=True, experiment="x", variant="a"), DAY)
    assert tallies.pending == 3
    assert await tallies.flush() == 3
    tallies.record(served(ms=700.0), DAY)
    assert await tallies.flush() == 1
    assert tallies.pending == 0 and await tallies.flush() == 0
    hybrid = await ServedTally.get("hybrid|2026-04-01||")
    assert hybrid is not None
    assert (hybrid.answers, hybrid.cached, hybrid.fallbacks, hybrid.latency_ms_sum) == (3, 1, 0, 733.0)
    assert hybrid.latency() == {"latency_le5": 1, "latency_le50": 1, "latency_le1000": 1}
    arm = await ServedTally.get("popular|2026-04-01|x|a")
    assert arm is not None and (arm.experiment, arm.variant, arm.fallbacks) == ("x", "a", 1)
    course = await ServedCourse.get("hybrid|2026-04-01|t-c1")
    assert course is not None and course.answers == 3


async def test_counts_the_store_did_not_take_are_kept_for_the_next_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    tallies = ServingTallies()
    tallies.record(served(), DAY)

    async def away(*args: object, **kwargs: object) -> None:
        raise AutoReconnect("store away")

    collection = type(ServedTally.get_pymongo_collection())
    with monkeypatch.context() as patched:
        patched.setattr(collection, "bulk_write", away)
        assert await tallies.flush() == 0
    assert tallies.pending == 1
    tallies.record(served(), DAY)
    assert await tallies.flush() == 2
    stored = await ServedTally.get("hybrid|2026-04-01||")
    assert stored is not None and stored.answers == 2
