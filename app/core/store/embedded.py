"""The embedded store: an `nx-27017` child process (MongoDB wire protocol over SQLite).

One owner per data dir, enforced with an advisory lock on `store.lock`: the owner
starts the child on a free loopback port and records it in `store.json`; any
other Pathwise process on the same data dir reads that file and shares the
owner's store. The child dies with its owner (PR_SET_PDEATHSIG); a child left
by an owner killed some other way is found through `store.json` and replaced.
"""

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from app.core.store.supervision import Supervisor

START_TIMEOUT_S = 30.0
# The child asks to be killed when its parent dies (PR_SET_PDEATHSIG), and quits if that already happened; it
# does so itself, not in a preexec_fn, which is unsafe in a threaded parent (the supervisor restarts it from a
# thread). nx-27017 logs every command at INFO and neosqlite every query fallback at WARNING: keep the log small.
_PARENT_ENV = "PATHWISE_STORE_PARENT_PID"
_QUIET_MAIN = (
    "import ctypes, os, signal; ctypes.CDLL(None).prctl(1, signal.SIGKILL); "
    f"os.getppid() == int(os.environ['{_PARENT_ENV}']) or os._exit(1); "
    "import logging; logging.getLogger('nx_27017').setLevel(logging.WARNING); "
    "logging.getLogger('neosqlite').setLevel(logging.ERROR); "
    "from nx_27017.nx_27017 import main; raise SystemExit(main())"
)


class EmbeddedStoreError(RuntimeError):
    """The embedded store could not be started or reached."""


@dataclass(frozen=True)
class StoreState:
    uri: str
    child_pid: int
    owner_pid: int
    owner: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, exited but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


def _is_store_process(pid: int, store_dir: Path) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    text = [part.decode(errors="replace") for part in cmdline]
    return any("nx_27017" in part or "nx-27017" in part for part in text) and str(store_dir) in text


def _terminate(pid: int, timeout_s: float = 5.0) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and _pid_alive(pid):
            time.sleep(0.05)
        if _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


def ping(uri: str, timeout_s: float = 1.0) -> bool:
    """Whether a MongoDB-protocol server answers at `uri`."""
    client: MongoClient[dict[str, Any]] = MongoClient(
        uri, serverSelectionTimeoutMS=int(timeout_s * 1000), directConnection=True
    )
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


class EmbeddedStore:
    """The embedded store of one data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.store_dir = self.data_dir / "store"
        self.state_path = self.data_dir / "store.json"
        self.lock_path = self.data_dir / "store.lock"
        self._lock_file: IO[str] | None = None
        self._child: subprocess.Popen[bytes] | None = None
        self._state: StoreState | None = None

    def read_state(self) -> StoreState | None:
        try:
            raw = json.loads(self.state_path.read_text())
            return StoreState(**raw)
        except (OSError, ValueError, TypeError):
            return None

    def try_lock(self) -> bool:
        """Take the owner's lock if nobody holds it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock_file = self.lock_path.open("a+")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            return False
        self._lock_file = lock_file
        return True

    def start(self, owner: str) -> StoreState:
        """Start the child (the lock must be held), replacing a stale one."""
        self._replace_stale()
        self.store_dir.mkdir(parents=True, exist_ok=True)
        for _attempt in range(3):
            port = _free_port()
            uri = f"mongodb://127.0.0.1:{port}/?directConnection=true"
            self._child = self._spawn(port)
            if self._wait_ready(uri):
                return self._record(StoreState(uri, self._child.pid, os.getpid(), owner))
            _terminate(self._child.pid)
        raise EmbeddedStoreError(f"the embedded store did not start; see {self.store_dir / 'nx.log'}")

    def _record(self, state: StoreState) -> StoreState:
        self._state = state
        self.state_path.write_text(json.dumps(state.__dict__))
        return state

    def exit_code(self) -> int | None:
        """The child's exit status once it has died (reaping it), else None."""
        return self._child.poll() if self._child is not None else None

    def restart(self, cancelled: threading.Event) -> int:
        """Start the child again on the same data and port (clients reconnect by themselves); its pid."""
        if self._state is None:
            raise EmbeddedStoreError("the embedded store was never started")
        port = int(self._state.uri.rsplit(":", 1)[1].split("/", 1)[0])
        self._child = self._spawn(port)
        if not self._wait_ready(self._state.uri, cancelled):
            _terminate(self._child.pid)
            self._child.wait()
            raise EmbeddedStoreError(f"it did not answer on port {port}; see {self.store_dir / 'nx.log'}")
        return self._record(StoreState(self._state.uri, self._child.pid, os.getpid(), self._state.owner)).child_pid

    def _spawn(self, port: int) -> "subprocess.Popen[bytes]":
        command = [
            sys.executable, "-c", _QUIET_MAIN,
            "--data-dir", str(self.store_dir), "--host", "127.0.0.1", "--port", str(port),
            "--log-file", str(self.store_dir / "nx.log"), "--pid-file", str(self.store_dir / "nx.pid"),
        ]
        return subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, close_fds=True, env={**os.environ, _PARENT_ENV: str(os.getpid())},
        )

    def _wait_ready(self, uri: str, cancelled: threading.Event | None = None) -> bool:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and not (cancelled and cancelled.is_set()):
            if self._child is not None and self._child.poll() is not None:
                return False
            if ping(uri, timeout_s=0.5):
                return True
            time.sleep(0.05)
        return False

    def _replace_stale(self) -> None:
        state = self.read_state()
        if state and _pid_alive(state.child_pid) and _is_store_process(state.child_pid, self.store_dir):
            _terminate(state.child_pid)
        with contextlib.suppress(FileNotFoundError):
            self.state_path.unlink()

    def terminate(self) -> None:
        """Stop the child, if any, and forget its state."""
        if self._child is not None:
            _terminate(self._child.pid)
            self._child.wait()
            self._child = None
            with contextlib.suppress(FileNotFoundError):
                self.state_path.unlink()

    def stop(self) -> None:
        """Stop the child and release the lock."""
        self.terminate()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def shared_state(self) -> StoreState:
        """The running owner's store, for a process that could not take the lock."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            state = self.read_state()
            if state and ping(state.uri):
                return state
            time.sleep(0.1)
        raise EmbeddedStoreError(
            f"{self.data_dir} is locked by another Pathwise process but its store does not answer"
        )


@contextlib.contextmanager
def embedded_store(data_dir: Path, owner: str, exclusive: bool = False,
                   restart_max_s: float | None = None) -> Iterator[StoreState]:
    """Yield a running store for `data_dir`: our own child, or (unless `exclusive`) the owner's. With
    `restart_max_s`, our own child is restarted whenever it dies, waiting at most that long in between."""
    store = EmbeddedStore(data_dir)
    if not store.try_lock():
        state = store.read_state()
        if exclusive:
            who = f"pid {state.owner_pid} ({state.owner})" if state else "another process"
            raise EmbeddedStoreError(f"{store.data_dir} is already served by {who}; stop it first")
        yield store.shared_state()
        return
    supervisor: Supervisor | None = None
    try:
        state = store.start(owner)
        if restart_max_s is not None:
            supervisor = Supervisor(store, "the embedded store", max_backoff_s=restart_max_s)
            supervisor.start()
        yield state
    finally:
        if supervisor is not None:
            supervisor.stop()
        store.stop()
