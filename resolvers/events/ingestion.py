"""The ingestion buffer: events from many requests coalesced into bulk writes.

Callers hand over documents and wait until they are durably stored (or found to be duplicates);
a single flusher takes what is queued, up to `batch_size` documents (a larger caller's batch whole),
at the latest `flush_ms` after the first one arrived, and writes it in `insert_many`s of at most
`batch_size` documents, two of them in flight at a time. With `flush_ms` 0 (the default) this is group
commit: a lone event is written at once, and the events that arrive while a write is in flight are
coalesced into the next one, so batching costs no latency when the store keeps up. A caller who finds the
writer idle (nothing queued, no write in flight) makes that one insert in its own task, as the flusher
would have, without the two hand-offs between tasks: each costs a turn of the event loop, and on a busy
server a turn is everyone else's work (bench/README.md, ninth session, "The writer's hand-offs"). At most `max_pending`
documents wait at any time: beyond that, callers wait for room (backpressure), so memory stays bounded
however slow the database is.
`stop()` writes everything still buffered before it returns; given a time limit, it fails what is left then.

One caller's document never fails another caller's write: when a coalesced insert fails for any reason but
duplicates, each caller whose documents' fate is not known from the store's answer is retried on its own, so only
the caller whose documents the store refuses gets `StoreUnavailableError` (a lost connection fails every caller:
no caller is at fault). The happy path stays one `insert_many` per `batch_size` documents.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, ConnectionFailure, PyMongoError

from app.core import metrics

DUPLICATE_KEY = 11000
GAVE_UP = "the server stopped before these events were stored"
INSERTS_IN_FLIGHT = 2  # per flush: with one at a time, the store sat idle while the event loop handled each reply
log = logging.getLogger("pathwise.ingestion")


class Outcome(Enum):
    """What became of one document of a failed write."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    REFUSED = "refused"  # the store refused this document: its caller's fault
    UNKNOWN = "unknown"  # the write failed before the store said


class StoreUnavailableError(Exception):
    """The database refused a bulk write: nothing of the caller's batch is acknowledged.

    `outcomes` has one entry per document of the failed write (all UNKNOWN when none is given). `isolable` is False
    when no document is at fault (the connection failed), so writing callers' documents again alone would not help.
    """

    def __init__(self, message: str, outcomes: list[Outcome] | None = None, isolable: bool = True) -> None:
        super().__init__(message)
        self.outcomes = outcomes
        self.isolable = isolable

    def outcomes_of(self, count: int) -> list[Outcome]:
        return self.outcomes if self.outcomes is not None else [Outcome.UNKNOWN] * count


@dataclass
class _Pending:
    documents: list[dict[str, Any]]
    done: asyncio.Future[list[bool]] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class EventWriter:
    """Bounded, batching writer of event documents into one collection."""

    def __init__(self, collection: AsyncCollection[Any], batch_size: int = 100, flush_ms: int = 0,
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
        self._waiting: dict[int, _Pending] = {}  # by id(): queued or being written; failed if stop() gives up
        self._writing = asyncio.Lock()  # held by the write in flight: the flusher's, or an idle writer's caller's
        self._alone: dict[asyncio.Task[Any], int] = {}  # callers writing their own documents, and how many
        self._given_up: set[asyncio.Task[Any]] = set()  # those of them `stop()` gave up on

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="pathwise-event-writer")
        metrics.watch_event_queue(lambda: self._pending)

    async def stop(self, timeout_s: float | None = None) -> int:
        """Write everything buffered, then stop. After `timeout_s` it gives up on what is left, whose callers get
        `StoreUnavailableError` (nothing of theirs is acknowledged); how many events it gave up on."""
        self._closing = True
        if self._task is None:
            return 0
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained(), timeout_s)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        return self._give_up()

    async def _drained(self) -> None:
        await self._queue.join()
        async with self._writing:  # a caller's own write still in flight
            pass

    def _give_up(self) -> int:
        unwritten = 0
        for item in self._waiting.values():
            if not item.done.done():
                unwritten += len(item.documents)
                item.done.set_exception(StoreUnavailableError(GAVE_UP))
        self._waiting.clear()
        for task, count in self._alone.items():  # their callers get the same error (`_write_alone`)
            unwritten += count
            self._given_up.add(task)
            task.cancel()
        self._alone.clear()
        if unwritten:
            log.error("%d buffered events could not be written before shutdown; none was acknowledged", unwritten)
        return unwritten

    async def write(self, documents: list[dict[str, Any]]) -> list[bool]:
        """Store `documents`; True where stored, False where a document with that `_id` exists."""
        if not documents:
            return []
        if self._closing or self._task is None:
            return await self._write_now(documents)
        if self._flush_s == 0 and len(documents) <= self._batch_size and self._idle():
            return await self._write_alone(documents)
        await self._reserve(len(documents))
        if self._closing:  # stop() began while we waited for room: the flusher may be gone
            await self._release(len(documents))
            return await self._write_now(documents)
        pending = _Pending(documents)
        self._waiting[id(pending)] = pending
        try:
            await self._queue.put(pending)
            return await pending.done
        finally:
            self._waiting.pop(id(pending), None)

    def _idle(self) -> bool:
        return self._queue.empty() and not self._writing.locked()

    async def _write_alone(self, documents: list[dict[str, Any]]) -> list[bool]:
        """The one insert the flusher would make of these documents, in the caller's task. Callers who come
        meanwhile queue; the flusher waits for this write as for one of its own, then takes them together."""
        task = asyncio.current_task()
        assert task is not None
        async with self._writing:  # free (the writer is idle): taken without suspending, so no one came between
            await self._reserve(len(documents))
            self._alone[task] = len(documents)
            try:
                stored = await self._insert(documents)
            except asyncio.CancelledError:
                if task not in self._given_up:
                    raise
                task.uncancel()  # stop() gave up on this write, as on the queued ones: the same error
                raise StoreUnavailableError(GAVE_UP) from None
            finally:
                self._alone.pop(task, None)
                self._given_up.discard(task)
                await self._release(len(documents))
            metrics.events_stored(documents)
            return stored

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
            first = await self._queue.get()
            async with self._writing:  # after a caller's own write in flight: what queued meanwhile goes together
                batch = [first]
                size = len(first.documents)
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
            await self._isolated(batch, error)
        else:
            metrics.events_stored(documents)
            offset = 0
            for item in batch:
                _answer(item, stored[offset:offset + len(item.documents)])
                offset += len(item.documents)
        finally:
            for item in batch:
                await self._release(len(item.documents))
                self._queue.task_done()

    async def _isolated(self, batch: list[_Pending], error: StoreUnavailableError) -> None:
        """Answer each caller of a failed write on its own: from what the store said of its documents, else by
        writing its documents again alone (when another caller's document may have failed the write)."""
        outcomes = error.outcomes_of(sum(len(item.documents) for item in batch))
        retries, offset = [], 0
        for item in batch:
            mine = outcomes[offset:offset + len(item.documents)]
            offset += len(item.documents)
            if Outcome.REFUSED in mine:
                _answer(item, error)
            elif Outcome.UNKNOWN not in mine:  # another caller's document failed the write
                _answer(item, [outcome is Outcome.STORED for outcome in mine])
            elif error.isolable and len(batch) > 1:
                retries.append(self._retried(item, mine))
            else:
                _answer(item, error)
        await asyncio.gather(*retries)

    async def _retried(self, item: _Pending, outcomes: list[Outcome]) -> None:
        """Write the caller's documents whose fate is unknown again, alone: a failure now is the caller's own."""
        unknown = [index for index, outcome in enumerate(outcomes) if outcome is Outcome.UNKNOWN]
        try:
            again = await self._write_now([item.documents[index] for index in unknown])
        except StoreUnavailableError as error:
            _answer(item, error)
            return
        stored = [outcome is Outcome.STORED for outcome in outcomes]
        for index, fresh in zip(unknown, again, strict=True):
            stored[index] = fresh
        _answer(item, stored)

    async def _write_now(self, documents: list[dict[str, Any]]) -> list[bool]:
        """One `insert_many` per `batch_size` documents, `INSERTS_IN_FLIGHT` at a time. Small inserts let other
        requests' reads and updates into the store between them; a second one in flight keeps the store busy
        while the event loop is away answering the first."""
        size = self._batch_size
        if len(documents) <= size:  # one insert: awaited directly (a task for it would cost two more loop turns)
            return await self._insert(documents)
        lanes = asyncio.Semaphore(INSERTS_IN_FLIGHT)

        async def insert(chunk: list[dict[str, Any]]) -> list[bool]:
            async with lanes:
                return await self._insert(chunk)

        chunks = [documents[start:start + size] for start in range(0, len(documents), size)]
        return _joined(chunks, await asyncio.gather(*(insert(chunk) for chunk in chunks), return_exceptions=True))

    async def _insert(self, documents: list[dict[str, Any]]) -> list[bool]:
        outcomes = [Outcome.STORED] * len(documents)
        try:
            await self._collection.insert_many(documents, ordered=False)
        except BulkWriteError as error:  # unordered: every document not named in writeErrors is stored
            refused = None
            for failure in error.details.get("writeErrors", []):
                duplicate = failure.get("code") == DUPLICATE_KEY
                outcomes[failure["index"]] = Outcome.DUPLICATE if duplicate else Outcome.REFUSED
                refused = refused or (None if duplicate else str(failure.get("errmsg")))
            if refused is not None:
                log.error("event write refused: %s", refused)
                raise StoreUnavailableError(refused, outcomes) from error
        except ConnectionFailure as error:
            log.error("event write failed: %s", error)
            raise StoreUnavailableError(str(error), isolable=False) from error
        except PyMongoError as error:
            log.error("event write failed: %s", error)
            raise StoreUnavailableError(str(error)) from error
        except Exception as error:  # a document the driver cannot encode (a lone surrogate, a huge int)
            log.error("event write could not be encoded: %s", error)
            raise StoreUnavailableError(f"{type(error).__name__}: {error}") from error
        return [outcome is Outcome.STORED for outcome in outcomes]


def _answer(item: _Pending, result: list[bool] | BaseException) -> None:
    if item.done.done():
        return
    if isinstance(result, BaseException):
        item.done.set_exception(result)
    else:
        item.done.set_result(result)


def _joined(chunks: list[list[dict[str, Any]]], parts: list[list[bool] | BaseException]) -> list[bool]:
    """The chunks' results in order. A failed chunk fails the whole write (nothing is acknowledged); the error
    then says what became of every document, where the store said so."""
    failures = [part for part in parts if isinstance(part, BaseException)]
    if not failures:
        return [stored for part in parts if not isinstance(part, BaseException) for stored in part]
    first = failures[0]
    if not all(isinstance(failure, StoreUnavailableError) for failure in failures):
        raise first
    errors = [failure for failure in failures if isinstance(failure, StoreUnavailableError)]
    outcomes: list[Outcome] = []
    for chunk, part in zip(chunks, parts, strict=True):
        if isinstance(part, StoreUnavailableError):
            outcomes.extend(part.outcomes_of(len(chunk)))
        elif isinstance(part, list):
            outcomes.extend(Outcome.STORED if stored else Outcome.DUPLICATE for stored in part)
    raise StoreUnavailableError(str(first), outcomes, isolable=all(error.isolable for error in errors))
