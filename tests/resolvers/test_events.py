"""resolvers.events: per-item results, idempotent retries keyed per learner, nothing stored on a refused batch."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from app.documents import Event
from resolvers.courses import upsert_courses
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.events import MAX_CLOCK_SKEW, EventResult, EventStatus, track_events

pytestmark = pytest.mark.usefixtures("clean")

MAX = 1_000
A, D, R = EventStatus.ACCEPTED, EventStatus.DUPLICATE, EventStatus.REJECTED


def ev(event_id: str, type_: str = "course_viewed", **fields: Any) -> dict[str, Any]:
    return {"event_id": event_id, "type": type_, **fields}


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
        "u1",
        [ev("e1", course_id="c1", client_timestamp=stamp, session_id="s1",
            context={"device": "mobile", "app_version": "1.2"}, properties={"position": 3, "tags": ["a"]})],
        MAX,
    )
    assert results == [EventResult(0, "e1", A)]
    event = await Event.get("u1:e1")
    assert event is not None
    assert (event.user_id, event.event_id, event.type, event.course_id, event.session_id) == (
        "u1", "e1", "course_viewed", "c1", "s1")
    assert event.client_timestamp == stamp
    assert event.context.device == "mobile"
    assert event.context.app_version == "1.2"
    assert event.properties == {"position": 3, "tags": ["a"]}
    assert event.server_timestamp.tzinfo is not None
    assert abs(event.server_timestamp - datetime.now(UTC)) < timedelta(minutes=1)


async def test_results_are_per_item_in_input_order() -> None:
    await _seed()
    await track_events("u1", [ev("old")], MAX)
    results = await track_events(
        "u1",
        [ev("n1"), ev("old"), ev("bad", "Not Snake"), ev("n2", course_id="c1"), ev("n1"), ev("x", course_id="zz")],
        MAX,
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
    assert _statuses(await track_events("u1", batch, MAX)) == [A] * 6
    before = await Event.get_pymongo_collection().find({}).sort("_id").to_list()
    replay = await track_events("u1", batch, MAX)
    assert _statuses(replay) == [D] * 6
    assert [r.event_id for r in replay] == [f"e{i}" for i in range(6)]
    assert all(r.code is None and r.message is None for r in replay)
    assert await Event.get_pymongo_collection().find({}).sort("_id").to_list() == before


async def test_a_retry_with_different_content_keeps_the_first_event() -> None:
    await track_events("u1", [ev("e1", "course_viewed")], MAX)
    assert _statuses(await track_events("u1", [ev("e1", "course_completed")], MAX)) == [D]
    event = await Event.get("u1:e1")
    assert event is not None
    assert event.type == "course_viewed"


async def test_duplicate_event_id_inside_a_batch() -> None:
    results = await track_events("u1", [ev("e1", "a_first"), ev("e2"), ev("e1", "a_second"), ev("e1")], MAX)
    assert _statuses(results) == [A, A, D, D]
    assert await Event.count() == 2
    event = await Event.get("u1:e1")
    assert event is not None
    assert event.type == "a_first"


async def test_partly_replayed_batch() -> None:
    await track_events("u1", [ev("e1"), ev("e3")], MAX)
    results = await track_events("u1", [ev("e1"), ev("e2"), ev("e3"), ev("e4")], MAX)
    assert _statuses(results) == [D, A, D, A]
    assert await _ids() == ["u1:e1", "u1:e2", "u1:e3", "u1:e4"]


async def test_same_event_id_for_two_learners_is_accepted_for_both() -> None:
    assert _statuses(await track_events("u1", [ev("shared")], MAX)) == [A]
    assert _statuses(await track_events("u2", [ev("shared")], MAX)) == [A]
    assert await _ids() == ["u1:shared", "u2:shared"]
    assert _statuses(await track_events("u2", [ev("shared")], MAX)) == [D]


async def test_unknown_course_is_not_found_for_that_item_only() -> None:
    await _seed()
    results = await track_events("u1", [ev("e1", course_id="c1"), ev("e2", course_id="nope"), ev("e3")], MAX)
    assert _statuses(results) == [A, R, A]
    assert (results[1].code, results[1].message) == (ErrorCode.NOT_FOUND, "no course with id 'nope'")
    assert await _ids() == ["u1:e1", "u1:e3"]


@pytest.mark.parametrize(
    "type_",
    ["", "Course_Viewed", "course-viewed", "1course", "_x", "custom:", "custom:Bad", "other:x", "a b",
     "a" * 65, "x$where"],
)
async def test_bad_type_is_rejected(type_: str) -> None:
    results = await track_events("u1", [ev("e1", type_), ev("e2")], MAX)
    assert _statuses(results) == [R, A]
    assert results[0].code is ErrorCode.BAD_USER_INPUT
    assert results[0].message == "type must be lower_snake_case, or custom:name for your own types"
    assert await _ids() == ["u1:e2"]


@pytest.mark.parametrize("type_", ["a", "course_viewed", "video_50pct", "custom:my_thing", "a" * 64])
async def test_good_types_are_accepted(type_: str) -> None:
    assert _statuses(await track_events("u1", [ev("e1", type_)], MAX)) == [A]


async def test_missing_type_is_rejected() -> None:
    results = await track_events("u1", [{"event_id": "e1"}], MAX)
    assert _statuses(results) == [R]
    assert results[0].code is ErrorCode.BAD_USER_INPUT


@pytest.mark.parametrize("event_id", ["", None, "x" * 201])
async def test_bad_event_id_is_rejected(event_id: Any) -> None:
    results = await track_events("u1", [{"event_id": event_id, "type": "a"}, ev("ok")], MAX)
    assert _statuses(results) == [R, A]
    assert results[0].code is ErrorCode.BAD_USER_INPUT
    assert results[0].message == "eventId is required (at most 200 characters)"
    assert await _ids() == ["u1:ok"]


async def test_event_id_of_200_chars_is_accepted() -> None:
    assert _statuses(await track_events("u1", [ev("x" * 200)], MAX)) == [A]


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
    results = await track_events("u1", [ev("e1", properties=properties), ev("e2", properties={"ok": 1})], MAX)
    assert _statuses(results) == [R, A]
    assert (results[0].code, results[0].message) == (ErrorCode.BAD_USER_INPUT, message)
    assert await _ids() == ["u1:e2"]


async def test_timestamp_more_than_a_day_ahead_is_rejected() -> None:
    assert timedelta(days=1) == MAX_CLOCK_SKEW
    now = datetime.now(UTC)
    results = await track_events(
        "u1",
        [ev("late", client_timestamp=now + timedelta(days=1, minutes=5)),
         ev("naive", client_timestamp=(now + timedelta(days=2)).replace(tzinfo=None)),
         ev("other-zone", client_timestamp=(now + timedelta(days=1, hours=1)).astimezone(
             timezone(timedelta(hours=-8)))),
         ev("soon", client_timestamp=now + timedelta(hours=23)),
         ev("past", client_timestamp=now - timedelta(days=400))],
        MAX,
    )
    assert _statuses(results) == [R, R, R, A, A]
    assert results[0].message == "timestamp is more than a day in the future"
    assert results[0].code is ErrorCode.BAD_USER_INPUT
    assert await _ids() == ["u1:past", "u1:soon"]


@pytest.mark.xfail(
    strict=True,
    reason="BUG (latent: GraphQL's DateTime scalar always passes a datetime): _problem checks the clock skew only "
    "when client_timestamp is a datetime instance, but Event.model_validate also accepts an ISO-8601 string, "
    "so a string timestamp years in the future is accepted and stored",
)
async def test_timestamp_given_as_a_string_is_also_checked_for_the_future() -> None:
    results = await track_events("u1", [ev("e1", client_timestamp="2999-01-01T00:00:00Z")], MAX)
    assert _statuses(results) == [R]
    assert await Event.count() == 0


@pytest.mark.xfail(
    strict=True,
    reason="BUG: an explicit null properties/context (both nullable in EventInput, so GraphQL passes None) is "
    "rejected: _problem treats properties None as {} but the raw None then reaches Event.model_validate, "
    "whose properties: dict / context: EventContext refuse it ('Input should be a valid dictionary')",
)
@pytest.mark.parametrize("field", ["properties", "context"])
async def test_null_properties_or_context_mean_none_given(field: str) -> None:
    results = await track_events("u1", [{**ev("e1"), field: None}], MAX)
    assert _statuses(results) == [A]
    event = await Event.get("u1:e1")
    assert event is not None
    assert event.properties == {}
    assert event.context.device is None


async def test_null_optional_scalars_are_accepted() -> None:
    results = await track_events("u1", [ev("e1", course_id=None, session_id=None, client_timestamp=None)], MAX)
    assert _statuses(results) == [A]
    event = await Event.get("u1:e1")
    assert event is not None
    assert (event.course_id, event.session_id, event.client_timestamp) == (None, None, None)


async def test_invalid_context_is_rejected_with_the_field() -> None:
    results = await track_events("u1", [ev("e1", context={"device": "x" * 51}), ev("e2")], MAX)
    assert _statuses(results) == [R, A]
    assert results[0].code is ErrorCode.BAD_USER_INPUT
    assert results[0].message is not None
    assert results[0].message.startswith("context.device: ")


async def test_user_id_and_id_in_the_event_cannot_be_forged() -> None:
    results = await track_events("u1", [ev("e1", user_id="victim", id="victim:e1")], MAX)
    assert _statuses(results) == [A]
    assert await _ids() == ["u1:e1"]
    event = await Event.get("u1:e1")
    assert event is not None
    assert event.user_id == "u1"


async def test_unknown_top_level_keys_are_not_stored() -> None:
    await track_events("u1", [{**ev("e1"), "$where": "1", "extra": 2}], MAX)
    raw = await Event.get_pymongo_collection().find_one({"_id": "u1:e1"})
    assert raw is not None
    assert "$where" not in raw
    assert "extra" not in raw


async def test_empty_batch_is_refused() -> None:
    with pytest.raises(UseCaseError) as caught:
        await track_events("u1", [], MAX)
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == "the batch is empty"
    assert await Event.count() == 0


async def test_more_than_max_events_is_refused_and_nothing_is_stored() -> None:
    with pytest.raises(UseCaseError) as caught:
        await track_events("u1", [ev(f"e{i}") for i in range(6)], max_events=5)
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == "at most 5 events per call; got 6"
    assert await Event.count() == 0


async def test_exactly_max_events_is_accepted() -> None:
    results = await track_events("u1", [ev(f"e{i}") for i in range(5)], max_events=5)
    assert _statuses(results) == [A] * 5
    assert await Event.count() == 5


async def test_all_rejected_batch_stores_nothing() -> None:
    results = await track_events("u1", [ev("e1", "BAD"), ev("", "a")], MAX)
    assert _statuses(results) == [R, R]
    assert results[1].event_id == ""
    assert await Event.count() == 0


async def test_a_large_batch_with_duplicates() -> None:
    first = [ev(f"e{i:04d}") for i in range(0, 600, 2)]
    await track_events("u1", first, MAX)
    batch = [ev(f"e{i:04d}") for i in range(600)]
    results = await track_events("u1", batch, MAX)
    assert _statuses(results) == [D if i % 2 == 0 else A for i in range(600)]
    assert await Event.count() == 600
