"""Two awaitables at once, in fewer turns of the event loop than `asyncio.gather`.

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
