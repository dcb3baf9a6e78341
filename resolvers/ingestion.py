"""The ingestion buffer: events from many requests coalesced into bulk writes.

Callers hand over documents and wait until they are durably stored (or found to be duplicates);
a single flusher takes what is queued, up to `batch_size` documents (a larger caller's batch whole),
at the latest `flush_ms` after the first one arrived, and writes it in `insert_many`s of at most
`batch_size` documents, two of them in flight at a time. At most `max_pending` documents wait at any
time: beyond that, callers wait for room (backpressure), so memory stays bounded however slow the
database is.
`stop()` writes everything still buffered before it returns.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, PyMongoError

DUPLICATE_KEY = 11000
INSERTS_IN_FLIGHT = 2  # per flush: with one at a time, the store sat idle while the event loop handled each reply
log = logging.getLogger("pathwise.ingestion")


class StoreUnavailableError(Exception):
    """The database refused a bulk write: nothing of the caller's batch is acknowledged."""


@dataclass
class _Pending:
    documents: list[dict[str, Any]]
    done: asyncio.Future[list[bool]] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class EventWriter:
    """Bounded, batching writer of event documents into one collection."""

    def __init__(self, collection: AsyncCollection[Any], batch_size: int = 100, flush_ms: int = 20,
                 max_pending: int = 20_000) -> None:
        self._collection = collection
        self._batch_size = batch_size
        self._flush_s = flush_ms / 1000
        self._max_pending = max(max_pending, batch_size)
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._room = asyncio.Condition()
        self._pending = 0
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="pathwise-event-writer")

    async def stop(self) -> None:
        """Write everything buffered, then stop."""
        self._closing = True
        if self._task is not None:
            await self._queue.join()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def write(self, documents: list[dict[str, Any]]) -> list[bool]:
        """Store `documents`; True where stored, False where a document with that `_id` exists."""
        if not documents:
            return []
        if self._closing or self._task is None:
            return await self._write_now(documents)
        await self._reserve(len(documents))
        if self._closing:  # stop() began while we waited for room: the flusher may be gone
            await self._release(len(documents))
            return await self._write_now(documents)
        pending = _Pending(documents)
        await self._queue.put(pending)
        return await pending.done

    async def _reserve(self, count: int) -> None:
        count = min(count, self._max_pending)
        async with self._room:
            await self._room.wait_for(lambda: self._pending + count <= self._max_pending)
            self._pending += count

    async def _release(self, count: int) -> None:
        async with self._room:
            self._pending -= min(count, self._max_pending)
            self._room.notify_all()

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            size = len(batch[0].documents)
            deadline = asyncio.get_running_loop().time() + self._flush_s
            while size < self._batch_size:
                timeout = deadline - asyncio.get_running_loop().time()
                try:
                    item = await asyncio.wait_for(self._queue.get(), timeout) if timeout > 0 else (
                        self._queue.get_nowait())
                except (TimeoutError, asyncio.QueueEmpty):
                    break
                batch.append(item)
                size += len(item.documents)
            await self._flush(batch)

    async def _flush(self, batch: list[_Pending]) -> None:
        documents = [document for item in batch for document in item.documents]
        try:
            stored = await self._write_now(documents)
        except Exception as error:
            if not isinstance(error, StoreUnavailableError):
                log.exception("event write failed unexpectedly")
                error = StoreUnavailableError(str(error))
            for item in batch:
                if not item.done.done():
                    item.done.set_exception(error)
        else:
            offset = 0
            for item in batch:
                if not item.done.done():
                    item.done.set_result(stored[offset:offset + len(item.documents)])
                offset += len(item.documents)
        finally:
            for item in batch:
                await self._release(len(item.documents))
                self._queue.task_done()

    async def _write_now(self, documents: list[dict[str, Any]]) -> list[bool]:
        """One `insert_many` per `batch_size` documents, `INSERTS_IN_FLIGHT` at a time. Small inserts let other
        requests' reads and updates into the store between them; a second one in flight keeps the store busy
        while the event loop is away answering the first."""
        lanes = asyncio.Semaphore(INSERTS_IN_FLIGHT)

        async def insert(chunk: list[dict[str, Any]]) -> list[bool]:
            async with lanes:
                return await self._insert(chunk)

        size = self._batch_size
        chunks = [documents[start:start + size] for start in range(0, len(documents), size)]
        return _joined(await asyncio.gather(*(insert(chunk) for chunk in chunks), return_exceptions=True))

    async def _insert(self, documents: list[dict[str, Any]]) -> list[bool]:
        stored = [True] * len(documents)
        try:
            await self._collection.insert_many(documents, ordered=False)
        except BulkWriteError as error:
            for failure in error.details.get("writeErrors", []):
                if failure.get("code") != DUPLICATE_KEY:
                    log.error("event write refused: %s", failure.get("errmsg"))
                    raise StoreUnavailableError(str(failure.get("errmsg"))) from error
                stored[failure["index"]] = False
        except PyMongoError as error:
            log.error("event write failed: %s", error)
            raise StoreUnavailableError(str(error)) from error
        return stored


def _joined(parts: list[list[bool] | BaseException]) -> list[bool]:
    """The chunks' results in order; the first failure fails the whole write (nothing is acknowledged)."""
    for part in parts:
        if isinstance(part, BaseException):
            raise part
    return [stored for part in parts if not isinstance(part, BaseException) for stored in part]
