"""Progress of long offline work (fitting), reported to whoever runs it (`pathwise train` shows it).

A recommender's `fit` calls `report("embedding courses", done, total)` as it goes; the caller installs a
callback for the duration with `reporting(callback)`. Without one, reports are dropped. The callback is held
in a context variable, so it follows the work into `asyncio.to_thread`.
"""

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

Reporter = Callable[[str, int, int], None]  # (what is running, done, total); may raise Cancelled to stop the work


class Cancelled(Exception):  # noqa: N818 - the work was told to stop, not an error of its own
    """Raised by a reporter to stop the work it is told about (e.g. the server is shutting down)."""
_reporter: ContextVar[Reporter | None] = ContextVar("pathwise_progress", default=None)


@contextlib.contextmanager
def reporting(callback: Reporter) -> Iterator[None]:
    """Send `report` calls made inside the block (in this context) to `callback`."""
    token = _reporter.set(callback)
    try:
        yield
    finally:
        _reporter.reset(token)


def report(what: str, done: int, total: int) -> None:
    """`done` of `total` units of `what` are finished."""
    callback = _reporter.get()
    if callback is not None:
        callback(what, done, total)
