"""`both`: gather's semantics for two awaitables, in fewer turns of the event loop."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.core.concurrency import both


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
