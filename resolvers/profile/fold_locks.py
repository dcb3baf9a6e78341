"""One fold at a time per learner, in this process.

A fold reads a learner's state (streaks, last activity, interest labels) and `$set`s what it computes from it,
so two folds of one learner that overlap would lose the first one's update. Callers that read the state and
write it back hold the learners here for the whole read-compute-write; locks are taken in id order, so two
calls that share learners cannot deadlock, and a learner's entry goes when nobody holds or waits for it.
(Folds of one learner in two server processes can still overlap: that rare case keeps the last write.)
"""

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holders and waiters


class FoldLocks:
    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    @asynccontextmanager
    async def holding(self, user_ids: Iterable[str]) -> AsyncIterator[None]:
        """The learners' folds are this caller's alone until the block ends."""
        held: list[str] = []
        try:
            for user_id in sorted(set(user_ids)):
                entry = self._entries.setdefault(user_id, _Entry())
                entry.users += 1
                try:
                    await entry.lock.acquire()
                except BaseException:
                    self._leave(user_id, entry)
                    raise
                held.append(user_id)
            yield
        finally:
            for user_id in reversed(held):
                entry = self._entries[user_id]
                entry.lock.release()
                self._leave(user_id, entry)

    def _leave(self, user_id: str, entry: _Entry) -> None:
        entry.users -= 1
        if entry.users == 0:
            del self._entries[user_id]

    def __len__(self) -> int:
        return len(self._entries)


FOLD_LOCKS = FoldLocks()
