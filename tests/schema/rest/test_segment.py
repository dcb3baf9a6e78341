"""schema.rest.segment: Segment/RudderStack calls mapped onto the taxonomy, without storing anything."""

from typing import Any

import pytest

from resolvers.errors import ErrorCode, Problem
from resolvers.event_types import SPECS
from schema.rest.segment import ALIASES, event_context, event_from_call, event_type, snake_name


@pytest.mark.parametrize(("name", "snake"), [
    ("Course Viewed", "course_viewed"), ("courseViewed", "course_viewed"), ("course-viewed", "course_viewed"),
    ("  Video 50% Watched! ", "video_50_watched"), ("HTTPCall", "httpcall"), ("***", ""),
])
def test_snake_name(name: str, snake: str) -> None:
    assert snake_name(name) == snake


@pytest.mark.parametrize(("name", "type_"), [
    ("Course Viewed", "course_view"), ("course_viewed", "course_view"), ("course viewed", "course_view"),
    ("Products Searched", "search"), ("Search", "search"), ("Video Playback Started", "video_play"),
    ("Quiz Answered", "quiz_answer"), ("Application Opened", "session_start"),
    ("course_view", "course_view"), ("Enroll", "enroll"), ("custom:my.thing", "custom:my.thing"),
    ("Certificate Downloaded", "custom:certificate_downloaded"), ("x" * 80, "custom:" + "x" * 64),
    ("", None), ("!!", None), (None, None), (42, None),
])
def test_event_type(name: Any, type_: str | None) -> None:
    assert event_type(name) == type_


def test_every_alias_names_a_type_of_the_taxonomy() -> None:
    assert set(ALIASES.values()) <= set(SPECS)
    assert all(alias == snake_name(alias) for alias in ALIASES)


def test_a_track_call_becomes_an_event() -> None:
    call = {"type": "track", "event": "Course Rated", "userId": "u1", "anonymousId": "anon", "messageId": "m1",
            "originalTimestamp": "2026-01-01T00:00:00Z", "properties": {"course_id": "c1", "Rating": 4}}
    assert event_from_call(call) == {"eventId": "m1", "type": "rate", "userId": "u1", "courseId": "c1",
                                     "timestamp": "2026-01-01T00:00:00Z", "properties": {"rating": 4}, "context": {}}


def test_a_numeric_course_id_is_a_string_and_a_camel_case_one_is_taken_too() -> None:
    assert event_from_call({"type": "track", "event": "Enrolled", "properties": {"courseId": 12}})["courseId"] == "12"  # type: ignore[index]


def test_renaming_never_overwrites_a_property_of_ours() -> None:
    call = {"type": "track", "event": "Video Playback Paused", "properties": {"position": 3, "position_s": 4}}
    assert event_from_call(call)["properties"] == {"position": 3, "position_s": 4}  # type: ignore[index]


def test_page_and_screen_calls_are_page_views_with_the_page_from_the_context() -> None:
    page = {"type": "page", "name": "Pricing", "messageId": "p1", "properties": {"path": "/pricing"},
            "context": {"page": {"path": "/ignored", "referrer": "https://ref.example", "title": "T"}}}
    assert event_from_call(page)["properties"] == {  # type: ignore[index]
        "path": "/pricing", "title": "Pricing", "referrer": "https://ref.example"}
    screen = event_from_call({"type": "screen", "name": "Lesson 3", "messageId": "s1"})
    assert screen == {"eventId": "s1", "type": "page_view", "properties": {"title": "Lesson 3"}, "context": {}}


@pytest.mark.parametrize(("call", "message"), [
    ({"type": "identify", "traits": {"email": "x"}}, "not an event: identify calls are not stored (use upsertUser)"),
    ({"type": "group"}, "not an event: group calls are not stored (use upsertUser)"),
    ({"type": "alias"}, "not an event: alias calls are not stored (use upsertUser)"),
    ({"type": "track"}, "a track call needs an event name"),
    ({"type": "capture"}, "unknown call type 'capture'; expected track, page or screen"),
    ({}, "unknown call type None; expected track, page or screen"),
])
def test_calls_that_are_not_events(call: dict[str, Any], message: str) -> None:
    assert event_from_call(call) == Problem(ErrorCode.BAD_USER_INPUT, message)


def test_properties_that_are_not_an_object_are_left_for_the_common_check() -> None:
    assert event_from_call({"type": "track", "event": "Clicked", "properties": [1]})["properties"] == [1]  # type: ignore[index]


def test_the_context_keeps_coarse_facts_only() -> None:
    context = {"device": {"type": "ios", "id": "device-id", "advertisingId": "ad"}, "os": {"name": "iOS", "version": "17.4"},
               "app": {"version": "5.2.0", "build": "77"}, "network": {"cellular": True, "wifi": False, "carrier": "T"},
               "screen": {"width": 390, "height": 844.0, "density": 3}, "location": {"latitude": 1.0, "city": "Lyon"},
               "ip": "198.51.100.1", "timezone": "Europe/Paris", "locale": 7, "traits": {"email": "x@example.com"}}
    assert event_context(context) == {"device": "ios", "os": "iOS 17.4", "appVersion": "5.2.0", "network": "cellular",
                                      "screen": "390x844", "city": "Lyon", "timezone": "Europe/Paris"}


@pytest.mark.parametrize(("user_agent", "device", "browser"), [
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4) AppleWebKit/605.1.15 Version/17.4 Mobile/15E148 Safari/604.1",
     "mobile", "Safari"),
    ("Mozilla/5.0 (iPad; CPU OS 17_4) AppleWebKit/605.1.15 CriOS/124.0 Mobile/15E148 Safari/604.1", "tablet", "Chrome"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36 Edg/124.0",
     "desktop", "Edge"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", "desktop", "Firefox"),
    ("curl/8.5", "desktop", None),
])
def test_device_class_and_browser_from_the_user_agent(user_agent: str, device: str, browser: str | None) -> None:
    context = event_context({"userAgent": user_agent})
    assert (context.get("device"), context.get("browser")) == (device, browser)


def test_long_derived_values_are_cut_to_fit() -> None:
    context = event_context({"os": {"name": "x" * 150}, "location": {"country": "y" * 300}})
    assert (len(context["os"]), len(context["country"])) == (100, 100)
