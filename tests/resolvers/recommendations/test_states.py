"""Learners' serving states: exact while nothing changes, dropped by a change or a clear, refreshed when old,
changed learners queued for a rebuild, least recently used dropped beyond the size."""

import asyncio

from resolvers.learner_changes import LearnerChanges
from resolvers.recommendations.states import ServingStates


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def states(size: int = 100, refresh: float = 60.0) -> tuple[ServingStates[str], LearnerChanges, Clock]:
    changes, clock = LearnerChanges(), Clock()
    changes.clock = clock  # type: ignore[method-assign]
    kept: ServingStates[str] = ServingStates(size, refresh, changes)
    changes.on_touched(lambda ids, remote: kept.touched(ids))
    return kept, changes, clock


def test_a_state_is_served_however_old_until_its_learner_changes() -> None:
    kept, changes, clock = states(refresh=60)
    assert kept.put("u1", "state", kept.clock()) and kept.put("u2", "theirs", kept.clock())
    clock.now += 59
    assert kept.get("u1") == ("state", False)
    clock.now += 3_000
    assert kept.get("u1") == ("state", True)  # served, and due for a refresh in the background
    changes.touched(["u1"])
    assert "u1" not in kept  # dropped at once: nothing of the learner is held after a write (an erasure, say)
    assert kept.get("u1") == (None, False) and kept.get("u2") == ("theirs", True)
    assert (kept.hits, kept.misses) == (3, 1)


def test_a_state_read_before_a_change_or_a_clear_is_refused() -> None:
    kept, changes, clock = states()
    read_at = kept.clock()
    clock.now += 1
    changes.touched(["u1"])
    assert not kept.put("u1", "stale", read_at) and "u1" not in kept
    read_at = kept.clock()
    clock.now += 1
    kept.clear()
    assert not kept.put("u2", "older than the new model", read_at) and len(kept) == 0
    clock.now += 1
    assert kept.put("u2", "fresh", kept.clock())


def test_changed_learners_with_a_state_are_queued_for_a_rebuild_once_each() -> None:
    async def run() -> list[str]:
        kept, changes, clock = states()
        kept.put("u1", "a", kept.clock())
        kept.put("u2", "b", kept.clock())
        clock.now += 1
        changes.touched(["u1", "nobody", "u1"])
        changes.touched(["u2"], remote=True)  # another process's write
        kept.refresh_later("u3")
        return [await asyncio.wait_for(kept.next_pending(), 1) for _ in range(3)]

    assert asyncio.run(run()) == ["u1", "u2", "u3"]


def test_the_least_recently_used_state_goes_first_and_size_zero_keeps_none() -> None:
    kept, _, _ = states(size=2)
    for user in ("u1", "u2"):
        kept.put(user, user, kept.clock())
    kept.get("u1")
    kept.put("u3", "u3", kept.clock())
    assert "u1" in kept and "u2" not in kept and "u3" in kept
    none, _, _ = states(size=0)
    assert not none.put("u1", "x", none.clock()) and len(none) == 0


def test_a_learner_not_served_lately_is_not_rebuilt_ahead() -> None:
    async def run() -> list[str]:
        kept, changes, clock = states()
        kept.put("idle", "a", kept.clock())
        kept.put("active", "b", kept.clock())
        clock.now += 1_000
        kept.get("active")
        changes.touched(["idle", "active"])
        kept.refresh_later("last")
        return [await asyncio.wait_for(kept.next_pending(), 1) for _ in range(2)]

    assert asyncio.run(run()) == ["active", "last"]


async def test_a_build_under_way_is_joined_only_if_it_read_after_the_learners_last_change() -> None:
    kept, changes, clock = states()
    future = kept.building("u1", kept.clock())
    assert kept.in_flight("u1") is future and kept.in_flight("u2") is None
    kept.built("u1", future, "state")
    assert await future == "state" and kept.in_flight("u1") is None  # done: nothing to join
    stale = kept.building("u1", kept.clock())
    clock.now += 1
    changes.touched(["u1"])  # the learner changed after the build began reading: it is not theirs any more
    assert kept.in_flight("u1") is None
    clock.now += 1
    newer = kept.building("u1", kept.clock())
    kept.built("u1", stale, None)  # the older build ending does not end the newer one's registration
    assert await stale is None and kept.in_flight("u1") is newer


def test_holds_says_whether_an_exact_state_is_kept_without_counting() -> None:
    kept, changes, clock = states()
    assert not kept.holds("u1")
    kept.put("u1", "state", kept.clock())
    clock.now += 1
    assert kept.holds("u1") and (kept.hits, kept.misses) == (0, 0)
    changes.touched(["u1"])
    assert not kept.holds("u1")
