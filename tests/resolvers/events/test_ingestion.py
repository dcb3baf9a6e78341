"""resolvers.events.ingestion: concurrent writes coalesce into few bulk writes, each caller gets its own results,
callers wait when the buffer is full, stop() writes everything, and a failed write fails only its callers."""

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import Any, TypeVar

import pytest
from pymongo.errors import AutoReconnect, BulkWriteError

from app.core.documents import Event
from resolvers.events.ingestion import EventWriter, StoreUnavailableError
from tests.conftest import CommandCounter

T = TypeVar("T")


def docs(*ids: str) -> list[dict[str, Any]]:
    return [{"_id": i, "type": "follow"} for i in ids]


async def settle(rounds: int = 50) -> None:
    """Let every task that can run, run (no time passes)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


async def bounded(awaitable: Awaitable[T]) -> T:
    """Guard against a hang: a writer that never answers fails the test instead of blocking it."""
    return await asyncio.wait_for(awaitable, timeout=10)


class FakeCollection:
    """insert_many that records what it got, stores in a dict, and waits at a gate the test opens."""

    def __init__(self, open_gate: bool = True) -> None:
        self.calls: list[list[str]] = []
        self.stored: dict[str, dict[str, Any]] = {}
        self.gate = asyncio.Event()
        self.entered = asyncio.Event()
        self.fail_on: set[str] = set()
        if open_gate:
            self.gate.set()

    async def insert_many(self, documents: list[dict[str, Any]], ordered: bool) -> None:
        assert ordered is False
        self.calls.append([d["_id"] for d in documents])
        self.entered.set()
        await self.gate.wait()
        if self.fail_on.intersection(d["_id"] for d in documents):
            raise AutoReconnect("connection reset")
        errors = []
        for index, document in enumerate(documents):
            if document["_id"] in self.stored:
                errors.append({"index": index, "code": 11000, "errmsg": "E11000 duplicate key"})
            else:
                self.stored[document["_id"]] = document
        if errors:
            raise BulkWriteError({"writeErrors": errors, "nInserted": len(documents) - len(errors)})


def writer_on(collection: FakeCollection, **options: int) -> EventWriter:
    return EventWriter(collection, **options)  # type: ignore[arg-type]


@pytest.mark.usefixtures("clean")
async def test_concurrent_writes_coalesce_into_one_insert_many(command_counter: CommandCounter) -> None:
    writer = EventWriter(Event.get_pymongo_collection(), batch_size=100, flush_ms=1_000)
    await writer.start()
    command_counter.commands.clear()
    try:
        results = await bounded(asyncio.gather(*(writer.write(docs(f"u:{i}a", f"u:{i}b")) for i in range(50))))
    finally:
        await writer.stop()
    assert results == [[True, True]] * 50
    # all 50 callers queue before the flusher runs; 100 documents reach batch_size, so it writes at once
    assert command_counter.commands.count("insert") == 1
    assert await Event.get_pymongo_collection().count_documents({}) == 100


@pytest.mark.usefixtures("clean")
async def test_results_are_split_per_caller_with_duplicates() -> None:
    collection = Event.get_pymongo_collection()
    await collection.insert_many(docs("old-1", "old-2"))
    writer = EventWriter(collection, batch_size=6, flush_ms=1_000)  # the six documents fill one bulk write
    await writer.start()
    try:
        first, second, third = await bounded(asyncio.gather(
            writer.write(docs("a", "old-1", "b")),
            writer.write(docs("c", "a")),  # "a" is stored by the first caller in the same bulk write
            writer.write(docs("old-2")),
        ))
    finally:
        await writer.stop()
    assert (first, second, third) == ([True, False, True], [True, False], [False])
    assert await collection.count_documents({}) == 5


async def test_a_full_buffer_makes_callers_wait_and_memory_stays_bounded() -> None:
    collection = FakeCollection(open_gate=False)
    writer = writer_on(collection, batch_size=5, flush_ms=0, max_pending=10)
    await writer.start()
    writes = [asyncio.create_task(writer.write(docs(*(f"w{w}-{d}" for d in range(5))))) for w in range(6)]
    await bounded(collection.entered.wait())
    await settle()
    # one batch is being written (by its caller, who found the writer idle) and one waits for that write (taken
    # by the flusher): 10 documents held, 4 callers wait for room
    assert collection.calls == [[f"w0-{d}" for d in range(5)]]
    assert writer._pending == 10  # the bound itself is what is tested
    assert writer._queue.qsize() == 0 and writer._queue._unfinished_tasks == 1  # type: ignore[attr-defined]
    assert not any(write.done() for write in writes)
    collection.gate.set()
    results = await bounded(asyncio.gather(*writes))
    await writer.stop()
    assert results == [[True] * 5] * 6
    assert len(collection.stored) == 30
    assert all(len(call) <= 10 for call in collection.calls)
    assert writer._pending == 0


async def test_one_caller_larger_than_the_buffer_still_gets_through() -> None:
    collection = FakeCollection()
    writer = writer_on(collection, batch_size=2, flush_ms=0, max_pending=4)
    await writer.start()
    result = await bounded(writer.write(docs(*(f"big-{i}" for i in range(9)))))
    await writer.stop()
    assert result == [True] * 9


async def test_stop_writes_everything_buffered_before_it_returns() -> None:
    collection = FakeCollection()
    writer = writer_on(collection, batch_size=1_000, flush_ms=500)
    await writer.start()
    writes = [asyncio.create_task(writer.write(docs(f"s{i}"))) for i in range(20)]
    await settle()
    assert not collection.stored  # waiting for more, up to flush_ms
    await bounded(writer.stop())
    assert all(write.done() for write in writes)
    assert [write.result() for write in writes] == [[True]] * 20
    assert len(collection.stored) == 20


async def test_after_stop_writes_go_straight_to_the_store() -> None:
    collection = FakeCollection()
    writer = writer_on(collection)
    await writer.start()
    await writer.stop()
    assert await bounded(writer.write(docs("late"))) == [True]
    assert collection.calls == [["late"]]


async def test_a_failed_write_fails_exactly_its_callers() -> None:
    collection = FakeCollection()
    collection.fail_on = {"bad"}
    writer = writer_on(collection, batch_size=2, flush_ms=0)
    await writer.start()
    outcomes = await bounded(asyncio.gather(
        writer.write(docs("ok-1", "ok-2")), writer.write(docs("bad", "x")), writer.write(docs("ok-3", "ok-4")),
        return_exceptions=True))
    await writer.stop()
    assert collection.calls == [["ok-1", "ok-2"], ["bad", "x"], ["ok-3", "ok-4"]]  # one caller per batch
    assert outcomes[0] == [True, True] and outcomes[2] == [True, True]
    assert isinstance(outcomes[1], StoreUnavailableError)
    assert set(collection.stored) == {"ok-1", "ok-2", "ok-3", "ok-4"}


async def test_a_refused_document_fails_the_whole_batch_but_duplicates_do_not() -> None:
    class Refusing(FakeCollection):
        async def insert_many(self, documents: list[dict[str, Any]], ordered: bool) -> None:
            errors = [{"index": 0, "code": 11000, "errmsg": "dup"}, {"index": 1, "code": 121, "errmsg": "invalid"}]
            raise BulkWriteError({"writeErrors": errors})

    writer = writer_on(Refusing(), batch_size=10, flush_ms=0)
    await writer.start()
    with pytest.raises(StoreUnavailableError, match="invalid"):
        await bounded(writer.write(docs("d", "e")))
    await writer.stop()


async def test_a_caller_waiting_for_room_when_stop_is_called_is_still_answered() -> None:
    collection = FakeCollection(open_gate=False)
    writer = writer_on(collection, batch_size=2, flush_ms=0, max_pending=2)
    await writer.start()
    first = asyncio.create_task(writer.write(docs("f1", "f2")))
    waiting = asyncio.create_task(writer.write(docs("w1", "w2")))
    await bounded(collection.entered.wait())
    await settle()
    stopping = asyncio.create_task(writer.stop())
    await settle()
    collection.gate.set()
    await asyncio.wait_for(asyncio.gather(first, stopping), timeout=10)
    assert await asyncio.wait_for(waiting, timeout=1) == [True, True]


async def test_an_unexpected_error_in_a_write_does_not_stop_the_writer() -> None:
    class Exploding(FakeCollection):
        async def insert_many(self, documents: list[dict[str, Any]], ordered: bool) -> None:
            if documents[0]["_id"] == "boom":
                raise ValueError("cannot encode object")
            await super().insert_many(documents, ordered)

    writer = writer_on(Exploding(), batch_size=1, flush_ms=0)
    await writer.start()
    try:
        failed = await asyncio.wait_for(asyncio.gather(writer.write(docs("boom")), return_exceptions=True), 1)
        assert isinstance(failed[0], Exception)
        assert await asyncio.wait_for(writer.write(docs("fine")), timeout=1) == [True]
    finally:
        writer._queue = asyncio.Queue()  # let the test end whatever happened
        with contextlib.suppress(Exception):
            await writer.stop()


async def test_a_large_batch_is_written_in_chunks_of_batch_size_two_at_a_time() -> None:
    collection = FakeCollection(open_gate=False)
    collection.stored["c3"] = {"_id": "c3"}
    writer = writer_on(collection, batch_size=2, flush_ms=0)
    await writer.start()
    write = asyncio.create_task(writer.write(docs("c1", "c2", "c3", "c4", "c5")))
    await bounded(collection.entered.wait())
    await settle()
    assert collection.calls == [["c1", "c2"], ["c3", "c4"]]  # the third waits for one of them
    collection.gate.set()
    assert await bounded(write) == [True, True, False, True, True]
    await writer.stop()
    assert collection.calls == [["c1", "c2"], ["c3", "c4"], ["c5"]]


async def test_a_failed_chunk_fails_the_whole_write() -> None:
    collection = FakeCollection()
    collection.fail_on = {"f3"}
    writer = writer_on(collection, batch_size=2, flush_ms=0)
    await writer.start()
    with pytest.raises(StoreUnavailableError):
        await bounded(writer.write(docs("f1", "f2", "f3", "f4", "f5")))
    await writer.stop()
    assert len(collection.calls) == 3


async def test_a_document_the_store_refuses_fails_only_its_caller_in_a_coalesced_write() -> None:
    class RefusingOne(FakeCollection):
        async def insert_many(self, documents: list[dict[str, Any]], ordered: bool) -> None:
            self.calls.append([d["_id"] for d in documents])
            errors = [{"index": i, "code": 8, "errmsg": "Invalid JSON document"}
                      for i, d in enumerate(documents) if d["_id"] == "poison"]
            errors += [{"index": i, "code": 11000, "errmsg": "dup"} for i, d in enumerate(documents) if d["_id"] in self.stored]
            self.stored.update({d["_id"]: d for d in documents if d["_id"] != "poison"})
            raise BulkWriteError({"writeErrors": errors})

    collection = RefusingOne()
    collection.stored["old"] = {"_id": "old"}
    writer = writer_on(collection, batch_size=100, flush_ms=50)
    await writer.start()
    outcomes = await bounded(asyncio.gather(writer.write(docs("a1", "old")), writer.write(docs("p1", "poison")),
                                            writer.write(docs("b1")), return_exceptions=True))
    await writer.stop()
    assert len(collection.calls) == 1  # the store said what became of each document: nothing is written again
    assert outcomes[0] == [True, False] and outcomes[2] == [True]
    assert isinstance(outcomes[1], StoreUnavailableError)


async def test_a_document_that_cannot_be_encoded_fails_only_its_caller_the_others_are_written_alone() -> None:
    class Encoding(FakeCollection):
        async def insert_many(self, documents: list[dict[str, Any]], ordered: bool) -> None:
            if any(d["_id"] == "poison" for d in documents):
                self.calls.append([d["_id"] for d in documents])
                raise OverflowError("MongoDB can only handle up to 8-byte ints")
            await super().insert_many(documents, ordered)

    collection = Encoding()
    writer = writer_on(collection, batch_size=100, flush_ms=50)
    await writer.start()
    outcomes = await bounded(asyncio.gather(*(writer.write(docs(f"g{i}a", f"g{i}b")) for i in range(5)),
                                            writer.write(docs("p1", "poison")), return_exceptions=True))
    await writer.stop()
    assert outcomes[:5] == [[True, True]] * 5
    assert isinstance(outcomes[5], StoreUnavailableError)
    assert len(collection.calls) == 1 + 6  # the coalesced write, then each caller alone
    assert set(collection.stored) == {f"g{i}{x}" for i in range(5) for x in "ab"}


async def test_a_lost_connection_fails_every_caller_of_the_write_without_retrying_each() -> None:
    collection = FakeCollection()
    collection.fail_on = {"a1"}
    writer = writer_on(collection, batch_size=100, flush_ms=50)
    await writer.start()
    outcomes = await bounded(asyncio.gather(writer.write(docs("a1")), writer.write(docs("b1")),
                                            return_exceptions=True))
    await writer.stop()
    assert all(isinstance(outcome, StoreUnavailableError) for outcome in outcomes)
    assert len(collection.calls) == 1


@pytest.mark.usefixtures("clean")
async def test_a_poisoned_document_in_the_store_fails_its_caller_alone_and_a_retry_stores_each_once() -> None:
    collection = Event.get_pymongo_collection()
    writer = EventWriter(collection, batch_size=100, flush_ms=50)
    await writer.start()
    poisoned = [{"_id": "bad:1", "v": 1}, {"_id": "bad:2", "v": float("nan")}]
    good = [docs(f"good:{i}a", f"good:{i}b") for i in range(20)]
    try:
        outcomes = await bounded(asyncio.gather(writer.write(poisoned), *(writer.write(batch) for batch in good),
                                                return_exceptions=True))
        assert isinstance(outcomes[0], StoreUnavailableError)
        assert outcomes[1:] == [[True, True]] * 20
        assert await bounded(writer.write(good[0])) == [False, False]  # a retry: duplicates, stored once
        assert await bounded(writer.write(poisoned[:1])) == [False]  # stored, though its caller got an error
    finally:
        await writer.stop()
    assert await collection.count_documents({"_id": {"$regex": "^good:"}}) == 40


async def test_stop_gives_up_after_its_time_limit_and_acknowledges_nothing_it_gave_up() -> None:
    collection = FakeCollection(open_gate=False)  # a database that never answers
    writer = writer_on(collection, batch_size=2, flush_ms=0)
    await writer.start()
    writes = [asyncio.create_task(writer.write(docs(f"g{i}"))) for i in range(5)]
    await settle()
    started = asyncio.get_running_loop().time()
    given_up = await bounded(writer.stop(timeout_s=0.1))
    assert asyncio.get_running_loop().time() - started < 1
    assert given_up == 5
    await settle()
    for write in writes:
        with pytest.raises(StoreUnavailableError):
            write.result()


class TaskRecording(FakeCollection):
    """Records which task made each insert."""

    def __init__(self, open_gate: bool = True) -> None:
        super().__init__(open_gate)
        self.tasks: list[asyncio.Task[Any] | None] = []

    async def insert_many(self, documents: list[dict[str, Any]], ordered: bool) -> None:
        self.tasks.append(asyncio.current_task())
        await super().insert_many(documents, ordered)


@pytest.mark.parametrize(("flush_ms", "own_task"), [(0, True), (20, False)])
async def test_a_lone_caller_writes_in_its_own_task_unless_a_flush_window_is_asked_for(flush_ms: int,
                                                                                     own_task: bool) -> None:
    """An idle writer's caller makes the insert itself: two hand-offs between tasks fewer. With a flush window,
    events that come within it are coalesced, so the flusher writes."""
    collection = TaskRecording()
    writer = writer_on(collection, batch_size=10, flush_ms=flush_ms)
    await writer.start()
    try:
        caller = asyncio.create_task(writer.write(docs("lone")))
        assert await bounded(caller) == [True]
    finally:
        await writer.stop()
    assert (collection.tasks == [caller]) is own_task
    assert collection.stored.keys() == {"lone"} and writer._pending == 0


async def own_write_in_flight(collection: FakeCollection, name: str) -> tuple[EventWriter, asyncio.Task[list[bool]]]:
    """A started writer (no flush window) whose first caller, `name`, is making its own insert at the gate."""
    writer = writer_on(collection, batch_size=10, flush_ms=0)
    await writer.start()
    write = asyncio.create_task(writer.write(docs(name)))
    await bounded(collection.entered.wait())
    return writer, write


async def test_callers_who_come_during_a_callers_own_write_are_coalesced_after_it() -> None:
    collection = TaskRecording(open_gate=False)
    writer, first = await own_write_in_flight(collection, "a")
    others = [asyncio.create_task(writer.write(docs(name))) for name in ("b", "c", "d")]
    await settle()
    assert collection.calls == [["a"]]  # the flusher waits for the write in flight, as for one of its own
    collection.gate.set()
    assert await bounded(asyncio.gather(first, *others)) == [[True]] * 4
    await writer.stop()
    assert collection.calls == [["a"], ["b", "c", "d"]]
    assert collection.tasks[0] is first and collection.tasks[1] not in [first, *others]  # the flusher's


async def test_stop_waits_for_a_callers_own_write_in_flight() -> None:
    collection = FakeCollection(open_gate=False)
    writer, write = await own_write_in_flight(collection, "own")
    stopping = asyncio.create_task(writer.stop())
    await settle()
    assert not stopping.done()
    collection.gate.set()
    assert await bounded(stopping) == 0
    assert write.result() == [True]
