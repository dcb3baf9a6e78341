"""resolvers.profile.fold_locks: one fold at a time per learner, no deadlock between overlapping calls,
nothing left behind."""

import asyncio

import pytest

from resolvers.profile.fold_locks import FoldLocks


async def test_a_learner_is_held_by_one_caller_at_a_time() -> None:
    locks, order = FoldLocks(), []

    async def fold(name: str) -> None:
        async with locks.holding(["u1"]):
            order.append(f"{name} in")
            await asyncio.sleep(0.01)
            order.append(f"{name} out")

    await asyncio.gather(fold("a"), fold("b"))
    assert order == ["a in", "a out", "b in", "b out"]
    assert len(locks) == 0


async def test_other_learners_are_not_held_up() -> None:
    locks = FoldLocks()
    async with locks.holding(["u1"]):
        async with asyncio.timeout(1):
            async with locks.holding(["u2"]):
                pass


async def test_overlapping_sets_taken_in_any_order_do_not_deadlock() -> None:
    locks = FoldLocks()

    async def fold(user_ids: list[str]) -> None:
        async with locks.holding(user_ids):
            await asyncio.sleep(0.005)

    async with asyncio.timeout(5):
        await asyncio.gather(*(fold(ids) for ids in (["a", "b"], ["b", "a"], ["c", "a", "b"], ["b", "b"])))
    assert len(locks) == 0


async def test_a_cancelled_waiter_leaves_no_entry_and_does_not_block_the_next() -> None:
    locks = FoldLocks()
    release = asyncio.Event()

    async def holder() -> None:
        async with locks.holding(["u1"]):
            await release.wait()

    held = asyncio.create_task(holder())
    await asyncio.sleep(0)
    waiter = asyncio.create_task(locks.holding(["u1"]).__aenter__())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    release.set()
    await held
    assert len(locks) == 0
    async with asyncio.timeout(1):
        async with locks.holding(["u1"]):
            pass


async def test_a_failure_inside_releases_the_learners() -> None:
    locks = FoldLocks()
    with pytest.raises(RuntimeError):
        async with locks.holding(["u1", "u2"]):
            raise RuntimeError("the write failed")
    assert len(locks) == 0
