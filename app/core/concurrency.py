"""Fewer and shorter waits on a busy event loop: two awaitables at once in fewer turns than `asyncio.gather`
(`both`), and a gate that lets only a few callers start their work in each turn (`TurnGate`).

`gather` wraps each coroutine in a task: starting a task takes a turn of the event loop, and so does waking the
caller once the gathered tasks are done. On a busy server each turn is a wait behind every other request's ready
work (~9 ms at 8 clients on the cached recommendations in bench/README.md), so a request that gathers twice waits
four turns for nothing. `both` runs the second awaitable as a task and the first in the caller's own task: the
first starts at once, and the caller resumes as soon as the first is done (not one turn after), finding the second
done or waiting for it alone. The semantics are `gather`'s (Python 3.11 has no eager tasks): both run to the end;
the first failure propagates while the other keeps running; cancelling the caller cancels both. One difference:
the first runs in the caller's context, so a context variable it sets and leaves set is the caller's afterwards
(`gather` runs each in a copy); PyMongo's deadlines and Beanie leave none set.
"""

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

A = TypeVar("A")
B = TypeVar("B")


async def both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """`await asyncio.gather(first, second)`, the first awaited in the caller's task."""
    task = asyncio.ensure_future(second)
    try:
        result = await first
    except asyncio.CancelledError:
        task.cancel()
        task.add_done_callback(_retrieved)
        raise
    except BaseException:
        task.add_done_callback(_retrieved)  # left running, as gather leaves it; its outcome is not lost in a log
        raise
    try:
        return result, await task
    except asyncio.CancelledError:
        task.cancel()
        raise


def _retrieved(task: "asyncio.Future[Any]") -> None:
    if not task.cancelled():
        task.exception()


class TurnGate:
    """At most `per_turn` callers pass a turn of the event loop; the others wait, first come first served, for
    the next turns. Each caller's slot is handed back one turn after it passed, however long it then runs.

    On a saturated server every turn runs each request whose work is ready, so a request that waits for the store
    waits a whole turn for each round trip. Requests that pass this gate before their work (the reads) fill a
    turn with at most `per_turn` of them, and the requests that do not (the writes) wait a short turn for each
    round trip instead of a long one. The reads lose no throughput: the loop still runs one after another.
    """

    def __init__(self, per_turn: int) -> None:
        if per_turn < 1:
            raise ValueError("a gate passes at least one caller a turn")
        self.per_turn = per_turn
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    async def enter(self) -> None:
        """Return once this caller may start (at once when fewer than `per_turn` passed this turn)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:  # a semaphore belongs to one loop
            self._slots = (loop, asyncio.Semaphore(self.per_turn))
        slots = self._slots[1]
        await slots.acquire()
        loop.call_soon(slots.release)
