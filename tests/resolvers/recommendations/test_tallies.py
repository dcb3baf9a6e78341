"""resolvers.recommendations.tallies: answers counted in memory and added to the store with `$inc` upserts."""

from datetime import UTC, datetime

import pytest
from pymongo.errors import AutoReconnect

from app.core.documents import ServedCourse, ServedTally
from resolvers.recommendations.tallies import COURSE_UPDATES_PER_WRITE, Served, ServingTallies

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


def many_courses(count: int) -> Served:
    return Served("hybrid", None, None, False, False, 3.0, tuple(("hybrid", f"t-m{i:03d}") for i in range(count)))


async def test_course_counts_go_in_writes_of_bounded_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy server's flush is cut in writes of at most COURSE_UPDATES_PER_WRITE upserts, so no one write holds
    the embedded store (and every request waiting on it) for long; all of them arrive."""
    collection = type(ServedCourse.get_pymongo_collection())
    sizes: list[int] = []
    original = collection.bulk_write

    async def counted(self: object, requests: list[object], *args: object, **kwargs: object) -> object:
        if getattr(self, "name", "") == "served_courses":
            sizes.append(len(requests))
        return await original(self, requests, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(collection, "bulk_write", counted)
    tallies = ServingTallies()
    half = COURSE_UPDATES_PER_WRITE // 2
    tallies.record(many_courses(2 * COURSE_UPDATES_PER_WRITE + half), DAY)
    tallies.record(many_courses(3), DAY)
    assert await tallies.flush() == 2
    assert sizes == [COURSE_UPDATES_PER_WRITE, COURSE_UPDATES_PER_WRITE, half]
    stored = {doc["_id"]: doc["answers"] async for doc in ServedCourse.get_pymongo_collection().find({})}
    assert len(stored) == 2 * COURSE_UPDATES_PER_WRITE + half
    last = f"hybrid|2026-04-01|t-m{2 * COURSE_UPDATES_PER_WRITE + half - 1:03d}"
    assert stored["hybrid|2026-04-01|t-m000"] == 2 and stored[last] == 1


async def test_course_counts_from_a_write_the_store_did_not_take_are_sent_with_the_next_flush(
        monkeypatch: pytest.MonkeyPatch) -> None:
    collection = type(ServedCourse.get_pymongo_collection())
    original = collection.bulk_write
    writes = [0]

    async def second_fails(self: object, requests: list[object], *args: object, **kwargs: object) -> object:
        if getattr(self, "name", "") == "served_courses":
            writes[0] += 1
            if writes[0] == 2:
                raise AutoReconnect("store away")
        return await original(self, requests, *args, **kwargs)  # type: ignore[arg-type]

    tallies = ServingTallies()
    tallies.record(many_courses(2 * COURSE_UPDATES_PER_WRITE + COURSE_UPDATES_PER_WRITE // 2), DAY)
    with monkeypatch.context() as patched:
        patched.setattr(collection, "bulk_write", second_fails)
        assert await tallies.flush() == 1  # the answer's own tally was written
    assert writes[0] == 2  # the writes after the failed one wait for the next flush
    stored = await ServedCourse.get_pymongo_collection().count_documents({})
    assert stored == COURSE_UPDATES_PER_WRITE
    assert await tallies.flush() == 0  # no answer since: only the kept course counts go
    counts = [doc["answers"] async for doc in ServedCourse.get_pymongo_collection().find({})]
    assert len(counts) == 2 * COURSE_UPDATES_PER_WRITE + COURSE_UPDATES_PER_WRITE // 2 and set(counts) == {1}
    tally = await ServedTally.get("hybrid|2026-04-01||")
    assert tally is not None and tally.answers == 1
