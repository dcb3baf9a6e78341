"""PyMongo's async round trip as one wait in the calling task: 4 turns of a busy event loop instead of 9.

PyMongo 4.20's async driver sends a command through `asyncio.wait_for` (a task of its own, though its protocol's
`write` never waits) and receives the reply through two more tasks under `asyncio.wait`: the read, and a poll
that ends it when the connection's pool cancels its operations; the loser is then cancelled and awaited. Each
command therefore waits for 9 turns of the event loop (`bench/loop_turns.py`). On a server whose loop runs at
capacity a turn is everyone else's work, so every round trip cost ~9 turns of it, however fast the store
answered: a one-event `trackEvents` makes three round trips one after another, a recommendation computed afresh
three more.

`install()` replaces the two functions the connection pool calls with ones of the same contract that run in the
calling task: the send calls the protocol's `write` directly, and the receive awaits the read itself, with the
reply deadline and the pool's cancellation (checked every `_POLL_TIMEOUT`, as PyMongo does) as timers that
cancel the waiting task, turned into the `TimeoutError` and `_OperationCancelled` PyMongo raises there (the pool
closes the connection after either, as before). A cancellation from outside still propagates as
`CancelledError`. A command then suspends once, for the reply, and takes 4 turns of a busy loop
(`bench/loop_turns.py`: the reply's arrival, the task's wake-up and the caller's), ~10–20% less CPU a command.

This reaches into PyMongo's internals, so it is installed only on the version it was written against (see
`SUPPORTED`; `pyproject.toml` pins it) and only while the pool still calls the functions it replaces; otherwise
the driver is left as it is and a warning says so. `tests/app/core/store/test_wire.py` holds it to PyMongo's
behaviour: replies, reply timeouts, the pool's cancellation, outside cancellation, and one suspension a command.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import pymongo
from pymongo import network_layer as _network_layer
from pymongo.asynchronous import pool as _pool
from pymongo.errors import ProtocolError, _OperationCancelled

SUPPORTED = ((4, 20),)  # PyMongo versions (major, minor) whose pool and network layer this was checked against
log = logging.getLogger("pathwise.store")
network_layer: Any = _network_layer  # their private names are PyMongo's own, on the versions in SUPPORTED
pool: Any = _pool
MAX_MESSAGE_SIZE: int = network_layer.MAX_MESSAGE_SIZE
_STOCK = (network_layer.async_sendall, network_layer.async_receive_message)


async def sendall(conn: Any, buf: bytes) -> None:
    """`network_layer.async_sendall` without its task: `PyMongoProtocol.write` hands the bytes to the transport
    and returns without waiting, so the `wait_for` around it could never time out."""
    await conn.write(buf)


async def receive_message(conn: Any, request_id: int | None, max_message_size: int = MAX_MESSAGE_SIZE) -> Any:
    """`network_layer.async_receive_message`, run in the calling task."""
    timeout: float | None = conn.conn.gettimeout
    deadline: float | None
    if network_layer._csot.get_timeout():
        deadline = network_layer._csot.get_deadline()
    elif timeout:
        deadline = time.monotonic() + timeout
    else:
        deadline = None
    if deadline:  # as PyMongo: an expired deadline still gets one look at the socket
        timeout = max(deadline - time.monotonic(), 0)
    if conn.cancel_context.cancelled:
        raise _OperationCancelled("operation cancelled")
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    why: list[str] = []
    poll: asyncio.TimerHandle

    def check_cancelled(again: Callable[..., None]) -> None:
        # It gets itself as an argument rather than naming itself: a function whose closure holds itself (and
        # the task, the connection) is a reference cycle each command, freed only by the cycle collector, whose
        # passes then held the event loop for 50-170 ms under load (bench/README.md, ninth session, "The cycle
        # collector, and a cycle of ours"). A cancelled handle drops its callback and arguments, so nothing of
        # this outlives the command.
        nonlocal poll
        if conn.cancel_context.cancelled:
            why.append("cancelled")
            task.cancel()
        else:
            poll = loop.call_later(network_layer._POLL_TIMEOUT, again, again)

    def expire() -> None:
        why.append("timeout")
        task.cancel()

    poll = loop.call_later(network_layer._POLL_TIMEOUT, check_cancelled, check_cancelled)
    timer = loop.call_later(timeout, expire) if timeout is not None else None
    try:
        data, op_code = await conn.conn.get_conn.read(request_id, max_message_size)
    except asyncio.CancelledError:
        if why and task.uncancel() == 0:  # our own timer, and nobody else cancelled the task
            if why[0] == "timeout":
                raise TimeoutError("timed out") from None
            raise _OperationCancelled("operation cancelled") from None
        raise
    finally:
        poll.cancel()
        if timer is not None:
            timer.cancel()
    try:
        unpack_reply = network_layer._UNPACK_REPLY[op_code]
    except KeyError:
        raise ProtocolError(f"Got opcode {op_code!r} but expected {network_layer._UNPACK_REPLY.keys()!r}") from None
    return unpack_reply(data)


def installable() -> bool:
    """Whether this PyMongo is one the replacements were checked against, and its pool still calls the stock
    functions (or these)."""
    return (tuple(pymongo.version_tuple[:2]) in SUPPORTED
            and pool.async_sendall in (_STOCK[0], sendall)
            and pool.async_receive_message in (_STOCK[1], receive_message))


def install() -> bool:
    """Make the connection pool use this round trip (idempotent); whether it does."""
    if not installable():
        log.warning("PyMongo %s is not one the store's round trip (app/core/store/wire.py) was checked against: "
                    "its own is used (slower under load)", pymongo.version)
        return False
    pool.async_sendall = sendall
    pool.async_receive_message = receive_message
    return True


def uninstall() -> None:
    """PyMongo's own round trip again (tests compare the two)."""
    pool.async_sendall, pool.async_receive_message = _STOCK
