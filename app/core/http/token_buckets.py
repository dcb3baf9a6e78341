"""Token buckets per client, in this process: each holds up to `capacity` and refills that much per minute."""

import math
import time
from collections.abc import Callable


class TokenBuckets:
    """One bucket per key (a token subject or an IP). At most `max_keys` are kept; the oldest go first (a
    forgotten client starts again with a full bucket)."""

    def __init__(self, capacity: float, period_s: float = 60.0, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        self.rate = capacity / period_s  # per second
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)

    def take(self, key: str, amount: float = 1.0) -> int:
        """Take `amount` from `key`'s bucket and return 0; or, when it holds too little, take nothing and
        return the whole seconds until it will hold enough (what `Retry-After` says)."""
        amount = min(amount, self.capacity)
        now = self.clock()
        tokens, then = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.rate)
        wait = 0 if tokens >= amount else max(1, math.ceil((amount - tokens) / self.rate))
        if len(self._buckets) >= self.max_keys:
            del self._buckets[next(iter(self._buckets))]
        self._buckets[key] = (tokens - amount if wait == 0 else tokens, now)
        return wait
