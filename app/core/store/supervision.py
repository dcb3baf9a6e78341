"""Supervision of a child process: its death is noticed (the child reaped, never left a zombie), it is
started again after a delay that doubles while it keeps dying, and every restart is logged and counted."""

import logging
import threading
import time
from typing import Protocol

log = logging.getLogger("pathwise.store")

class _Counter:
    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def add(self) -> int:
        with self._lock:
            self.value += 1
            return self.value


_RESTARTS = _Counter()


def restart_count() -> int:
    """Restarts of supervised children in this process since it started (for metrics)."""
    return _RESTARTS.value


class Child(Protocol):
    def exit_code(self) -> int | None:
        """The exit status once the child has died (reaping it), else None."""

    def restart(self, cancelled: threading.Event) -> int:
        """Start the child again (giving up once `cancelled` is set); its pid. Raises if it does not start."""

    def terminate(self) -> None:
        """Stop the child, if it runs."""


class Supervisor:
    """Keeps one child running from a thread of its own, which also starts and stops it: a child's
    parent-death signal (PR_SET_PDEATHSIG) is bound to the thread that started it."""

    def __init__(self, child: Child, name: str, max_backoff_s: float = 5.0, min_backoff_s: float = 0.1,
                 poll_s: float = 0.1, stable_s: float = 30.0) -> None:
        self.child, self.name = child, name
        self.max_backoff_s, self.min_backoff_s = max_backoff_s, min(min_backoff_s, max_backoff_s)
        self.poll_s, self.stable_s = poll_s, stable_s
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"supervise {name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop supervising and stop the child."""
        self._stopping.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        delay, started = self.min_backoff_s, time.monotonic()
        try:
            while not self._stopping.wait(self.poll_s):
                code = self.child.exit_code()
                if code is None:
                    continue
                stable = time.monotonic() - started >= self.stable_s
                delay = self.min_backoff_s if stable else min(delay * 2, self.max_backoff_s)
                log.error("%s died (exit status %s); restarting it in %.1f s", self.name, code, delay)
                delay = self._restart(delay)
                started = time.monotonic()
        finally:
            self.child.terminate()

    def _restart(self, delay: float) -> float:
        """Restart the child, retrying with a growing delay until it runs or supervision stops; the last delay."""
        while not self._stopping.wait(delay):
            try:
                pid = self.child.restart(self._stopping)
            except Exception as error:  # noqa: BLE001 - logged, then retried
                if self._stopping.is_set():
                    break
                delay = min(delay * 2, self.max_backoff_s)
                log.error("%s did not restart (%s); next try in %.1f s", self.name, error, delay)
                continue
            self.restarts += 1
            log.warning("%s restarted (pid %d; restart %d of this process)", self.name, pid, _RESTARTS.add())
            break
        return delay
