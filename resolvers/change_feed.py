"""Learner changes shared by the server processes on one store: each process publishes the learners its writes
changed (`learner_changes` documents naming them by a keyed hash, a few every `publish_seconds`) and polls for
the other processes' reports every `poll_seconds`, reporting them to its own ledger (`learner_changes.CHANGES`,
as `remote`). So a cached answer or serving state in one process is dropped within about `publish_seconds +
poll_seconds` of a write through another (tests/app/test_workers.py). Reports carry the writer's clock; a poll
looks `overlap_seconds` back to allow for skew between hosts and for reports inserted late, and skips what it has
already seen.
"""

import asyncio
import contextlib
import functools
import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from app.core.documents import CHANGE_TTL_SECONDS, LearnerChange
from resolvers.learner_changes import CHANGES, LearnerChanges

log = logging.getLogger("pathwise.change_feed")
IDS_PER_REPORT = 1_000


class ChangeFeed:
    def __init__(self, key: bytes, changes: LearnerChanges = CHANGES, publish_seconds: float = 0.1,
                 poll_seconds: float = 0.25, overlap_seconds: float = 2.0) -> None:
        self.changes, self.publish_seconds, self.poll_seconds = changes, publish_seconds, poll_seconds
        self._key = key
        changes.pseudonym = self.pseudonym
        self.overlap_seconds = overlap_seconds
        self.process = uuid.uuid4().hex
        self._outgoing: dict[str, None] = {}
        self._seen: dict[str, float] = {}  # report id -> its `at`
        self._since = time.time()  # older reports concern answers this process never made
        self._tasks: list[asyncio.Task[None]] = []
        self._stop_listening: Callable[[], None] = lambda: None
        self.published = self.received = 0

    def start(self) -> None:
        self._stop_listening = self.changes.on_touched(self._local)
        self._tasks = [asyncio.create_task(self._every(self.publish_seconds, self.publish), name="change-feed-out"),
                       asyncio.create_task(self._every(self.poll_seconds, self.poll), name="change-feed-in")]

    async def stop(self) -> None:
        self._stop_listening()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2.0)
        with contextlib.suppress(Exception):  # the last reports, if the store answers
            await asyncio.wait_for(self.publish(), 2.0)

    @functools.lru_cache(maxsize=100_000)  # noqa: B019 - one feed per process, kept for its life
    def pseudonym(self, user_id: str) -> str:
        """How the reports name a learner: a keyed hash of the id (the deployment's audit key), so the
        collection holds no learner id (an erasure leaves none behind) and one process's name for a learner is
        every process's."""
        return hmac.new(self._key, user_id.encode(), hashlib.sha256).hexdigest()[:32]

    def _local(self, user_ids: list[str], remote: bool) -> None:
        if not remote:
            self._outgoing.update(dict.fromkeys(user_ids))

    async def publish(self) -> None:
        """Store the reports of the learners changed here since the last call."""
        if not self._outgoing:
            return
        ids, self._outgoing = list(self._outgoing), {}
        now = time.time()
        expires = datetime.now(UTC) + timedelta(seconds=CHANGE_TTL_SECONDS)
        names = [self.pseudonym(user_id) for user_id in ids]
        reports = [{"_id": uuid.uuid4().hex, "process": self.process, "learners": names[start:start + IDS_PER_REPORT],
                    "at": now, "expires_at": expires} for start in range(0, len(names), IDS_PER_REPORT)]
        try:
            await LearnerChange.get_pymongo_collection().insert_many(reports, ordered=False)
        except Exception:
            self._outgoing.update(dict.fromkeys(ids))  # sent again at the next call
            raise
        self._since = max(self._since, now)  # as a poll would, seeing them (polls ask for the others' only)
        self.published += len(ids)

    async def poll(self) -> int:
        """Report the other processes' new changes to this process's ledger; how many learners. Its own reports
        are left in the store: each poll looks `overlap_seconds` back, so it would read each of them ~8 times, and
        on the embedded store those reads held other commands (one command at a time) ~5 ms each poll."""
        cursor = LearnerChange.get_pymongo_collection().find(
            {"at": {"$gt": self._since - self.overlap_seconds}, "process": {"$ne": self.process}},
            {"process": 1, "learners": 1, "at": 1})
        changed: dict[str, None] = {}
        for report in await cursor.to_list():
            if report["_id"] in self._seen:
                continue
            at = float(report["at"])
            self._seen[report["_id"]] = at
            self._since = max(self._since, at)
            changed.update(dict.fromkeys(report.get("learners", [])))
        horizon = self._since - 2 * self.overlap_seconds
        self._seen = {key: at for key, at in self._seen.items() if at >= horizon}
        if changed:
            self.changes.touched(changed, remote=True)
            self.received += len(changed)
        return len(changed)

    async def _every(self, seconds: float, work: Callable[[], Any]) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await work()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the store is away: try again at the next tick
                log.warning("the change feed could not reach the store: %s", type(error).__name__)
