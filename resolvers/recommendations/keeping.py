"""Keeping learners' serving states ready ahead of their requests (`states`): a learner's state is rebuilt in the
background right after a write changes them (or once it is due for a refresh), with the candidate list of their
usual question (`auto`, no filters, 10 courses) asked of the recommenders, so their next request is a lookup plus
the request's own exclusions, filters and context. At start-up, learners' states are built (up to the states'
size, within a time limit) before the server says it is ready (`warm`), so a restart is not felt by learners.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from app.core.documents import Purpose, User
from app.core.encryption.sealed_fields import iterate_opened
from app.core.timestamps import utcnow
from recommenders.base import RecommendationRequest
from resolvers.courses.snapshot import CourseFilters
from resolvers.learner_changes import CHANGES
from resolvers.purposes import default_purposes
from resolvers.recommendations.preparation import LearnerRecords, Prepared, prepare, read_records
from resolvers.recommendations.service import AUTO, Outcome, RecommendationService

log = logging.getLogger("pathwise.recommendations")
CANDIDATE_FACTOR = 4  # candidates asked of a recommender per course to show, when the list is re-ranked
USUAL_FIRST = 10


def candidates_wanted(prepared: Prepared, first: int, reranked: bool) -> int:
    """How many candidates a question needs of its recommender."""
    rerank = reranked or prepared.knowledge is not None or bool(prepared.declared)
    return first * CANDIDATE_FACTOR if rerank else first


async def candidates(service: RecommendationService, prepared: Prepared, name: str, filters: CourseFilters,
                     k: int, now: datetime) -> Outcome:
    """`name`'s candidates for the learner: as asked before for this state, or asked now (kept unless late,
    failed or provisional)."""
    question = (name, filters, k)
    found = prepared.outcomes.get(question)
    if found is not None:
        return found
    request = RecommendationRequest(prepared.learner, k, prepared.exclude, service.catalog.allowed(filters), now)
    outcome = await service.recommend(name, request)
    if not outcome.fallback and not outcome.provisional:
        prepared.outcomes[question] = outcome
    return outcome


async def serving_state(service: RecommendationService, user_id: str,
                        records: Callable[[], Awaitable[LearnerRecords]], now: datetime, half_life_days: float,
                        defaults: set[Purpose]) -> Prepared:
    """The learner's serving state: kept, or built now from `records()` (and kept)."""
    states = service.states
    found, due = states.get(user_id)
    if isinstance(found, Prepared):
        if due:
            states.refresh_later(user_id)
        return found
    flight = states.in_flight(user_id)  # being built from reads made since the learner last changed: wait for it
    joined = await asyncio.shield(flight) if flight is not None else None
    if isinstance(joined, Prepared):
        return joined
    read_at = states.clock()
    future, prepared = states.building(user_id, read_at), None
    try:
        prepared = await prepare(service, await records(), now, half_life_days, defaults)
        states.put(user_id, prepared, read_at)
        return prepared
    finally:
        states.built(user_id, future, prepared)


class StateKeeper:
    """Rebuilds the serving states of changed learners, one at a time, in this event loop."""

    def __init__(self, service: RecommendationService) -> None:
        self.service = service
        self._task: asyncio.Task[None] | None = None
        self._stop_listening: Callable[[], None] = lambda: None

    def start(self) -> None:
        # another process's changes name learners by pseudonym: their states are dropped, rebuilt when asked
        self._stop_listening = CHANGES.on_touched(self._touched)
        self._task = asyncio.create_task(self._run(), name="serving-states")

    def _touched(self, user_ids: list[str], remote: bool) -> None:
        if not remote:
            self.service.states.touched(user_ids)

    async def stop(self) -> None:
        self._stop_listening()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, 2.0)

    async def _run(self) -> None:
        while True:
            user_id = await self.service.states.next_pending()
            if self.service.states.holds(user_id) or self.service.states.in_flight(user_id) is not None:
                continue  # a request built it since the change (or is building it): not twice
            try:
                await self.rebuild(user_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # the learner's next request builds it instead
                log.warning("rebuilding the serving state of a learner failed", exc_info=True)

    async def rebuild(self, user_id: str, records: LearnerRecords | None = None) -> None:
        """Read the learner afresh, prepare them and ask their usual question's candidates; keep the result."""
        states, settings, now = self.service.states, self.service.settings, utcnow()
        read_at = states.clock()
        future, prepared = states.building(user_id, read_at), None  # the learner's next request waits for it
        try:
            read = records if records is not None else await read_records(user_id)
            prepared = await prepare(self.service, read, now, settings.interest_half_life_days,
                                     default_purposes(settings.default_consents))
            name = self.service.resolve(AUTO)
            if name is not None and read.user is not None:
                await candidates(self.service, prepared, name, CourseFilters(),
                                 candidates_wanted(prepared, USUAL_FIRST, False), now)
            if states.put(user_id, prepared, read_at):
                states.rebuilt += 1
        finally:
            states.built(user_id, future, prepared)

    async def warm(self, limit: int, seconds: float) -> int:
        """Build the states of up to `limit` learners within about `seconds`; how many were built."""
        deadline, built = time.monotonic() + seconds, 0
        async for user in iterate_opened(User, {}, limit=limit):  # profile texts are sealed
            if time.monotonic() > deadline:
                break
            await self.rebuild(user.id, await _records_of(user))
            built += 1
        return built


async def _records_of(user: User) -> LearnerRecords:
    read = await read_records(user.id)
    return LearnerRecords(user, read.enrollments, read.ratings)
