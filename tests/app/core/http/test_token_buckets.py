"""Token buckets: a full bucket per new client, refilled per minute, and how long to wait when empty."""

from app.core.http.token_buckets import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_client_may_spend_its_capacity_then_waits_for_the_refill() -> None:
    clock = Clock()
    buckets = TokenBuckets(60, clock=clock)  # one per second
    assert [buckets.take("a") for _ in range(60)] == [0] * 60
    assert buckets.take("a") == 1
    assert buckets.take("a", 10) == 10  # nothing was taken by the refused calls
    clock.now = 10.0
    assert buckets.take("a", 10) == 0


def test_clients_have_their_own_buckets() -> None:
    buckets = TokenBuckets(2, clock=Clock())
    assert buckets.take("a", 2) == 0
    assert buckets.take("a") == 30
    assert buckets.take("b") == 0


def test_more_than_the_capacity_needs_a_full_bucket() -> None:
    clock = Clock()
    buckets = TokenBuckets(100, clock=clock)
    assert buckets.take("a", 500) == 0
    assert buckets.take("a", 500) == 60
    clock.now = 60.0
    assert buckets.take("a", 500) == 0


def test_the_oldest_clients_are_forgotten_beyond_max_keys() -> None:
    buckets = TokenBuckets(1, max_keys=2, clock=Clock())
    for key in ("a", "b", "c"):
        assert buckets.take(key) == 0
    assert buckets.take("a") == 0  # forgotten, so full again
    assert buckets.take("c") == 60
