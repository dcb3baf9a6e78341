"""Recommendation lists cached per learner and question, Gorse-style, but never stale for what this
process knows: an entry is served only while it is younger than its time to live, its learner has not
been reported changed (`learner_changes`) since its inputs were read, and the service has not loaded a new
artifact or catalog since (the service clears the cache then). Fallback answers are not cached, so a late
recommender gets its next chance at once. Least recently used entries go first beyond `size`.
"""

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.core import metrics
from resolvers.learner_changes import CHANGES, LearnerChanges

Value = TypeVar("Value")


@dataclass(frozen=True)
class _Entry(Generic[Value]):
    value: Value
    read_at: float  # the `LearnerChanges.clock()` reading taken before the learner's data was read


class LearnerCache(Generic[Value]):
    def __init__(self, seconds: float, size: int, changes: LearnerChanges = CHANGES) -> None:
        self.seconds, self.size, self.changes = seconds, size, changes
        self._entries: OrderedDict[tuple[str, Hashable], _Entry[Value]] = OrderedDict()
        self.hits = self.misses = 0
        self._cleared_at = float("-inf")

    @property
    def enabled(self) -> bool:
        return self.seconds > 0 and self.size > 0

    def clock(self) -> float:
        """Take this reading before reading the learner's data; pass it to `put`."""
        return self.changes.clock()

    def get(self, user_id: str, question: Hashable) -> Value | None:
        entry = self._entries.get((user_id, question))
        if entry is not None and self._fresh(user_id, entry):
            self._entries.move_to_end((user_id, question))
            self.hits += 1
            metrics.cache_lookup(hit=True)
            return entry.value
        if entry is not None:
            del self._entries[(user_id, question)]
        self.misses += 1
        metrics.cache_lookup(hit=False)
        return None

    def put(self, user_id: str, question: Hashable, value: Value, read_at: float) -> None:
        if not self.enabled or read_at <= self._cleared_at or self.changes.changed_since(user_id, read_at):
            return  # off, or its inputs may be older than a newer model, catalog or learner write
        self._entries[(user_id, question)] = _Entry(value, read_at)
        self._entries.move_to_end((user_id, question))
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry, and refuse those whose inputs were read before now."""
        self._entries.clear()
        self._cleared_at = self.clock()

    def _fresh(self, user_id: str, entry: _Entry[Value]) -> bool:
        return (self.clock() - entry.read_at < self.seconds
                and not self.changes.changed_since(user_id, entry.read_at))

    def __len__(self) -> int:
        return len(self._entries)
