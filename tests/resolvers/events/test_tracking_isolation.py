"""resolvers.events.tracking: an event that no store can keep (or whose ids are not ids) is refused alone, with its index,
before any query or write; and a poisoned caller never fails or half-stores another learner's batches."""

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from app.core.documents import Event, Purpose
from app.core.settings import Settings
from resolvers.courses.courses import upsert_courses
from resolvers.errors import ErrorCode
from resolvers.events.ingestion import EventWriter
from resolvers.events.tracking import EventStatus, IngestOptions, track_events
from resolvers.practice.knowledge import trackers_for

TRACKERS = trackers_for(Settings())

pytestmark = pytest.mark.usefixtures("clean")

OPTS = IngestOptions(settings=Settings(), trackers=TRACKERS, default_purposes=frozenset({Purpose.ESSENTIAL, Purpose.BEHAVIORAL_TRACKING}))
A, D, R = EventStatus.ACCEPTED, EventStatus.DUPLICATE, EventStatus.REJECTED


def ev(event_id: Any, user: Any = "u1", type_: Any = "follow", **fields: Any) -> dict[str, Any]:
    return {"user_id": user, "event_id": event_id, "type": type_, **fields}


async def _stored() -> list[str]:
    return sorted(doc["_id"] for doc in await Event.get_pymongo_collection().find({}, {"_id": 1}).to_list())


POISONS = [
    pytest.param(ev("p", properties={"x": float("nan")}), "the event has a number that is not finite", id="nan"),
    pytest.param(ev("p", properties={"x": float("inf")}), "the event has a number that is not finite", id="inf"),
    pytest.param(ev("p", properties={"x": [float("-inf")]}), "the event has a number that is not finite",
                 id="nested-inf"),
    pytest.param(ev("p", properties={"x": "\ud800"}), "the event has a lone surrogate", id="surrogate-value"),
    pytest.param(ev("p", properties={"\ud800": 1}), "the event has a lone surrogate", id="surrogate-key"),
    pytest.param(ev("p", session_id="s\udc00"), "the event has a lone surrogate", id="surrogate-session"),
    pytest.param(ev("p", context={"city": "\ud800"}), "the event has a lone surrogate", id="surrogate-context"),
    pytest.param(ev("p", properties={"n": 2**64}), "the event has an integer beyond 64 bits", id="huge-int"),
    pytest.param(ev("p", client_timestamp=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))),
                 "timestamp must lie between the years 1970 and 9998", id="year-1"),
    pytest.param(ev("p", client_timestamp="0001-01-01T00:00:00+01:00"),
                 "timestamp must lie between the years 1970 and 9998", id="year-1-text"),
    pytest.param(ev("p", course_id={"$ne": None}), "courseId must be a string", id="operator-course"),
    pytest.param(ev("p", course_id=""), "courseId may not be empty", id="empty-course"),
    pytest.param(ev({"$gt": ""}), "eventId must be a string", id="operator-event-id"),
    pytest.param(ev("\ud800"), "eventId may not contain the character U+D800 (a lone surrogate)", id="surrogate-id"),
    pytest.param(ev("p", user=""), "userId may not be empty", id="empty-user"),
    pytest.param(ev("p", user={"$ne": None}), "userId must be a string", id="operator-user"),
    pytest.param(ev("p", type_={"$ne": None}), "type must be a string", id="operator-type"),
    pytest.param(ev("p", session_id=7), "sessionId must be a string", id="number-session"),
]


@pytest.mark.parametrize(("poison", "message"), POISONS)
async def test_an_unstorable_event_is_rejected_alone_with_its_index(poison: dict[str, Any], message: str) -> None:
    results = await track_events([ev("ok-1"), poison, ev("ok-2")], OPTS)
    assert [(r.index, r.status, r.code) for r in results] == [
        (0, A, None), (1, R, ErrorCode.BAD_USER_INPUT), (2, A, None)]
    assert results[1].message is not None and results[1].message.startswith(message)
    assert await _stored() == ["u1:ok-1", "u1:ok-2"]


async def test_a_rejected_event_shows_its_id_only_when_it_is_an_id() -> None:
    results = await track_events([ev("visible", properties={"x": float("nan")}), ev("\ud800")], OPTS)
    assert [r.event_id for r in results] == ["visible", ""]


async def test_an_operator_as_course_id_reaches_no_query() -> None:
    await upsert_courses([{"id": "c1", "title": "One"}], 10)
    results = await track_events([ev("e1", "u1", "enroll", course_id={"$ne": None}),
                                  ev("e2", "u1", "enroll", course_id="c1")], OPTS)
    assert [r.status for r in results] == [R, A]


async def test_a_poisoned_learner_never_fails_another_learners_concurrent_batches() -> None:
    writer = EventWriter(Event.get_pymongo_collection(), batch_size=100, flush_ms=20)
    options = IngestOptions(settings=Settings(), trackers=TRACKERS, default_purposes=OPTS.default_purposes, writer=writer)
    await writer.start()
    good = [[ev(f"g{batch}-{k}", "good") for k in range(5)] for batch in range(20)]
    poisoned = [[ev(f"p{batch}", "bad", properties={"x": float("nan"), "y": "\ud800"}), ev(f"q{batch}", "bad")]
                for batch in range(10)]
    try:
        calls = [track_events(batch, options) for batch in good] + [track_events(b, options) for b in poisoned]
        outcomes = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 30)
        again = await asyncio.wait_for(asyncio.gather(*(track_events(batch, options) for batch in good)), 30)
    finally:
        await writer.stop()
    assert all(not isinstance(outcome, BaseException) for outcome in outcomes)
    assert [[r.status for r in results] for results in outcomes[:20]] == [[A] * 5] * 20  # type: ignore[union-attr]
    assert [[r.status for r in results] for results in outcomes[20:]] == [[R, A]] * 10  # type: ignore[union-attr]
    assert [[r.status for r in results] for results in again] == [[D] * 5] * 20  # a retry: each stored once
    collection = Event.get_pymongo_collection()
    assert await collection.count_documents({"user_id": "good"}) == 100
    assert await collection.count_documents({"user_id": "bad"}) == 10


async def test_an_event_at_the_edges_of_the_storable_range_is_accepted() -> None:
    stamp = datetime(1970, 1, 1, tzinfo=UTC)
    results = await track_events([ev("edge", client_timestamp=stamp, properties={"n": 2**63 - 1, "m": -(2**63)})],
                                 OPTS)
    assert [r.status for r in results] == [A]
