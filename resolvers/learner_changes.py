"""Which learners this process has changed data of, and when.

Every write of a learner's data reports the learner here once it is done: the write helpers do it
(resolvers.learner_writes; resolvers.profile.writes through `profile_written`), never use cases. Answers that
are cached per learner (recommendations) are valid only while their learner has not been reported since
the answer's inputs were read, so a learner's next request reflects what they did a moment ago. Other server
processes' writes arrive through the change feed (`resolvers.change_feed`), which reports them here as `remote`,
named by their pseudonym (`pseudonym`, a keyed hash: no learner id is stored for the feed).
Listeners (`on_touched`) hear every report: the change feed publishes the local ones, the serving states queue
rebuilds.
"""

import logging
import time
from collections.abc import Callable, Iterable

from app.core.documents import User

log = logging.getLogger("pathwise.learner_changes")

PRUNE_EVERY = 4_096  # reports between two prunings of stamps older than the horizon
TouchListener = Callable[[list[str], bool], None]  # (learner ids, or pseudonyms when reported by another process)


class LearnerChanges:
    def __init__(self, horizon_seconds: float = 3_600.0) -> None:
        self.horizon_seconds = horizon_seconds  # stamps older than this are forgotten (caches expire first)
        self._stamps: dict[str, float] = {}
        self._remote: dict[str, float] = {}  # other processes' reports, by learner pseudonym
        self._reports = 0
        self._listeners: list[TouchListener] = []
        self.pseudonym: Callable[[str], str] | None = None  # set by the change feed: how reports name learners

    @staticmethod
    def clock() -> float:
        return time.monotonic()

    def touched(self, user_ids: Iterable[str], remote: bool = False) -> None:
        """The learners' data has just changed; `remote`: another process reported them, by pseudonym."""
        now = self.clock()
        ids = list(user_ids)
        stamps = self._remote if remote else self._stamps
        for user_id in ids:
            stamps[user_id] = now
            self._reports += 1
        if self._reports >= PRUNE_EVERY:
            self._prune(now)
        for listener in list(self._listeners):
            try:
                listener(ids, remote)
            except Exception:  # a listener's failure must not fail the write that is already done
                log.exception("a learner-change listener failed")

    def on_touched(self, listener: TouchListener) -> Callable[[], None]:
        """Call `listener` with every report (quick work only); returns the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def changed_since(self, user_id: str, since: float) -> bool:
        """Whether the learner was reported at or after `since` (a `clock()` reading)."""
        stamp = self._stamps.get(user_id)
        if stamp is not None and stamp >= since:
            return True
        if not self._remote or self.pseudonym is None:
            return False
        remote = self._remote.get(self.pseudonym(user_id))
        return remote is not None and remote >= since

    def _prune(self, now: float) -> None:
        oldest = now - self.horizon_seconds
        self._stamps = {user_id: stamp for user_id, stamp in self._stamps.items() if stamp >= oldest}
        self._remote = {name: stamp for name, stamp in self._remote.items() if stamp >= oldest}
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
