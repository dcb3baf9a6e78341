"""Recommendation lists cached per learner and question, Gorse-style, but never stale for what this
process knows: an entry is served only while it is younger than its time to live, its learner has not
been reported changed (`learner_changes`) since its inputs were read, and the service has not loaded a new
artifact or catalog since (the service clears the cache then). Fallback answers are not cached, so a late
recommender gets its next chance at once. Least recently used entries go first beyond `size`.

An entry may also keep renderings of its answer, each under its renderer's key (the API keeps the response it
made of the answer for one query document: `schema/recommendations/replay.py`); they go with the entry.
"""

import itertools
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from app.core import metrics
from resolvers.learner_changes import CHANGES, LearnerChanges

Value = TypeVar("Value")
MAX_RENDERINGS = 4  # renderings kept per entry (query documents asking the same question), latest first kept


@dataclass(frozen=True)
class _Entry(Generic[Value]):
    value: Value
    read_at: float  # the `LearnerChanges.clock()` reading taken before the learner's data was read
    serial: int  # unique to this entry: a rendering is kept only on the entry it was made of
    renderings: dict[Hashable, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Kept(Generic[Value]):
    """A cached value, and which entry holds it (for `render` and `rendering`)."""

    value: Value
    question: Hashable
    serial: int


class LearnerCache(Generic[Value]):
    def __init__(self, seconds: float, size: int, changes: LearnerChanges = CHANGES) -> None:
        self.seconds, self.size, self.changes = seconds, size, changes
        self._entries: OrderedDict[tuple[str, Hashable], _Entry[Value]] = OrderedDict()
        self.hits = self.misses = 0
        self._cleared_at = float("-inf")
        self._serials = itertools.count(1)

    @property
    def enabled(self) -> bool:
        return self.seconds > 0 and self.size > 0

    def clock(self) -> float:
        """Take this reading before reading the learner's data; pass it to `put`."""
        return self.changes.clock()

    def get(self, user_id: str, question: Hashable) -> Value | None:
        kept = self.kept(user_id, question)
        return None if kept is None else kept.value

    def kept(self, user_id: str, question: Hashable) -> Kept[Value] | None:
        """The value cached for the learner's question while it is fresh (a hit or a miss, counted)."""
        entry = self._fresh_entry(user_id, question)
        if entry is None:
            self.misses += 1
            metrics.cache_lookup(hit=False)
            return None
        self.hits += 1
        metrics.cache_lookup(hit=True)
        return Kept(entry.value, question, entry.serial)

    def put(self, user_id: str, question: Hashable, value: Value, read_at: float) -> Kept[Value] | None:
        """Cache `value`; the entry holding it, or None when it is refused."""
        if not self.enabled or read_at <= self._cleared_at or self.changes.changed_since(user_id, read_at):
            return None  # off, or its inputs may be older than a newer model, catalog or learner write
        entry = _Entry(value, read_at, next(self._serials))
        self._entries[(user_id, question)] = entry
        self._entries.move_to_end((user_id, question))
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return Kept(value, question, entry.serial)

    def render(self, user_id: str, kept: Kept[Value], key: Hashable, rendering: object) -> None:
        """Keep `rendering` (made of `kept.value`) under `key`, while the entry that held it is still cached."""
        entry = self._entries.get((user_id, kept.question))
        if entry is not None and entry.serial == kept.serial:
            entry.renderings.pop(key, None)
            entry.renderings[key] = rendering
            while len(entry.renderings) > MAX_RENDERINGS:  # a caller varying its query text keeps only the latest
                del entry.renderings[next(iter(entry.renderings))]

    def rendering(self, user_id: str, question: Hashable, key: Hashable) -> tuple[Value, object] | None:
        """The fresh cached value for the question and its rendering under `key` (a hit, counted), or None (not
        counted: the caller goes on to `kept`)."""
        entry = self._fresh_entry(user_id, question)
        rendering = None if entry is None else entry.renderings.get(key)
        if entry is None or rendering is None:
            return None
        self.hits += 1
        metrics.cache_lookup(hit=True)
        return entry.value, rendering

    def _fresh_entry(self, user_id: str, question: Hashable) -> _Entry[Value] | None:
        entry = self._entries.get((user_id, question))
        if entry is not None and self._fresh(user_id, entry):
            self._entries.move_to_end((user_id, question))
            return entry
        if entry is not None:
            del self._entries[(user_id, question)]
        return None

    def clear(self) -> None:
        """Drop every entry, and refuse those whose inputs were read before now."""
        self._entries.clear()
        self._cleared_at = self.clock()

    def _fresh(self, user_id: str, entry: _Entry[Value]) -> bool:
        return (self.clock() - entry.read_at < self.seconds
                and not self.changes.changed_since(user_id, entry.read_at))

    def __len__(self) -> int:
        return len(self._entries)
