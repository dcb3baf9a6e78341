"""resolvers.events.tracking: per-item results, idempotent retries keyed per learner, taxonomy and consent checks,
nothing stored on a refused batch."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.documents import Event, Purpose, User
from app.core.documents.events import EventContext
from app.core.settings import Settings
from resolvers.courses.courses import upsert_courses
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.events.ingestion import EventWriter
from resolvers.events.tracking import (
    MAX_CLOCK_SKEW,
    EventRecord,
    EventResult,
    EventStatus,
    IngestOptions,
    track_events,
)
from resolvers.practice.knowledge import trackers_for
from resolvers.profile.users import get_user
from tests.conftest import CommandCounter

TRACKERS = trackers_for(Settings())

pytestmark = pytest.mark.usefixtures("clean")

OPTS = IngestOptions(settings=Settings(), trackers=TRACKERS, default_purposes=frozenset({Purpose.ESSENTIAL, Purpose.BEHAVIORAL_TRACKING}))
A, D, R = EventStatus.ACCEPTED, EventStatus.DUPLICATE, EventStatus.REJECTED


def ev(event_id: Any, type_: str = "page_view", user: str = "u1", **fields: Any) -> dict[str, Any]:
    return {"user_id": user, "event_id": event_id, "type": type_, **fields}


async def _seed() -> None:
    await upsert_courses([{"id": "c1", "title": "One"}, {"id": "hidden", "title": "H", "published": False}], 10)


async def _ids() -> list[str]:
    return sorted(doc["_id"] for doc in await Event.get_pymongo_collection().find({}, {"_id": 1}).to_list())


def _statuses(results: list[EventResult]) -> list[EventStatus]:
    return [r.status for r in results]


async def test_accepted_events_are_stored_with_their_fields() -> None:
    await _seed()
    stamp = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    results = await track_events(
        [ev("e1", "course_view", course_id="c1", client_timestamp=stamp, session_id="s1",
            context={"device": "mobile", "app_version": "1.2"}, properties={"position": 3, "tags": ["a"]})],
        OPTS,
    )
    assert results == [EventResult(0, "e1", A)]
    event = await Event.get("u1:e1")
    assert event is not None
    assert (event.user_id, event.event_id, event.type, event.course_id, event.session_id) == (
        "u1", "e1", "course_view", "c1", "s1")
    assert event.purpose is Purpose.BEHAVIORAL_TRACKING
    assert event.client_timestamp == stamp
    assert event.context.device == "mobile"
    assert event.context.app_version == "1.2"
    assert event.properties == {"position": 3, "tags": ["a"]}
    assert event.server_timestamp.tzinfo is not None
    assert abs(event.server_timestamp - datetime.now(UTC)) < timedelta(minutes=1)


async def test_results_are_per_item_in_input_order() -> None:
    await _seed()
    await track_events([ev("old")], OPTS)
    results = await track_events(
        [ev("n1"), ev("old"), ev("bad", "Not Snake"), ev("n2", "course_view", course_id="c1"), ev("n1"),
         ev("x", course_id="zz")],
        OPTS,
    )
    assert [(r.index, r.event_id, r.status, r.code) for r in results] == [
        (0, "n1", A, None),
        (1, "old", D, None),
        (2, "bad", R, ErrorCode.BAD_USER_INPUT),
        (3, "n2", A, None),
        (4, "n1", D, None),
        (5, "x", R, ErrorCode.NOT_FOUND),
    ]
    assert results[5].message == "no course with id 'zz'"
    assert await _ids() == ["u1:n1", "u1:n2", "u1:old"]


async def test_replaying_a_batch_is_all_duplicate_and_stores_nothing_more() -> None:
    await _seed()
    batch = [ev(f"e{i}", course_id="c1" if i % 2 else None) for i in range(6)]
    assert _statuses(await track_events(batch, OPTS)) == [A] * 6
    before = await Event.get_pymongo_collection().find({}).sort("_id").to_list()
    replay = await track_events(batch, OPTS)
    assert _statuses(replay) == [D] * 6
    assert [r.event_id for r in replay] == [f"e{i}" for i in range(6)]
    assert all(r.code is None and r.message is None for r in replay)
    assert await Event.get_pymongo_collection().find({}).sort("_id").to_list() == before


async def test_insights_count_stored_events_and_a_replay_is_not_counted_again() -> None:
    batch = [ev(f"e{i}") for i in range(3)]
    await track_events(batch, OPTS)
    await track_events(batch, OPTS)
    await track_events([ev("e0"), ev("e3")], OPTS)
    user = await get_user("u1")
    assert user is not None
    assert user.insights.events == 4
    assert [a.type for a in user.recent_activity] == ["page_view"] * 4


async def test_a_replay_does_not_touch_the_learners_document() -> None:
    batch = [ev(f"e{i}") for i in range(3)]
    await track_events(batch, OPTS)
    before = await User.get_pymongo_collection().find_one({"_id": "u1"})
    assert before is not None
    await track_events(batch, OPTS)
    assert await User.get_pymongo_collection().find_one({"_id": "u1"}) == before


async def test_a_retry_with_different_content_keeps_the_first_event() -> None:
    await track_events([ev("e1", "page_view")], OPTS)
    assert _statuses(await track_events([ev("e1", "click")], OPTS)) == [D]
    event = await Event.get("u1:e1")
    assert event is not None
    assert event.type == "page_view"


async def test_duplicate_event_id_inside_a_batch() -> None:
    results = await track_events([ev("e1", "session_start"), ev("e2"), ev("e1", "click"), ev("e1")], OPTS)
    assert _statuses(results) == [A, A, D, D]
    assert await Event.count() == 2
    event = await Event.get("u1:e1")
    assert event is not None
    assert event.type == "session_start"


async def test_partly_replayed_batch() -> None:
    await track_events([ev("e1"), ev("e3")], OPTS)
    results = await track_events([ev("e1"), ev("e2"), ev("e3"), ev("e4")], OPTS)
    assert _statuses(results) == [D, A, D, A]
    assert await _ids() == ["u1:e1", "u1:e2", "u1:e3", "u1:e4"]


async def test_same_event_id_for_two_learners_is_accepted_for_both() -> None:
    assert _statuses(await track_events([ev("shared", user="u1")], OPTS)) == [A]
    assert _statuses(await track_events([ev("shared", user="u2")], OPTS)) == [A]
    assert await _ids() == ["u1:shared", "u2:shared"]
    assert _statuses(await track_events([ev("shared", user="u2")], OPTS)) == [D]


async def test_same_event_id_for_two_learners_in_one_batch() -> None:
    results = await track_events([ev("e1", user="u1"), ev("e1", user="u2"), ev("e1", user="u1")], OPTS)
    assert _statuses(results) == [A, A, D]
    assert await _ids() == ["u1:e1", "u2:e1"]


async def test_unknown_course_is_not_found_for_that_item_only() -> None:
    await _seed()
    results = await track_events(
        [ev("e1", "course_view", course_id="c1"), ev("e2", "course_view", course_id="nope"), ev("e3")], OPTS
    )
    assert _statuses(results) == [A, R, A]
    assert (results[1].code, results[1].message) == (ErrorCode.NOT_FOUND, "no course with id 'nope'")
    assert await _ids() == ["u1:e1", "u1:e3"]


async def test_a_type_that_needs_a_course_without_one_is_rejected() -> None:
    results = await track_events([ev("e1", "course_view")], OPTS)
    assert _statuses(results) == [R]
    assert (results[0].code, results[0].message) == (ErrorCode.BAD_USER_INPUT, "course_view events need a courseId")


@pytest.mark.parametrize(
    "type_",
    ["", "Page_View", "page-view", "1course", "_x", "custom:", "custom:Bad", "other:x", "a b", "not_in_taxonomy",
     "custom:" + "a" * 65, "x$where"],
)
async def test_bad_type_is_rejected(type_: str) -> None:
    results = await track_events([ev("e1", type_), ev("e2")], OPTS)
    assert _statuses(results) == [R, A]
    assert results[0].code is ErrorCode.BAD_USER_INPUT
    assert results[0].message == f"unknown event type {type_!r}; use a type of the taxonomy, or custom:your_name"
    assert await _ids() == ["u1:e2"]


@pytest.mark.parametrize("type_", ["page_view", "session_start", "click", "custom:my_thing", "custom:a.b-c",
                                   "custom:" + "a" * 64])
async def test_good_types_are_accepted(type_: str) -> None:
    assert _statuses(await track_events([ev("e1", type_)], OPTS)) == [A]


async def test_missing_type_is_rejected() -> None:
    results = await track_events([{"user_id": "u1", "event_id": "e1"}], OPTS)
    assert _statuses(results) == [R]
    assert results[0].code is ErrorCode.BAD_USER_INPUT


async def test_an_event_without_a_user_is_rejected() -> None:
    results = await track_events([{"event_id": "e1", "type": "page_view"}, ev("e2")], OPTS)
    assert _statuses(results) == [R, A]
    assert (results[0].code, results[0].message) == (ErrorCode.BAD_USER_INPUT, "userId is required")


@pytest.mark.parametrize(("event_id", "message"), [
    ("", "eventId may not be empty"), (None, "eventId is required"),
    ("x" * 201, "eventId may be at most 200 characters long"), (7, "eventId must be a string"),
    ("$where", "eventId may not start with '$'"), ("a\0b", "eventId may not contain control characters"),
])
async def test_bad_event_id_is_rejected(event_id: Any, message: str) -> None:
    results = await track_events([ev(event_id), ev("ok")], OPTS)
    assert _statuses(results) == [R, A]
    assert results[0].code is ErrorCode.BAD_USER_INPUT
    assert results[0].message == message
    assert await _ids() == ["u1:ok"]


async def test_event_id_of_200_chars_is_accepted() -> None:
    assert _statuses(await track_events([ev("x" * 200)], OPTS)) == [A]


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({"$where": "sleep(1)"}, "properties has key '$where': keys may not start with '$'"),
        ({"a": {"$ne": 1}}, "properties has key '$ne': keys may not start with '$'"),
        ({"a.b": 1}, "properties has key 'a.b': keys may not contain '.' or NUL"),
        ({"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}, "properties nests deeper than 5 levels"),
        ({"blob": "x" * 16_384}, "properties is 16396 bytes; at most 16384 are allowed"),
        ("text", "properties must be a JSON object"),
    ],
)
async def test_bad_properties_are_rejected(properties: Any, message: str) -> None:
    results = await track_events([ev("e1", properties=properties), ev("e2", properties={"ok": 1})], OPTS)
    assert _statuses(results) == [R, A]
    assert (results[0].code, results[0].message) == (ErrorCode.BAD_USER_INPUT, message)
    assert await _ids() == ["u1:e2"]


async def test_typed_properties_are_checked_against_the_taxonomy() -> None:
    results = await track_events(
        [ev("q1", "quiz_answer", properties={"item_id": "i1", "correct": True, "extra": "kept"}),
         ev("q2", "quiz_answer", properties={"correct": True}),
         ev("q3", "quiz_answer", properties={"item_id": "i1", "correct": True, "attempt": 0}),
         ev("s1", "session_end", properties={"duration_ms": -1})],
        OPTS,
    )
    assert _statuses(results) == [A, R, R, R]
    assert [r.message for r in results[1:]] == [
        "properties.item_id: Field required",
        "properties.attempt: Input should be greater than or equal to 1",
        "properties.duration_ms: Input should be greater than or equal to 0",
    ]
    event = await Event.get("u1:q1")
    assert event is not None
    assert event.properties == {"item_id": "i1", "correct": True, "extra": "kept"}


async def test_behavioral_events_need_consent() -> None:
    essential_only = IngestOptions(settings=Settings(), trackers=TRACKERS)
    results = await track_events([ev("p1", "page_view"), ev("q1", "quiz_answer",
                                                          properties={"item_id": "i", "correct": False})],
                                 essential_only)
    assert _statuses(results) == [R, A]
    assert results[0].code is ErrorCode.CONSENT_REQUIRED
    assert results[0].message == ("the learner has not consented to behavioral_tracking, which page_view events "
                                  "need")
    assert await _ids() == ["u1:q1"]


async def test_the_learners_own_consent_overrides_the_defaults() -> None:
    await User(id="yes", consents={"behavioral_tracking": True}).insert()
    await User(id="no", consents={"behavioral_tracking": False}).insert()
    essential_only = IngestOptions(settings=Settings(), trackers=TRACKERS)
    results = await track_events([ev("e1", user="yes"), ev("e1", user="no"), ev("e1", user="unknown")],
                                 essential_only)
    assert [(r.status, r.code) for r in results] == [
        (A, None), (R, ErrorCode.CONSENT_REQUIRED), (R, ErrorCode.CONSENT_REQUIRED)
    ]
    withdrawn = await track_events([ev("e2", user="no")], OPTS)  # defaults grant it; the learner said no
    assert withdrawn[0].code is ErrorCode.CONSENT_REQUIRED
    assert await _ids() == ["yes:e1"]


async def test_timestamp_more_than_a_day_ahead_is_rejected() -> None:
    assert timedelta(days=1) == MAX_CLOCK_SKEW
    now = datetime.now(UTC)
    results = await track_events(
        [ev("late", client_timestamp=now + timedelta(days=1, minutes=5)),
         ev("naive", client_timestamp=(now + timedelta(days=2)).replace(tzinfo=None)),
         ev("other-zone", client_timestamp=(now + timedelta(days=1, hours=1)).astimezone(
             timezone(timedelta(hours=-8)))),
         ev("soon", client_timestamp=now + timedelta(hours=23)),
         ev("past", client_timestamp=now - timedelta(days=400))],
        OPTS,
    )
    assert _statuses(results) == [R, R, R, A, A]
    assert results[0].message == "timestamp is more than a day in the future"
    assert results[0].code is ErrorCode.BAD_USER_INPUT
    assert await _ids() == ["u1:past", "u1:soon"]


async def test_timestamp_given_as_a_string_is_also_checked_for_the_future() -> None:
    results = await track_events([ev("e1", client_timestamp="2999-01-01T00:00:00Z")], OPTS)
    assert _statuses(results) == [R]
    assert await Event.count() == 0


@pytest.mark.parametrize("field", ["properties", "context"])
async def test_null_properties_or_context_mean_none_given(field: str) -> None:
    results = await track_events([{**ev("e1"), field: None}], OPTS)
    assert _statuses(results) == [A]
    event = await Event.get("u1:e1")
    assert event is not None
    assert event.properties == {}
    assert event.context.device is None


async def test_null_optional_scalars_are_accepted() -> None:
    results = await track_events([ev("e1", course_id=None, session_id=None, client_timestamp=None)], OPTS)
    assert _statuses(results) == [A]
    event = await Event.get("u1:e1")
    assert event is not None
    assert (event.course_id, event.session_id, event.client_timestamp) == (None, None, None)


async def test_invalid_context_is_rejected_with_the_field() -> None:
    results = await track_events([ev("e1", context={"device": "x" * 51}), ev("e2")], OPTS)
    assert _statuses(results) == [R, A]
    assert results[0].code is ErrorCode.BAD_USER_INPUT
    assert results[0].message is not None
    assert results[0].message.startswith("context.device: ")


async def test_id_and_purpose_in_the_event_cannot_be_forged() -> None:
    results = await track_events([ev("e1", id="victim:e1", purpose="essential")], OPTS)
    assert _statuses(results) == [A]
    assert await _ids() == ["u1:e1"]
    event = await Event.get("u1:e1")
    assert event is not None
    assert event.purpose is Purpose.BEHAVIORAL_TRACKING


async def test_unknown_top_level_keys_are_not_stored() -> None:
    await track_events([{**ev("e1"), "$where": "1", "extra": 2}], OPTS)
    raw = await Event.get_pymongo_collection().find_one({"_id": "u1:e1"})
    assert raw is not None
    assert "$where" not in raw
    assert "extra" not in raw


async def test_empty_batch_is_refused() -> None:
    with pytest.raises(UseCaseError) as caught:
        await track_events([], OPTS)
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == "the batch is empty"
    assert await Event.count() == 0


async def test_more_than_max_events_is_refused_and_nothing_is_stored() -> None:
    with pytest.raises(UseCaseError) as caught:
        await track_events([ev(f"e{i}") for i in range(6)], IngestOptions(settings=Settings(), trackers=TRACKERS, max_events=5))
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == "at most 5 events per call; got 6"
    assert await Event.count() == 0
    assert await User.count() == 0


async def test_exactly_max_events_is_accepted() -> None:
    options = IngestOptions(settings=Settings(), trackers=TRACKERS, max_events=5, default_purposes=OPTS.default_purposes)
    results = await track_events([ev(f"e{i}") for i in range(5)], options)
    assert _statuses(results) == [A] * 5
    assert await Event.count() == 5


async def test_all_rejected_batch_stores_nothing() -> None:
    results = await track_events([ev("e1", "BAD"), ev("", "page_view")], OPTS)
    assert _statuses(results) == [R, R]
    assert results[1].event_id == ""
    assert await Event.count() == 0
    assert await User.count() == 0


async def test_a_large_batch_with_duplicates() -> None:
    await track_events([ev(f"e{i:04d}") for i in range(0, 600, 2)], OPTS)
    results = await track_events([ev(f"e{i:04d}") for i in range(600)], OPTS)
    assert _statuses(results) == [D if i % 2 == 0 else A for i in range(600)]
    assert await Event.count() == 600


async def test_through_the_ingestion_writer_results_are_the_same() -> None:
    writer = EventWriter(Event.get_pymongo_collection(), batch_size=10, flush_ms=5)
    await writer.start()
    try:
        options = IngestOptions(settings=Settings(), trackers=TRACKERS, default_purposes=OPTS.default_purposes, writer=writer)
        first = await track_events([ev("e1"), ev("e2"), ev("e1")], options)
        again = await track_events([ev("e2"), ev("e3")], options)
    finally:
        await writer.stop()
    assert _statuses(first) == [A, A, D]
    assert _statuses(again) == [D, A]
    assert await _ids() == ["u1:e1", "u1:e2", "u1:e3"]


async def test_one_call_reads_its_learners_once_for_consent_and_fold(command_counter: CommandCounter) -> None:
    await _seed()
    await track_events([ev("e0")], OPTS)  # the learner exists: the fold reads its state
    command_counter.commands.clear()
    await track_events([ev("e1", "course_view", course_id="c1"), ev("e2")], OPTS)
    # courses and learners (one find each), the insert, the fold's bulk update: nothing read twice
    assert Counter(command_counter.commands) == Counter({"find": 2, "insert": 1, "update": 1})


async def test_concurrent_calls_for_one_learner_lose_no_update() -> None:
    """The fold `$set`s streaks and recent activity from what it read: calls that overlap take turns."""
    await asyncio.gather(*(track_events([ev(f"e{i}")], OPTS) for i in range(6)))
    user = await get_user("u1")
    assert user is not None
    assert user.insights.events == 6
    assert len(user.recent_activity) == 6


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                  max_size=3), max_leaves=8)
_CONTEXT = st.fixed_dictionaries({}, optional={name: st.none() | st.text(max_size=8) for name in EventContext.model_fields})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(course=st.none() | st.text(max_size=6), session=st.none() | st.text(max_size=6),
       stamp=st.none() | st.datetimes(timezones=st.just(UTC)), context=st.none() | _CONTEXT,
       properties=st.dictionaries(st.text(max_size=6), _JSON, max_size=4), purpose=st.sampled_from(list(Purpose)))
def test_a_records_document_is_its_dump_by_alias(course: str | None, session: str | None, stamp: datetime | None,
                                                 context: dict[str, Any] | None, properties: dict[str, Any],
                                                 purpose: Purpose) -> None:
    """`document()` is written out for speed: it must stay `model_dump(by_alias=True)`, key order and types
    included, and the shape of `Event`'s documents."""
    raw = {"id": "u1:e1", "user_id": "u1", "type": "page_view", "course_id": course, "event_id": "e1",
           "client_timestamp": stamp, "server_timestamp": datetime(2026, 1, 2, tzinfo=UTC), "session_id": session,
           "purpose": purpose, "properties": properties} | ({"context": context} if context is not None else {})
    record = EventRecord.model_validate(raw)
    document, dumped = record.document(), record.model_dump(by_alias=True)
    assert list(document) == list(dumped) == ["_id", *(name for name in Event.model_fields if name not in (
        "id", "revision_id"))]
    assert document == dumped and list(document["context"]) == list(dumped["context"])
    assert [type(value) for value in document.values()] == [type(value) for value in dumped.values()]
