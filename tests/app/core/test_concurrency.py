"""`both`: gather's semantics for two awaitables, in fewer turns of the event loop; `TurnGate`: a few callers a
turn, the others in order in the next turns."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.core.concurrency import TurnGate, both


async def test_both_results_come_in_order_and_the_two_run_together() -> None:
    started: list[str] = []

    async def step(name: str, delay: float) -> str:
        started.append(name)
        await asyncio.sleep(delay)
        return name

    loop = asyncio.get_running_loop()
    begun = loop.time()
    assert await both(step("first", 0.05), step("second", 0.05)) == ("first", "second")
    assert loop.time() - begun < 0.09  # together, not one after the other
    assert started == ["first", "second"]


async def test_a_failure_of_the_first_propagates_and_the_second_runs_to_its_end() -> None:
    finished = asyncio.Event()

    async def fails() -> None:
        await asyncio.sleep(0)
        raise ValueError("first")

    async def slow() -> str:
        await asyncio.sleep(0.02)
        finished.set()
        return "done"

    with pytest.raises(ValueError, match="first"):
        await both(fails(), slow())
    await asyncio.wait_for(finished.wait(), 1)  # not cancelled, as gather leaves it


async def test_a_failure_of_the_second_propagates_once_the_first_is_done() -> None:
    async def fails() -> None:
        raise KeyError("second")

    async def ok() -> str:
        await asyncio.sleep(0.01)
        return "ok"

    with pytest.raises(KeyError, match="second"):
        await both(ok(), fails())


async def test_cancelling_the_caller_cancels_both() -> None:
    cancelled: list[str] = []

    async def forever(name: str) -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(name)
            raise

    caller = asyncio.ensure_future(both(forever("first"), forever("second")))
    await asyncio.sleep(0.01)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await asyncio.sleep(0)
    assert sorted(cancelled) == ["first", "second"]


async def turns_until_done(gathering: Callable[[Awaitable[Any], Awaitable[Any]], Awaitable[Any]]) -> int:
    """Turns of the event loop from the call until the caller resumes, for two awaitables that are each answered
    two turns after they start (as a store's replies come back)."""
    loop = asyncio.get_running_loop()
    turns = 0
    running = True

    def tick() -> None:
        nonlocal turns
        turns += 1
        if running:
            loop.call_soon(tick)

    async def answered() -> None:
        reply = loop.create_future()
        loop.call_soon(loop.call_soon, reply.set_result, None)
        await reply

    loop.call_soon(tick)
    await asyncio.sleep(0)
    before = turns
    await gathering(answered(), answered())
    running = False
    return turns - before


async def test_the_caller_resumes_in_fewer_loop_turns_than_with_gather() -> None:
    with_gather = await turns_until_done(asyncio.gather)
    with_both = await turns_until_done(both)
    assert with_both < with_gather, (with_both, with_gather)


class Turns:
    """Counts the turns of the running event loop while it is in use."""

    def __init__(self) -> None:
        self.count = 0
        self._running = True
        asyncio.get_running_loop().call_soon(self._tick)

    def _tick(self) -> None:
        self.count += 1
        if self._running:
            asyncio.get_running_loop().call_soon(self._tick)

    def stop(self) -> None:
        self._running = False


async def test_the_gate_passes_per_turn_callers_a_turn_in_the_order_they_came() -> None:
    gate = TurnGate(2)
    turns = Turns()
    passed: list[tuple[int, int]] = []

    async def caller(number: int) -> None:
        await gate.enter()
        passed.append((number, turns.count))

    await asyncio.gather(*(caller(number) for number in range(7)))
    turns.stop()
    assert [number for number, _ in passed] == list(range(7))  # first come, first served
    per_turn: dict[int, int] = {}
    for _, turn in passed:
        per_turn[turn] = per_turn.get(turn, 0) + 1
    assert max(per_turn.values()) <= 2
    assert len(per_turn) >= 4  # 7 callers, 2 a turn


async def test_a_caller_passes_at_once_when_the_turn_has_room() -> None:
    gate = TurnGate(1)
    turns = Turns()
    await asyncio.sleep(0)
    before = turns.count
    await gate.enter()  # no wait: nothing else passed this turn
    assert turns.count == before
    await asyncio.sleep(0)
    await asyncio.sleep(0)  # the slot came back a turn later
    before = turns.count
    await gate.enter()
    turns.stop()
    assert turns.count == before


async def test_a_slot_comes_back_however_long_its_caller_runs() -> None:
    gate = TurnGate(1)
    release = asyncio.Event()

    async def long_caller() -> None:
        await gate.enter()
        await release.wait()  # still running

    holder = asyncio.ensure_future(long_caller())
    await asyncio.sleep(0)
    await asyncio.wait_for(gate.enter(), 1)  # passes a turn later, not when the first is done
    release.set()
    await holder


async def test_a_cancelled_waiter_leaves_its_place_to_the_next() -> None:
    gate = TurnGate(1)
    first, waiting, after = (asyncio.ensure_future(gate.enter()) for _ in range(3))
    await asyncio.sleep(0)  # the three came in one turn: the first passed, the others wait
    assert first.done() and not waiting.done()
    waiting.cancel()
    await asyncio.wait_for(after, 1)
    assert waiting.cancelled()


def test_a_gate_for_nobody_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        TurnGate(0)


def test_a_gate_serves_each_event_loop_it_is_used_in() -> None:
    gate = TurnGate(1)

    async def three() -> None:
        await asyncio.gather(gate.enter(), gate.enter(), gate.enter())

    asyncio.run(three())
    asyncio.run(three())  # a semaphore bound to the first loop would refuse the second
