"""Keeping serving states ready: a learner's state is rebuilt in the background right after a write changes them,
with their usual question's candidates, so their next request reads nothing and asks no recommender; start-up
warming builds the stored learners' states; the candidates of a question are asked once per state."""

import asyncio
from pathlib import Path

import pytest

from app.core.documents import User
from app.core.timestamps import utcnow
from resolvers.courses.enrollments import enroll
from resolvers.courses.snapshot import CourseFilters
from resolvers.learner_changes import CHANGES
from resolvers.recommendations import keeping
from resolvers.recommendations.keeping import StateKeeper, candidates, serving_state
from resolvers.recommendations.preparation import LearnerRecords, read_records
from resolvers.recommendations.recommend import Ask, cached_recommendations
from resolvers.recommendations.training import train_recommenders
from tests.resolvers.recommendations.test_recommend import DEFAULTS, seed, settings_in, started

pytestmark = pytest.mark.usefixtures("clean")


async def test_a_write_rebuilds_the_learners_state_ahead_of_their_next_request(tmp_path: Path) -> None:
    await seed()
    settings = settings_in(tmp_path, default_consents=["personalization"])
    await train_recommenders(settings, ["popular"])
    service = await started(settings)
    keeper = StateKeeper(service)
    keeper.start()
    reads: list[str] = []

    async def records() -> LearnerRecords:
        reads.append("new")
        return await read_records("new")

    try:
        await User(id="new", interests=["Python"]).insert()
        ask = Ask(strategy="popular", first=3)
        first = await cached_recommendations(service, "new", ask, records, utcnow(), 30.0, DEFAULTS)
        top = first.items[0].course.id
        await enroll("new", top)  # the write reports the learner: the keeper rebuilds their state
        for _ in range(100):
            if service.states.rebuilt:
                break
            await asyncio.sleep(0.02)
        assert service.states.rebuilt == 1
        after = await cached_recommendations(service, "new", ask, records, utcnow(), 30.0, DEFAULTS)
        assert reads == ["new"] and top not in [item.course.id for item in after.items]
    finally:
        await keeper.stop()
        await service.stop()


async def test_a_request_during_the_rebuild_waits_for_it_instead_of_building_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await seed()
    settings = settings_in(tmp_path, default_consents=["personalization"])
    await train_recommenders(settings, ["popular"])
    service = await started(settings)
    release, reads = asyncio.Event(), []

    async def held_read(user_id: str) -> LearnerRecords:  # the keeper's read, held until the request waits
        await release.wait()
        return await read_records(user_id)

    async def records() -> LearnerRecords:  # the request's own read, if it built the state itself
        reads.append("new")
        return await read_records("new")

    monkeypatch.setattr(keeping, "read_records", held_read)
    try:
        await User(id="new", interests=["Python"]).insert()
        rebuilding = asyncio.create_task(StateKeeper(service).rebuild("new"))
        await asyncio.sleep(0.05)
        asking = asyncio.create_task(serving_state(service, "new", records, utcnow(), 30.0, DEFAULTS))
        await asyncio.sleep(0.05)
        release.set()
        state = await asking
        await rebuilding
        assert reads == [] and service.states.get("new")[0] is state  # one build: the keeper's
        CHANGES.touched(["new"])  # a change after it: the next request builds afresh
        assert await serving_state(service, "new", records, utcnow(), 30.0, DEFAULTS) is not state
        assert reads == ["new"]
    finally:
        await service.stop()


async def test_warming_builds_the_stored_learners_states_with_their_usual_candidates(tmp_path: Path) -> None:
    await seed()
    settings = settings_in(tmp_path, recommenders=["popular"])  # `auto` is popular
    await train_recommenders(settings, ["popular"])
    service = await started(settings)
    try:
        built = await StateKeeper(service).warm(limit=5, seconds=60)
        assert built == 5 and len(service.states) == 5
        state, due = service.states.get("u0")
        assert state is not None and not due and state.outcomes  # the usual question was asked already
        assert await StateKeeper(service).warm(limit=100, seconds=0) == 0  # out of time at once
    finally:
        await service.stop()


async def test_a_questions_candidates_are_asked_once_per_state_and_a_change_drops_the_state(tmp_path: Path) -> None:
    await seed()
    settings = settings_in(tmp_path)
    await train_recommenders(settings, ["popular"])
    service = await started(settings)
    asked: list[int] = []
    original = service.recommend

    async def counted(name: str, request: object) -> object:
        asked.append(1)
        return await original(name, request)  # type: ignore[arg-type]

    service.recommend = counted  # type: ignore[assignment,method-assign]
    try:
        now = utcnow()
        state = await serving_state(service, "u1", lambda: read_records("u1"), now, 30.0, DEFAULTS)
        for _ in range(3):
            await candidates(service, state, "popular", CourseFilters(), 12, now)
        await candidates(service, state, "popular", CourseFilters(level="beginner"), 12, now)
        assert len(asked) == 2
        assert (await serving_state(service, "u1", lambda: read_records("u1"), now, 30.0, DEFAULTS)) is state
        CHANGES.touched(["u1"])
        again = await serving_state(service, "u1", lambda: read_records("u1"), now, 30.0, DEFAULTS)
        assert again is not state and not again.outcomes
    finally:
        await service.stop()
