"""Pathwise's round trip (one wait in the calling task) keeps PyMongo's contract: the same replies and errors, a reply timeout and a
client-side deadline that fail the command (and the next one works), the pool's cancellation, a cancellation
from outside; and a command suspends its task once, where PyMongo's own round trip went through tasks of its
own. Each contract test runs on PyMongo's round trip too, so a difference between the two shows."""

import asyncio
import gc
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pymongo
import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError, NetworkTimeout, _OperationCancelled
from pymongo.uri_parser import parse_uri

from app.core.store import wire
from app.core.store.db import make_client

ROUND_TRIPS = ("pathwise", "pymongo")


@contextmanager
def round_trip(kind: str) -> Iterator[None]:
    """Commands go through `kind`'s round trip inside the block; the app's (installed) after it."""
    if kind == "pymongo":
        wire.uninstall()
    try:
        yield
    finally:
        assert wire.install()


class StallingProxy:
    """A TCP relay in front of the test store whose replies can be held back (`stalled`)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.stalled = False
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._connected, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        for task in (self._relay(reader, upstream_writer, False), self._relay(upstream_reader, writer, True)):
            running = asyncio.create_task(task)
            self.tasks.add(running)
            running.add_done_callback(self.tasks.discard)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, replies: bool) -> None:
        try:
            while chunk := await reader.read(65536):
                while replies and self.stalled:
                    await asyncio.sleep(0.01)
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


@pytest.fixture
async def proxy(mongo_uri: str) -> AsyncIterator[StallingProxy]:
    host, port = parse_uri(mongo_uri)["nodelist"][0]
    relay = StallingProxy(host, port)
    await relay.start()
    yield relay
    await relay.stop()


def _client_through(proxy: StallingProxy, mongo_uri: str, **options: Any) -> AsyncMongoClient[Any]:
    assert proxy.server is not None
    port = proxy.server.sockets[0].getsockname()[1]
    credentials = parse_uri(mongo_uri)
    return AsyncMongoClient(f"mongodb://127.0.0.1:{port}/", directConnection=True, serverSelectionTimeoutMS=5_000,
                            username=credentials["username"], password=credentials["password"], **options)


def test_installed_on_the_pinned_pymongo() -> None:
    make_client("mongodb://127.0.0.1:1/")  # installs; connects lazily
    assert wire.installable()
    assert wire.pool.async_sendall is wire.sendall
    assert wire.pool.async_receive_message is wire.receive_message


@pytest.mark.parametrize("kind", ROUND_TRIPS)
async def test_replies_and_errors_are_pymongos(mongo_uri: str, kind: str) -> None:
    client: AsyncMongoClient[Any] = make_client(mongo_uri)
    collection = client["pathwise_wire"][f"replies_{kind.replace('-', '_')}"]
    try:
        with round_trip(kind):
            await collection.drop()
            await collection.insert_many([{"_id": f"d{n}", "n": n, "tags": ["a"] * n} for n in range(150)])
            found = await collection.find({"n": {"$gte": 10}}, {"n": 1}).sort("n", 1).to_list()
            updated = await collection.update_one({"_id": "d3"}, {"$inc": {"n": 100}})
            counted = await collection.count_documents({"n": {"$gte": 100}})
            with pytest.raises(DuplicateKeyError):
                await collection.insert_one({"_id": "d1"})
        assert [document["n"] for document in found] == list(range(10, 150))  # more than one batch: getMore
        assert updated.modified_count == 1
        assert counted == 51  # d100–d149, and d3 now at 103
    finally:
        await collection.drop()
        await client.close()


@pytest.mark.parametrize("kind", ROUND_TRIPS)
async def test_a_reply_timeout_fails_the_command_and_the_next_one_works(proxy: StallingProxy, mongo_uri: str,
                                                                       kind: str) -> None:
    client = _client_through(proxy, mongo_uri, socketTimeoutMS=300)
    collection = client["pathwise_wire"]["timeouts"]
    try:
        with round_trip(kind):
            await collection.find_one({})
            proxy.stalled = True
            with pytest.raises(NetworkTimeout):
                await collection.find_one({})
            proxy.stalled = False
            assert await collection.count_documents({}) >= 0
    finally:
        proxy.stalled = False
        await client.close()


@pytest.mark.parametrize("kind", ROUND_TRIPS)
async def test_a_client_side_deadline_fails_the_command(proxy: StallingProxy, mongo_uri: str, kind: str) -> None:
    client = _client_through(proxy, mongo_uri)
    collection = client["pathwise_wire"]["deadlines"]
    try:
        with round_trip(kind):
            await collection.find_one({})
            proxy.stalled = True
            with pytest.raises(NetworkTimeout), pymongo.timeout(0.3):
                await collection.find_one({})
            proxy.stalled = False
            await collection.find_one({})
    finally:
        proxy.stalled = False
        await client.close()


def _waiting_connection(timeout: float | None) -> Any:
    """What `receive_message` reads of a connection, for a reply that never comes."""
    async def read(request_id: int | None, max_message_size: int) -> tuple[bytes, int]:
        await asyncio.get_running_loop().create_future()
        raise AssertionError("unreachable")

    return SimpleNamespace(cancel_context=SimpleNamespace(cancelled=False),
                           conn=SimpleNamespace(gettimeout=timeout, get_conn=SimpleNamespace(read=read)))


RECEIVES = {"pathwise": wire.receive_message, "pymongo": wire._STOCK[1]}


@pytest.mark.parametrize("kind", ROUND_TRIPS)
async def test_the_pools_cancellation_ends_the_wait(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    monkeypatch.setattr(wire.network_layer, "_POLL_TIMEOUT", 0.02)
    connection = _waiting_connection(None)
    waiting = asyncio.create_task(RECEIVES[kind](connection, 1))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    connection.cancel_context.cancelled = True
    with pytest.raises(_OperationCancelled):
        await asyncio.wait_for(waiting, 2)


@pytest.mark.parametrize("kind", ROUND_TRIPS)
async def test_a_cancellation_from_outside_propagates_and_leaves_no_timer(monkeypatch: pytest.MonkeyPatch,
                                                                          kind: str) -> None:
    monkeypatch.setattr(wire.network_layer, "_POLL_TIMEOUT", 0.02)
    connection = _waiting_connection(0.1)

    async def caller() -> str:
        try:
            await RECEIVES[kind](connection, 1)
        except asyncio.CancelledError:
            await asyncio.sleep(0.3)  # a timer left behind would cancel this task now
            return "cancelled, then nothing more"
        return "not cancelled"

    task = asyncio.create_task(caller())
    await asyncio.sleep(0.03)
    task.cancel()
    assert await task == "cancelled, then nothing more"


async def test_a_command_suspends_its_task_once(mongo_uri: str) -> None:
    """The task issuing a command runs twice: to send it, and when the reply is in (PyMongo's own round trip
    waits on tasks of its own, each a turn or more of a busy event loop)."""
    client: AsyncMongoClient[Any] = make_client(mongo_uri)
    collection = client["pathwise_wire"]["suspensions"]
    await collection.find_one({})  # connected
    steps = 0
    original = asyncio.tasks._PyTask._Task__step  # type: ignore[attr-defined]

    def step(task: Any, exc: BaseException | None = None) -> None:
        nonlocal steps
        if getattr(task, "counted", False):
            steps += 1
        original(task, exc)

    asyncio.tasks._PyTask._Task__step = step  # type: ignore[attr-defined]
    try:
        task: Any = asyncio.tasks._PyTask(collection.find_one({"_id": "none"}),  # type: ignore[attr-defined]
                                          loop=asyncio.get_running_loop())
        task.counted = True
        await task
    finally:
        asyncio.tasks._PyTask._Task__step = original  # type: ignore[attr-defined]
        await client.close()
    assert steps == 2


async def test_a_command_leaves_no_reference_cycle(mongo_uri: str) -> None:
    """What a command's round trip builds (its timers' callbacks, their cells, the waiting task) is freed when the
    command ends, not left for the cycle collector, whose passes stop the event loop."""
    client: AsyncMongoClient[Any] = make_client(mongo_uri)
    collection = client["pathwise_wire"]["cycles"]
    await collection.find_one({})  # connected
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds unreachable is kept in gc.garbage, to be looked at
    try:
        for _ in range(5):
            await collection.find_one({"_id": "none"})
        gc.collect()
        ours = [found for found in gc.garbage
                if getattr(found, "__qualname__", "").startswith(("receive_message.", "sendall"))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        await client.close()
    assert ours == []
