"""Which learners this process has changed data of, and when.

Every write of a learner's data reports the learner here once it is done: the write helpers do it
(resolvers.learner_writes; resolvers.profile.writes through `profile_written`), never use cases. Answers that
are cached per learner (recommendations) are valid only while their learner has not been reported since
the answer's inputs were read, so a learner's next request reflects what they did a moment ago. Only
writes made through this process are seen: other processes' writes show once the cached answer expires.
"""

import logging
import time
from collections.abc import Callable, Iterable

from app.core.documents import User

log = logging.getLogger("pathwise.learner_changes")

PRUNE_EVERY = 4_096  # reports between two prunings of stamps older than the horizon


class LearnerChanges:
    def __init__(self, horizon_seconds: float = 3_600.0) -> None:
        self.horizon_seconds = horizon_seconds  # stamps older than this are forgotten (caches expire first)
        self._stamps: dict[str, float] = {}
        self._reports = 0

    @staticmethod
    def clock() -> float:
        return time.monotonic()

    def touched(self, user_ids: Iterable[str]) -> None:
        """The learners' data has just changed."""
        now = self.clock()
        for user_id in user_ids:
            self._stamps[user_id] = now
            self._reports += 1
        if self._reports >= PRUNE_EVERY:
            self._prune(now)

    def changed_since(self, user_id: str, since: float) -> bool:
        """Whether the learner was reported at or after `since` (a `clock()` reading)."""
        stamp = self._stamps.get(user_id)
        return stamp is not None and stamp >= since

    def _prune(self, now: float) -> None:
        oldest = now - self.horizon_seconds
        self._stamps = {user_id: stamp for user_id, stamp in self._stamps.items() if stamp >= oldest}
        self._reports = 0

    def __len__(self) -> int:
        return len(self._stamps)


CHANGES = LearnerChanges()  # the process's ledger: written by the write helpers, read by caches


def touched(*user_ids: str) -> None:
    """Report the learners changed; for the write helpers (resolvers.learner_writes), not for use cases."""
    CHANGES.touched(user_ids)


ProfileListener = Callable[[User], None]
_profile_listeners: list[ProfileListener] = []


def on_profile_written(listener: ProfileListener) -> Callable[[], None]:
    """Call `listener` with the learner each time a profile write is done (e.g. to embed the new profile text
    ahead of the learner's next request); returns the function that stops it. Listeners must be quick."""
    _profile_listeners.append(listener)
    return lambda: _profile_listeners.remove(listener) if listener in _profile_listeners else None


def profile_written(user: User) -> None:
    """The learner's profile (goals, interests, free text, job, onboarding) has just been written."""
    touched(user.id)
    for listener in list(_profile_listeners):
        try:
            listener(user)
        except Exception:  # a listener's failure must not fail the write that is already done
            log.exception("a profile listener failed")
