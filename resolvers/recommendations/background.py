"""Work kept out of requests' way: one background thread (loading artifacts, embedding new courses and learners'
profiles), cut short once the service stops, and the poll loop that keeps what is served current."""

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from recommenders.progress import Cancelled, reporting
from resolvers.errors import store_unavailable

log = logging.getLogger("pathwise.recommendations")
T = TypeVar("T")


class BackgroundWork:
    """One thread for slow work; `cancel` makes running work end (`Cancelled`) at its next progress report: a
    thread still embedding would keep the process alive after SIGTERM."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="recommend-background")
        self._stopping = threading.Event()

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in the background thread, awaited."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._cancellable(work, *args))

    def submit(self, work: Callable[..., T], *args: Any) -> "Future[T]":
        """`work(*args)` in the background thread, not awaited."""
        return self.executor.submit(self._cancellable(work, *args))

    def cancel(self) -> None:
        """Make running work end at its next progress report."""
        self._stopping.set()

    def shutdown(self) -> None:
        """Drop queued work; the thread ends once its work has (see `cancel`)."""
        self.executor.shutdown(wait=False, cancel_futures=True)

    def _cancellable(self, work: Callable[..., T], *args: Any) -> Callable[[], T]:
        def run() -> T:
            with reporting(self._abort_if_stopping):
                return work(*args)

        return run

    def _abort_if_stopping(self, what: str, done: int, total: int) -> None:
        if self._stopping.is_set():
            raise Cancelled(f"stopped while {what} ({done}/{total})")


async def poll_forever(interval_s: float, refresh: Callable[[], Awaitable[None]]) -> None:
    """`refresh()` every `interval_s`, forever; a failed refresh is logged and retried next time (it must not
    stop serving)."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await refresh()
        except Exception as error:
            if store_unavailable(error):
                log.warning("refreshing recommenders: the store did not answer (%s)", type(error).__name__)
            else:
                log.exception("refreshing recommenders failed")
