"""Values round-trip as MongoDB stores them: dates at millisecond precision in UTC, free-form dicts exactly."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from app.core.documents import Event, User

pytestmark = pytest.mark.usefixtures("clean")

STAMP = datetime(2024, 2, 29, 23, 59, 59, 987654, tzinfo=UTC)
TRUNCATED = datetime(2024, 2, 29, 23, 59, 59, 987000, tzinfo=UTC)

FREE_FORM: dict[str, Any] = {
    "zeta": 1,
    "alpha": "two",
    "10": "numeric-looking key",
    "2": "another",
    "with space": [1, 2.5, True, None, "x", {"b": 1, "a": [[], {}]}],
    "ключ": "значение",
    "emoji 🎯": {"nested": {"deeper": {"list": [{"k": "v"}, [1, [2, [3]]]]}}},
    "big": 2**40,
    "float": 2.0,
    "neg": -1.5,
    "empty": {},
    "flag": False,
}


def assert_utc(value: datetime, expected: datetime) -> None:
    assert value == expected
    assert value.utcoffset() == timedelta(0)
    assert value.microsecond == expected.microsecond


async def test_utc_datetime_round_trips_truncated_to_milliseconds_as_aware_utc() -> None:
    await User(id="u1", created_at=STAMP).save()
    raw = await User.get_pymongo_collection().find_one({"_id": "u1"})
    assert raw is not None
    assert_utc(raw["created_at"], TRUNCATED)
    loaded = await User.get("u1")
    assert loaded is not None
    assert_utc(loaded.created_at, TRUNCATED)


async def test_offset_datetime_is_stored_as_the_same_instant_and_read_back_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    local = datetime(2024, 6, 1, 12, 0, 0, 123999, tzinfo=paris)
    collection = Event.get_pymongo_collection()
    document = Event(id="u:e1", user_id="u", event_id="e1", type="view", client_timestamp=local)
    await collection.insert_many([document.model_dump(by_alias=True)])
    raw = await collection.find_one({"_id": "u:e1"})
    assert raw is not None
    assert_utc(raw["client_timestamp"], datetime(2024, 6, 1, 10, 0, 0, 123000, tzinfo=UTC))


async def test_free_form_attributes_round_trip_exactly_through_save() -> None:
    await User(id="u1", attributes=FREE_FORM).save()
    raw = await User.get_pymongo_collection().find_one({"_id": "u1"})
    assert raw is not None
    assert raw["attributes"] == FREE_FORM
    assert list(raw["attributes"]) == list(FREE_FORM)  # field order is kept
    assert list(raw["attributes"]["with space"][5]) == ["b", "a"]
    assert type(raw["attributes"]["float"]) is float
    assert type(raw["attributes"]["zeta"]) is int
    assert raw["attributes"]["with space"][2] is True
    assert raw["attributes"]["flag"] is False
    loaded = await User.get("u1")
    assert loaded is not None
    assert loaded.attributes == FREE_FORM


async def test_free_form_properties_round_trip_exactly_through_insert_many() -> None:
    document = Event(id="u:e1", user_id="u", event_id="e1", type="view", properties=FREE_FORM)
    await Event.get_pymongo_collection().insert_many([document.model_dump(by_alias=True)], ordered=False)
    loaded = await Event.get("u:e1")
    assert loaded is not None
    assert loaded.properties == FREE_FORM
    assert list(loaded.properties) == list(FREE_FORM)
    assert loaded.context.model_dump() == document.context.model_dump()
