"""Segment/RudderStack calls as Pathwise events, so that an existing browser tracker can point at Pathwise.

`track` calls keep their event name, mapped onto the taxonomy (an alias table for common names, then the
snake_case form; anything else becomes `custom:<snake_name>`); `page` and `screen` become `page_view`;
`identify`, `alias` and `group` are not events and are rejected one by one. `messageId` is the event id.
The result is an event in the shape of `POST /v1/events` (camelCase), or the reason it is not one.
"""

import re
from typing import Any

from resolvers.errors import ErrorCode, Problem
from resolvers.event_types import SPECS, spec_for

# snake_case forms of common Segment/RudderStack event names -> Pathwise types
ALIASES: dict[str, str] = {
    **dict.fromkeys(["course_viewed", "viewed_course", "product_viewed"], "course_view"),
    **dict.fromkeys(["course_enrolled", "enrolled", "enrolled_in_course", "order_completed"], "enroll"),
    **dict.fromkeys(["course_completed", "completed_course"], "complete"),
    **dict.fromkeys(["course_progressed", "progress_updated"], "progress"),
    **dict.fromkeys(["course_rated", "product_rated"], "rate"),
    **dict.fromkeys(["course_reviewed", "product_reviewed"], "review"),
    **dict.fromkeys(["course_bookmarked", "bookmarked", "product_added_to_wishlist"], "bookmark"),
    **dict.fromkeys(["course_shared", "product_shared"], "share"),
    **dict.fromkeys(["lesson_started", "lesson_viewed", "lesson_opened"], "lesson_open"),
    **dict.fromkeys(["lesson_completed"], "lesson_complete"),
    **dict.fromkeys(["products_searched", "search", "searched", "search_performed"], "search"),
    **dict.fromkeys(["product_clicked", "clicked", "button_clicked", "link_clicked"], "click"),
    **dict.fromkeys(["video_playback_started", "video_playback_resumed", "video_played"], "video_play"),
    **dict.fromkeys(["video_playback_paused", "video_paused"], "video_pause"),
    **dict.fromkeys(["video_playback_seek_started", "video_playback_seek_completed", "video_seeked"], "video_seek"),
    **dict.fromkeys(["video_playback_completed", "video_content_completed", "video_completed"], "video_complete"),
    **dict.fromkeys(["quiz_answered", "question_answered"], "quiz_answer"),
    **dict.fromkeys(["session_started", "application_opened"], "session_start"),
    **dict.fromkeys(["session_ended", "application_backgrounded"], "session_end"),
    **dict.fromkeys(["page_viewed", "loaded_a_page"], "page_view"),
    **dict.fromkeys(["notification_opened", "push_notification_opened"], "notification_open"),
    **dict.fromkeys(["topic_followed", "instructor_followed"], "follow"),
}
# Segment's video spec names its properties differently
_VIDEO_PROPERTIES = {"position": "position_s", "total_length": "duration_s", "content_asset_id": "video_id"}
_RENAMED_PROPERTIES: dict[str, dict[str, str]] = {
    **{video: _VIDEO_PROPERTIES for video in ("video_play", "video_pause", "video_seek", "video_complete")},
    "review": {"review_body": "text"},
}
NOT_EVENTS = frozenset({"identify", "alias", "group"})
# longest value of each EventContext field: derived values are cut to fit, not refused
_CONTEXT_LIMITS = {"device": 50, "os": 100, "browser": 100, "screen": 50, "locale": 35, "timezone": 64,
                   "network": 50, "appVersion": 50, "country": 100, "city": 200}
_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("CriOS/", "Chrome"), ("Safari/", "Safari")]
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_OUR_TYPE = re.compile(r"^(custom:[a-z0-9][a-z0-9_.-]{0,63}|[a-z][a-z0-9_]{0,63})$")


def snake_name(name: str) -> str:
    """"Course Viewed", "courseViewed", "course-viewed" -> "course_viewed"."""
    return _NOT_ALNUM.sub("_", _CAMEL_HUMP.sub("_", name).lower()).strip("_")


def event_type(name: object) -> str | None:
    """The Pathwise type of a `track` call's event name; None when there is no usable name."""
    if not isinstance(name, str):
        return None
    if _OUR_TYPE.match(name) and spec_for(name) is not None:
        return name
    snake = snake_name(name)
    if not snake:
        return None
    if snake in ALIASES:
        return ALIASES[snake]
    return snake if snake in SPECS else "custom:" + snake[:64].rstrip("_")


def event_from_call(call: dict[str, Any]) -> dict[str, Any] | Problem:
    """The event a Segment/RudderStack call stands for (camelCase, as `POST /v1/events` takes it)."""
    kind = call.get("type")
    if kind in NOT_EVENTS:
        return Problem(ErrorCode.BAD_USER_INPUT, f"not an event: {kind} calls are not stored (use upsertUser)")
    if kind == "track":
        type_ = event_type(call.get("event"))
        if type_ is None:
            return Problem(ErrorCode.BAD_USER_INPUT, "a track call needs an event name")
    elif kind in ("page", "screen"):
        type_ = "page_view"
    else:
        return Problem(ErrorCode.BAD_USER_INPUT, f"unknown call type {kind!r}; expected track, page or screen")
    context = _object(call.get("context"))
    properties = _properties(call, type_, context)
    course_id = _pop_course_id(properties)
    event = {"eventId": call.get("messageId"), "type": type_, "userId": call.get("userId"),
             "timestamp": call.get("timestamp") or call.get("originalTimestamp"), "properties": properties,
             "context": event_context(context), "sessionId": _session_id(call, context), "courseId": course_id}
    return {key: value for key, value in event.items() if value is not None}


def _properties(call: dict[str, Any], type_: str, context: dict[str, Any]) -> Any:
    properties = call.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        return properties  # refused later, with the same message as anywhere else
    properties = _renamed(properties, type_)
    if type_ == "page_view":
        page = _object(context.get("page"))
        fallbacks = {"path": page.get("path"), "title": call.get("name") or page.get("title"),
                     "referrer": page.get("referrer")}
        properties.update({k: v for k, v in fallbacks.items() if properties.get(k) is None and v is not None})
    return properties


def _renamed(properties: dict[str, Any], type_: str) -> dict[str, Any]:
    """Segment's names for known properties, and camelCase forms of them, renamed to ours."""
    spec = spec_for(type_)
    known = spec.properties.model_fields if spec else {}
    names = _RENAMED_PROPERTIES.get(type_, {})
    renamed: dict[str, Any] = {}
    for key, value in properties.items():
        ours = names.get(key) or (snake_name(key) if snake_name(key) in known else key)
        renamed[ours if ours not in properties else key] = value
    return renamed


def _pop_course_id(properties: Any) -> str | None:
    """`course_id` (or `courseId`) taken out of the properties: it is the event's course."""
    if not isinstance(properties, dict):
        return None
    snake, camel = properties.pop("course_id", None), properties.pop("courseId", None)
    course_id = snake if snake is not None else camel
    return str(course_id) if isinstance(course_id, str | int) and not isinstance(course_id, bool) else None


def _session_id(call: dict[str, Any], context: dict[str, Any]) -> str | None:
    session = context.get("sessionId", call.get("sessionId"))
    return str(session) if isinstance(session, str | int) and not isinstance(session, bool) else None


def event_context(context: dict[str, Any]) -> dict[str, str]:
    """Segment's context as ours: device class, OS, browser, screen, locale, time zone, network, app version
    and coarse location (country and city only; coordinates, IP and the full user agent are dropped)."""
    user_agent = _text(context, "userAgent") or ""
    mapped = {
        "device": _text(context, "device", "type") or _device_class(user_agent),
        "os": " ".join(filter(None, [_text(context, "os", "name"), _text(context, "os", "version")])) or None,
        "browser": _browser(user_agent),
        "screen": _screen(context.get("screen")),
        "locale": _text(context, "locale"),
        "timezone": _text(context, "timezone"),
        "network": _network(context.get("network")),
        "appVersion": _text(context, "app", "version"),
        "country": _text(context, "location", "country"),
        "city": _text(context, "location", "city"),
    }
    return {key: value[:_CONTEXT_LIMITS[key]] for key, value in mapped.items() if value}


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(context: dict[str, Any], *path: str) -> str | None:
    value: Any = context
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def _device_class(user_agent: str) -> str | None:
    if not user_agent:
        return None
    if "iPad" in user_agent or "Tablet" in user_agent:
        return "tablet"
    return "mobile" if "Mobi" in user_agent else "desktop"


def _browser(user_agent: str) -> str | None:
    return next((name for marker, name in _BROWSERS if marker in user_agent), None)


def _screen(screen: Any) -> str | None:
    if not isinstance(screen, dict):
        return None
    width, height = screen.get("width"), screen.get("height")
    if isinstance(width, int | float) and isinstance(height, int | float):
        return f"{int(width)}x{int(height)}"
    return None


def _network(network: Any) -> str | None:
    if not isinstance(network, dict):
        return None
    return "wifi" if network.get("wifi") is True else "cellular" if network.get("cellular") is True else None
