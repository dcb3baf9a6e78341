"""The event taxonomy: every event type Pathwise understands, its typed properties, the purpose it
is collected for, and what it feeds. The privacy notice is generated from this table."""

import builtins
import functools
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.core.documents.consents import Purpose

CUSTOM_PREFIX = "custom:"


class Props(BaseModel):
    """Base of typed properties: known keys are checked, unknown keys are kept (free-form rules apply)."""

    model_config = ConfigDict(extra="allow")


class NoProps(Props):
    pass


class SessionEnd(Props):
    duration_ms: int | None = Field(default=None, ge=0, le=86_400_000)


class PageView(Props):
    path: str | None = Field(default=None, max_length=2_000)
    title: str | None = Field(default=None, max_length=500)
    referrer: str | None = Field(default=None, max_length=2_000)


class Click(Props):
    target: str | None = Field(default=None, max_length=500)
    position: int | None = Field(default=None, ge=0)


class Search(Props):
    query: str = Field(min_length=1, max_length=500)
    result_count: int | None = Field(default=None, ge=0)


class Dwell(Props):
    duration_ms: int = Field(ge=0, le=86_400_000)
    target: str | None = Field(default=None, max_length=500)


class Lesson(Props):
    lesson_id: str = Field(min_length=1, max_length=200)
    duration_ms: int | None = Field(default=None, ge=0, le=86_400_000)


class Video(Props):
    video_id: str | None = Field(default=None, max_length=200)
    position_s: float | None = Field(default=None, ge=0)
    duration_s: float | None = Field(default=None, ge=0)
    from_s: float | None = Field(default=None, ge=0)
    speed: float | None = Field(default=None, gt=0, le=16)


class QuizAnswer(Props):
    item_id: str = Field(min_length=1, max_length=200)
    skill: str | None = Field(default=None, max_length=200)
    correct: bool
    response_time_ms: int | None = Field(default=None, ge=0, le=86_400_000)
    hints_used: int = Field(default=0, ge=0, le=100)
    attempt: int = Field(default=1, ge=1, le=1_000)


class Progress(Props):
    progress: float = Field(ge=0, le=1)


class Rate(Props):
    rating: int = Field(ge=1, le=5)


class Review(Props):
    text: str = Field(min_length=1, max_length=10_000)


class Share(Props):
    channel: str | None = Field(default=None, max_length=100)


class Follow(Props):
    topic: str | None = Field(default=None, max_length=200)
    instructor: str | None = Field(default=None, max_length=200)


class RecommendationEvent(Props):
    request_id: str | None = Field(default=None, max_length=100)
    position: int | None = Field(default=None, ge=0)
    strategy: str | None = Field(default=None, max_length=100)
    experiment: str | None = Field(default=None, max_length=200)  # the list's `experiment`: outcomes attributed
    variant: str | None = Field(default=None, max_length=200)  # the list's `variant`; interleaved: the item's


class NotificationOpen(Props):
    notification_id: str | None = Field(default=None, max_length=200)
    campaign: str | None = Field(default=None, max_length=200)


class ForumPost(Props):
    thread_id: str | None = Field(default=None, max_length=200)
    length: int | None = Field(default=None, ge=0)


@dataclass(frozen=True)
class EventSpec:
    type: str
    description: str
    purpose: Purpose
    properties: builtins.type[Props] = NoProps
    needs_course: bool = False
    feeds: tuple[str, ...] = ()  # which insights it updates, for the privacy notice


_B, _E = Purpose.BEHAVIORAL_TRACKING, Purpose.ESSENTIAL
_VIDEO = ("engagement with formats",)

SPECS: dict[str, EventSpec] = {spec.type: spec for spec in [
    EventSpec("session_start", "A learning session began.", _B, feeds=("usage patterns",)),
    EventSpec("session_end", "A learning session ended, with its length.", _B, SessionEnd, feeds=("usage patterns",)),
    EventSpec("page_view", "A page of the platform was shown.", _B, PageView, feeds=("usage patterns",)),
    EventSpec("course_view", "A course page was shown.", _B, needs_course=True, feeds=("interests",)),
    EventSpec("click", "Something was clicked.", _B, Click),
    EventSpec("search", "The learner searched the catalog.", _B, Search, feeds=("interests",)),
    EventSpec("dwell", "The learner hovered or stayed on something.", _B, Dwell, feeds=("interests",)),
    EventSpec("lesson_open", "A lesson was opened.", _B, Lesson, feeds=("usage patterns",)),
    EventSpec("lesson_complete", "A lesson was finished.", _B, Lesson, feeds=("interests", "usage patterns")),
    EventSpec("video_play", "A video started playing.", _B, Video, feeds=_VIDEO),
    EventSpec("video_pause", "A video was paused.", _B, Video),
    EventSpec("video_seek", "The learner jumped within a video.", _B, Video),
    EventSpec("video_complete", "A video was watched to the end.", _B, Video, feeds=_VIDEO),
    EventSpec("video_speed", "The playback speed changed.", _B, Video),
    EventSpec("quiz_answer", "A practice or quiz item was answered.", _E, QuizAnswer,
              feeds=("quiz accuracy per skill", "what you know")),
    EventSpec("enroll", "The learner enrolled in a course.", _E, needs_course=True,
              feeds=("interests", "completion rate")),
    EventSpec("progress", "Progress through a course.", _E, Progress, needs_course=True),
    EventSpec("complete", "A course was completed.", _E, needs_course=True, feeds=("interests", "completion rate")),
    EventSpec("rate", "The learner rated a course.", _E, Rate, needs_course=True, feeds=("interests",)),
    EventSpec("review", "The learner reviewed a course.", _E, Review, needs_course=True),
    EventSpec("bookmark", "The learner bookmarked a course.", _B, needs_course=True, feeds=("interests",)),
    EventSpec("share", "The learner shared a course.", _B, Share, needs_course=True, feeds=("interests",)),
    EventSpec("follow", "The learner followed a topic or instructor.", _E, Follow, feeds=("interests",)),
    EventSpec("unfollow", "The learner unfollowed a topic or instructor.", _E, Follow, feeds=("interests",)),
    EventSpec("recommendation_impression", "A recommendation was shown.", _B, RecommendationEvent, needs_course=True),
    EventSpec("recommendation_click", "A recommendation was opened.", _B, RecommendationEvent, needs_course=True,
              feeds=("interests",)),
    EventSpec("recommendation_dismiss", "A recommendation was dismissed.", _E, RecommendationEvent,
              needs_course=True, feeds=("exclusions",)),
    EventSpec("notification_open", "A notification was opened.", _B, NotificationOpen),
    EventSpec("forum_post", "The learner posted in a forum.", _B, ForumPost, feeds=("usage patterns",)),
]}

CUSTOM = EventSpec("custom:*", "Your platform's own event types.", _B)


def spec_for(event_type: str) -> EventSpec | None:
    """The spec of `event_type`; custom types share one; None for an unknown type."""
    if event_type.startswith(CUSTOM_PREFIX) and len(event_type) > len(CUSTOM_PREFIX):
        return CUSTOM
    return SPECS.get(event_type)


def canonical_properties(spec: EventSpec, properties: dict[str, Any]) -> dict[str, Any]:
    """Known properties under their snake_case names: `itemId` → `item_id` (JavaScript clients send camelCase);
    a name given both ways keeps the snake_case value; other keys stay as sent."""
    known = _field_names(spec.properties)
    renamed = {key: snake for key in properties if key not in known and (snake := _snake(key)) in known}
    if not renamed:
        return dict(properties)
    return {renamed.get(key, key): value for key, value in properties.items()
            if key not in renamed or renamed[key] not in properties}


@functools.cache
def _field_names(properties: builtins.type[Props]) -> frozenset[str]:
    """The known property names of a Props class (reading `model_fields` costs ~1 µs a call)."""
    return frozenset(properties.model_fields)


def _snake(name: str) -> str:
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in name).lstrip("_")


def check_properties(spec: EventSpec, properties: dict[str, Any]) -> str | None:
    """Why `properties` do not fit the type, or None."""
    try:
        spec.properties.model_validate(properties)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"properties.{where}: {first['msg']}" if where else f"properties: {first['msg']}"
    return None
