"""Learners' serving states: per learner, what was read from their documents and made ready for the recommenders
(`preparation.Prepared`, with the candidate lists already asked for it), so that an answer the answer cache does
not hold is computed without reading the learner's documents or asking the recommenders again.

An entry is exact, not merely recent: it is dropped once its learner is reported changed (`learner_changes`,
which also hears other server processes' writes through the change feed) after its inputs were read, and
whenever the service loads a new artifact or catalog. What drifts with time alone (reviews falling due,
interests and mastery decaying) is refreshed in the background once an entry is older than `refresh_seconds`,
while it goes on being served. Learners reported changed whose state was kept are queued (`pending`) for the
state keeper to rebuild at once, ahead of their next request, if it served them in the last
`ACTIVE_SECONDS`. Least recently used entries go first beyond
`size`.

A state is built once at a time per learner: a request that finds none while one is being built (the keeper
rebuilding it after a write, or another request) waits for that build instead of making its own, if the build
read the learner after their last change (`in_flight`). Under load a rebuild takes a while, and the learner's
next request would otherwise build the same state again beside it.
"""

import asyncio
from collections import OrderedDict
from typing import Generic, TypeVar

from resolvers.learner_changes import CHANGES, LearnerChanges

Value = TypeVar("Value")
MAX_PENDING = 10_000  # learners waiting for a rebuild; beyond, a changed learner's state is rebuilt when asked
ACTIVE_SECONDS = 900.0  # a changed learner's state is rebuilt ahead only if it served them this recently


class ServingStates(Generic[Value]):
    def __init__(self, size: int, refresh_seconds: float, changes: LearnerChanges = CHANGES) -> None:
        self.size, self.refresh_seconds, self.changes = size, refresh_seconds, changes
        self._entries: OrderedDict[str, tuple[Value, float]] = OrderedDict()
        self._used: dict[str, float] = {}  # learner -> when their state last served them
        self._cleared_at = float("-inf")
        self._pending: dict[str, None] = {}  # insertion-ordered set
        self._building: dict[str, tuple[float, asyncio.Future[Value | None]]] = {}  # learner -> (read at, result)
        self._wake = asyncio.Event()
        self.hits = self.misses = self.rebuilt = 0

    @property
    def enabled(self) -> bool:
        return self.size > 0

    def clock(self) -> float:
        """Take this reading before reading the learner's data; pass it to `put`."""
        return self.changes.clock()

    def get(self, user_id: str) -> tuple[Value | None, bool]:
        """The learner's state if it is still exact, and whether it is due for a refresh."""
        entry = self._entries.get(user_id)
        if entry is None or self.changes.changed_since(user_id, entry[1]):
            if entry is not None:
                del self._entries[user_id]  # `_used` is kept: a learner active lately is rebuilt ahead
            self.misses += 1
            return None, False
        self._entries.move_to_end(user_id)
        self.hits += 1
        now = self.clock()
        self._used[user_id] = now
        return entry[0], now - entry[1] >= self.refresh_seconds

    def holds(self, user_id: str) -> bool:
        """Whether an exact state of the learner is kept (not counted as a hit or a miss)."""
        entry = self._entries.get(user_id)
        return entry is not None and not self.changes.changed_since(user_id, entry[1])

    def put(self, user_id: str, value: Value, read_at: float) -> bool:
        """Keep `value`, unless its inputs may be older than a newer model, catalog or write of the learner."""
        if not self.enabled or read_at <= self._cleared_at or self.changes.changed_since(user_id, read_at):
            return False
        self._entries[user_id] = (value, read_at)
        self._entries.move_to_end(user_id)
        self._used.setdefault(user_id, read_at)
        while len(self._entries) > self.size:
            self._used.pop(self._entries.popitem(last=False)[0], None)
        return True

    def clear(self) -> None:
        """Drop every state, and refuse those whose inputs were read before now."""
        self._entries.clear()
        self._used.clear()
        self._cleared_at = self.clock()

    # one build at a time per learner ---------------------------------------------------------------------------
    def in_flight(self, user_id: str) -> "asyncio.Future[Value | None] | None":
        """The build of the learner's state under way, if its reads began after their last change (its result is
        None if it failed)."""
        found = self._building.get(user_id)
        if found is None or found[1].done() or self.changes.changed_since(user_id, found[0]):
            return None
        return found[1]

    def building(self, user_id: str, read_at: float) -> "asyncio.Future[Value | None]":
        """Say a build of the learner's state has begun (reads from `read_at` on); `built` says it ended."""
        future: asyncio.Future[Value | None] = asyncio.get_running_loop().create_future()
        self._building[user_id] = (read_at, future)
        return future

    def built(self, user_id: str, future: "asyncio.Future[Value | None]", value: Value | None) -> None:
        """The build `building` gave `future` for ended with `value` (None: it failed); whoever waits gets it."""
        if user_id in self._building and self._building[user_id][1] is future:
            del self._building[user_id]
        if not future.done():
            future.set_result(value)

    # rebuilding ahead of requests -----------------------------------------------------------------------------
    def touched(self, user_ids: list[str]) -> None:
        """Learners just reported changed through this process: their states are dropped, and those that served
        them lately are queued for a rebuild."""
        recent = self.clock() - ACTIVE_SECONDS
        for user_id in user_ids:
            self._entries.pop(user_id, None)  # stale now: what it holds of the learner goes at once (erasure)
            used = self._used.get(user_id)
            if used is not None and used < recent:
                del self._used[user_id]  # gone a while: forgotten
            elif used is not None and used >= recent and len(self._pending) < MAX_PENDING:
                self._pending[user_id] = None
        if self._pending:
            self._wake.set()

    def refresh_later(self, user_id: str) -> None:
        """Queue the learner's state for a rebuild (it is due for a refresh)."""
        if len(self._pending) < MAX_PENDING:
            self._pending[user_id] = None
            self._wake.set()

    async def next_pending(self) -> str:
        """The next learner to rebuild, once there is one."""
        while not self._pending:
            self._wake.clear()
            await self._wake.wait()
        user_id = next(iter(self._pending))
        del self._pending[user_id]
        return user_id

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)
