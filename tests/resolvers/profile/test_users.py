"""resolvers.profile.users: get and upsert learners; free-form attributes are checked before anything is stored."""

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

import pytest

from app.core.documents import PROFILE_FIELDS, Purpose, User
from app.core.settings import Settings
from app.core.timestamps import utcnow as real_utcnow
from resolvers.errors import ErrorCode, Problem, UseCaseError
from resolvers.events.tracking import IngestOptions, track_events
from resolvers.practice.knowledge import trackers_for
from resolvers.profile import users as users_module
from resolvers.profile.users import get_user, upsert_user

TRACKERS = trackers_for(Settings())

pytestmark = pytest.mark.usefixtures("clean")

PROFILE = {
    "display_name": "Ada",
    "country": "GB",
    "languages": ["en", "fr"],
    "goals": ["data-science"],
    "interests": ["python", "statistics"],
    "weekly_minutes_target": 120,
    "preferred_formats": ["video"],
    "attributes": {"plan": "pro", "cohort": {"year": 2024}},
}


async def _stored(user_id: str) -> dict[str, Any] | None:
    raw: dict[str, Any] | None = await User.get_pymongo_collection().find_one({"_id": user_id})
    return raw


async def test_get_unknown_user_is_none() -> None:
    assert await get_user("nobody") is None


async def test_create_returns_and_stores_the_profile() -> None:
    user = await upsert_user("u1", dict(PROFILE))
    assert user.id == "u1"
    assert user.display_name == "Ada"
    assert user.personalization_enabled is True
    stored = await get_user("u1")
    assert stored is not None
    assert stored.model_dump() == user.model_dump()
    assert stored.languages == ["en", "fr"]
    assert stored.attributes == {"plan": "pro", "cohort": {"year": 2024}}
    assert stored.created_at.tzinfo is not None
    assert abs(stored.updated_at - stored.created_at) < timedelta(seconds=1)
    assert await User.count() == 1


async def test_a_new_user_is_not_updated_before_it_was_created(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_clock() -> datetime:
        now = real_utcnow()
        time.sleep(0.003)  # any pause between the two clock reads
        return now

    monkeypatch.setattr(users_module, "utcnow", slow_clock)
    user = await upsert_user("u1", {})
    assert user.updated_at >= user.created_at


async def test_create_with_no_fields_gives_defaults() -> None:
    user = await upsert_user("bare", {})
    assert user.display_name is None
    assert user.languages == []
    assert user.attributes == {}
    assert user.personalization_enabled is True
    assert (await get_user("bare")) is not None


async def test_partial_update_keeps_untouched_fields() -> None:
    await upsert_user("u1", dict(PROFILE))
    updated = await upsert_user("u1", {"display_name": "Ada L.", "weekly_minutes_target": 60})
    assert updated.display_name == "Ada L."
    assert updated.weekly_minutes_target == 60
    stored = await get_user("u1")
    assert stored is not None
    assert stored.display_name == "Ada L."
    assert stored.weekly_minutes_target == 60
    assert stored.country == "GB"
    assert stored.languages == ["en", "fr"]
    assert stored.goals == ["data-science"]
    assert stored.interests == ["python", "statistics"]
    assert stored.preferred_formats == ["video"]
    assert stored.attributes == {"plan": "pro", "cohort": {"year": 2024}}
    assert await User.count() == 1


async def test_fields_can_be_cleared_explicitly() -> None:
    await upsert_user("u1", dict(PROFILE))
    await upsert_user("u1", {"display_name": None, "interests": [], "attributes": {}})
    stored = await get_user("u1")
    assert stored is not None
    assert stored.display_name is None
    assert stored.interests == []
    assert stored.attributes == {}
    assert stored.country == "GB"


async def test_attributes_are_replaced_not_merged() -> None:
    await upsert_user("u1", {"attributes": {"a": 1, "b": 2}})
    await upsert_user("u1", {"attributes": {"c": 3}})
    stored = await get_user("u1")
    assert stored is not None
    assert stored.attributes == {"c": 3}


async def test_created_at_is_kept_and_updated_at_moves() -> None:
    created = await upsert_user("u1", {"display_name": "A"})
    await asyncio.sleep(0.01)
    updated = await upsert_user("u1", {"display_name": "B"})
    stored = await get_user("u1")
    assert stored is not None
    assert stored.created_at == created.created_at
    assert updated.created_at == created.created_at
    assert stored.updated_at == updated.updated_at
    assert stored.updated_at > created.updated_at
    assert stored.updated_at.tzinfo is not None


async def test_id_cannot_be_changed_through_fields() -> None:
    with pytest.raises(UseCaseError) as caught:
        await upsert_user("u1", {"id": "u2"})
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert await User.count() == 0


@pytest.mark.parametrize("field", ["created_at", "updated_at", "nickname", "revision_id", "_id"])
async def test_unknown_field_is_bad_user_input_and_nothing_is_stored(field: str) -> None:
    with pytest.raises(UseCaseError) as caught:
        await upsert_user("u1", {"display_name": "A", field: "x"})
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == f"unknown user fields: {[field]}"
    assert await User.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weekly_minutes_target": -1}, "weeklyMinutesTarget"),
        ({"weekly_minutes_target": 10_081}, "weeklyMinutesTarget"),
        ({"preferred_session_minutes": 1_441}, "preferredSessionMinutes"),
        ({"display_name": "x" * 201}, "displayName"),
        ({"other_interests": "x" * 2_001}, "otherInterests"),
        ({"languages": ["en"] * 51}, "languages"),
        ({"personalization_enabled": "maybe"}, "personalizationEnabled"),
        ({"age_range": 30}, "ageRange"),
    ],
)
async def test_invalid_values_are_problems_naming_the_camel_case_field(fields: dict[str, Any], field: str) -> None:
    await upsert_user("u1", {"display_name": "Before", "weekly_minutes_target": 30})
    before = await _stored("u1")
    with pytest.raises(UseCaseError) as caught:
        await upsert_user("u1", {"display_name": "After", **fields})
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == "invalid user"
    assert [p.field for p in caught.value.problems] == [field]
    assert all(p.code is ErrorCode.BAD_USER_INPUT and p.index is None for p in caught.value.problems)
    assert await _stored("u1") == before


async def test_several_invalid_values_give_one_problem_each() -> None:
    with pytest.raises(UseCaseError) as caught:
        await upsert_user("u1", {"weekly_minutes_target": -1, "preferred_session_minutes": -1})
    assert sorted(p.field or "" for p in caught.value.problems) == ["preferredSessionMinutes", "weeklyMinutesTarget"]
    assert await User.count() == 0


async def test_empty_user_id_is_refused() -> None:
    with pytest.raises(UseCaseError) as caught:
        await upsert_user("", {})
    assert [p.field for p in caught.value.problems] == ["id"]
    assert await User.count() == 0


def _deep(depth: int) -> dict[str, Any]:
    value: Any = "leaf"
    for level in range(depth):
        value = {f"l{level}": value}
    return value  # type: ignore[no-any-return]


BAD_ATTRIBUTES = [
    pytest.param({"$where": "sleep(1000)"}, "attributes has key '$where': keys may not start with '$'", id="dollar"),
    pytest.param({"a": {"$gt": ""}}, "attributes has key '$gt': keys may not start with '$'", id="nested-dollar"),
    pytest.param({"a.b": 1}, "attributes has key 'a.b': keys may not contain '.' or NUL", id="dotted"),
    pytest.param({"a": [{"x.y": 1}]}, "attributes has key 'x.y': keys may not contain '.' or NUL", id="dotted-in-list"),
    pytest.param({"nul\0": 1}, "attributes has key 'nul\\x00': keys may not contain '.' or NUL", id="nul"),
    pytest.param(_deep(6), "attributes nests deeper than 5 levels", id="depth-6"),
    pytest.param({"blob": "x" * (16 * 1024)}, f"attributes is {16 * 1024 + 12} bytes; at most 16384 are allowed",
                 id="over-16k"),
    pytest.param(["not", "an", "object"], "attributes must be a JSON object", id="list"),
    pytest.param({"": 1}, "attributes has an empty or non-string key", id="empty-key"),
]


@pytest.mark.parametrize(("attributes", "message"), BAD_ATTRIBUTES)
async def test_bad_attributes_are_refused_and_nothing_is_stored(attributes: Any, message: str) -> None:
    await upsert_user("u1", {"display_name": "Before", "attributes": {"keep": True}})
    before = await _stored("u1")
    with pytest.raises(UseCaseError) as caught:
        await upsert_user("u1", {"display_name": "After", "attributes": attributes})
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == message
    assert caught.value.problems == [Problem(ErrorCode.BAD_USER_INPUT, message, "attributes")]
    assert await _stored("u1") == before


@pytest.mark.parametrize(("attributes", "message"), BAD_ATTRIBUTES)
async def test_bad_attributes_on_create_store_no_user(attributes: Any, message: str) -> None:
    with pytest.raises(UseCaseError) as caught:
        await upsert_user("new", {"attributes": attributes})
    assert caught.value.message == message
    assert await User.count() == 0


async def test_attributes_at_the_limits_are_accepted() -> None:
    blob = "x" * (16 * 1024 - len('{"blob": ""}'))
    await upsert_user("u1", {"attributes": {"blob": blob}})
    await upsert_user("u2", {"attributes": _deep(5)})
    await upsert_user("u3", {"attributes": {"a$b": 1, "ünï": [1, {"k": None}]}})
    stored = {u.id: u.attributes for u in await User.find_all().to_list()}
    assert stored == {"u1": {"blob": blob}, "u2": _deep(5), "u3": {"a$b": 1, "ünï": [1, {"k": None}]}}


async def test_every_profile_field_can_be_set() -> None:
    values: dict[str, Any] = {
        "display_name": "D", "age_range": "25-34", "country": "DE", "city": "Berlin", "languages": ["de"],
        "timezone": "Europe/Berlin", "education_level": "msc", "job_title": "dev", "industry": "it",
        "goals": ["g"], "interests": ["i"], "other_interests": "o", "weekly_minutes_target": 10_080,
        "preferred_formats": ["text"], "preferred_session_minutes": 1_440, "personalization_enabled": False,
        "attributes": {"a": 1},
    }
    assert set(values) == set(PROFILE_FIELDS)
    await upsert_user("u1", values)
    stored = await get_user("u1")
    assert stored is not None
    assert {name: getattr(stored, name) for name in PROFILE_FIELDS} == values


async def test_a_learner_with_events_can_still_be_read_and_updated() -> None:
    await upsert_user("u1", {"display_name": "Ada"})
    options = IngestOptions(settings=Settings(), trackers=TRACKERS, default_purposes=frozenset({Purpose.ESSENTIAL, Purpose.BEHAVIORAL_TRACKING}))
    await track_events([{"user_id": "u1", "event_id": "e1", "type": "page_view"}], options)
    user = await get_user("u1")
    assert user is not None
    assert user.display_name == "Ada"
    assert [a.type for a in user.recent_activity] == ["page_view"]
    assert user.insights.events == 1
    updated = await upsert_user("u1", {"display_name": "Ada L."})
    assert [a.type for a in updated.recent_activity] == ["page_view"]


@pytest.mark.parametrize(("user_id", "message"), [("", "id may not be empty"), ("$x", "id may not start with '$'"),
                                                  ("a\x00b", "id may not contain control characters")])
async def test_a_user_id_outside_the_id_rule_is_refused(user_id: str, message: str) -> None:
    with pytest.raises(UseCaseError) as refused:
        await upsert_user(user_id, {"display_name": "X"})
    assert (refused.value.code, refused.value.message, refused.value.problems[0].field) == (
        ErrorCode.BAD_USER_INPUT, message, "id")
    assert await User.find_all().count() == 0


@pytest.mark.parametrize("attributes", [{"n": 2**70}, {"x": float("nan")}, {"s": "\ud800"}, {"\udfff": 1}])
async def test_attributes_no_store_can_keep_are_refused(attributes: dict[str, object]) -> None:
    with pytest.raises(UseCaseError) as refused:
        await upsert_user("u-attr", {"attributes": attributes})
    assert refused.value.code is ErrorCode.BAD_USER_INPUT and refused.value.problems[0].field == "attributes"
