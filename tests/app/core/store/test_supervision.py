"""app.core.store.supervision: a dead child is restarted (again and again while it fails, waiting longer each time), every
restart is counted, and stopping supervision stops the child."""

import threading
import time

import pytest

from app.core.store.supervision import Supervisor, restart_count


class FakeChild:
    """A child the test kills; its restarts fail `failures` times first."""

    def __init__(self, failures: int = 0) -> None:
        self.dead: int | None = None
        self.failures = failures
        self.attempts: list[float] = []
        self.terminated = threading.Event()
        self.pid = 100

    def exit_code(self) -> int | None:
        return self.dead

    def restart(self, cancelled: threading.Event) -> int:
        self.attempts.append(time.monotonic())
        if len(self.attempts) <= self.failures:
            raise RuntimeError("port taken")
        self.dead, self.pid = None, self.pid + 1
        return self.pid

    def terminate(self) -> None:
        self.terminated.set()


def wait_until(condition: object, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.01)
    pytest.fail("the condition did not come true in time")


def test_a_dead_child_is_restarted_and_counted() -> None:
    child = FakeChild()
    supervisor = Supervisor(child, "fake", max_backoff_s=0.05, poll_s=0.01)
    before = restart_count()
    supervisor.start()
    try:
        child.dead = -9
        wait_until(lambda: supervisor.restarts == 1)
        assert child.pid == 101 and child.exit_code() is None
        assert restart_count() == before + 1
        child.dead = -9
        wait_until(lambda: supervisor.restarts == 2)
    finally:
        supervisor.stop()
    assert child.terminated.is_set(), "stopping supervision stops the child"


def test_failed_restarts_are_retried_with_a_growing_capped_delay() -> None:
    child = FakeChild(failures=3)
    supervisor = Supervisor(child, "fake", max_backoff_s=0.16, min_backoff_s=0.02, poll_s=0.01)
    supervisor.start()
    try:
        child.dead = 1
        wait_until(lambda: supervisor.restarts == 1)
    finally:
        supervisor.stop()
    gaps = [later - earlier for earlier, later in zip(child.attempts, child.attempts[1:], strict=False)]
    assert len(child.attempts) == 4
    assert gaps[0] >= 0.07 and gaps[1] >= 0.15, gaps  # 0.08, then 0.16 (capped)
    assert gaps[2] < 0.5


def test_stop_interrupts_the_wait_before_a_restart() -> None:
    child = FakeChild()
    supervisor = Supervisor(child, "fake", max_backoff_s=30, min_backoff_s=30, poll_s=0.01)
    supervisor.start()
    child.dead = -9
    time.sleep(0.05)
    started = time.monotonic()
    supervisor.stop()
    assert time.monotonic() - started < 1
    assert child.attempts == [] and child.terminated.is_set()
