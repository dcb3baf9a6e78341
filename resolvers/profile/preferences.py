"""Explicit preferences: followed topics and instructors, interests, "not interested", and feedback on
recommendations. Every change is idempotent; labels are stored in the catalog's spelling."""

from datetime import datetime
from typing import Any

from app.core.documents import User
from app.core.documents.profiles import FEEDBACK_LIMIT, RecommendationFeedback
from app.core.timestamps import utcnow
from resolvers.courses.enrollments import require_course
from resolvers.courses.taxonomy import catalog_instructors, catalog_taxonomy, require_labels
from resolvers.errors import ErrorCode, Problem, UseCaseError
from resolvers.profile.onboarding import MAX_INTERESTS
from resolvers.profile.writes import LEARNER, item_key, item_keys_of, load_profile, provenance_changes, update_profile

MAX_FOLLOWED = 200
MAX_NOT_INTERESTED = 1_000  # per list; the oldest entries go first
MAX_REQUEST_ID_CHARS = 200


async def follow_topic(user_id: str, topic: str) -> User:
    """Follow a skill or topic of the catalog (and take back a "not interested" in it)."""
    label = await _catalog_label(topic, "topic")
    user = await load_profile(user_id)
    prefs = user.preferences
    return await _store(user_id, followed_topics=_added(prefs.followed_topics, label, MAX_FOLLOWED),
                        not_interested_topics=_removed(prefs.not_interested_topics, label))


async def unfollow_topic(user_id: str, topic: str) -> User:
    user = await load_profile(user_id)
    return await _store(user_id, followed_topics=_removed(user.preferences.followed_topics, _given(topic, "topic")))


async def follow_instructor(user_id: str, instructor: str) -> User:
    """Follow an instructor who teaches a published course."""
    name = (await catalog_instructors()).get(" ".join(_given(instructor, "instructor").split()).casefold())
    if name is None:
        raise _error(ErrorCode.NOT_FOUND, f"no instructor {instructor!r} in the catalog", "instructor")
    user = await load_profile(user_id)
    return await _store(user_id, followed_instructors=_added(user.preferences.followed_instructors, name,
                                                             MAX_FOLLOWED))


async def unfollow_instructor(user_id: str, instructor: str) -> User:
    user = await load_profile(user_id)
    followed = user.preferences.followed_instructors
    return await _store(user_id, followed_instructors=_removed(followed, _given(instructor, "instructor")))


async def set_interests(user_id: str, labels: list[str], now: datetime | None = None) -> User:
    """Replace the learner's interests (skills or topics of the catalog); provenance: the learner."""
    if len(labels) > MAX_INTERESTS:
        raise _error(ErrorCode.BAD_USER_INPUT, f"at most {MAX_INTERESTS} interests are allowed", "interests")
    interests = require_labels(labels, await catalog_taxonomy(), "interests")
    user = await load_profile(user_id)
    changes = {"interests": interests} | provenance_changes(["interests"], LEARNER, now or utcnow())
    return await update_profile(user_id, changes, [f"provenance.{key}" for key in item_keys_of(user, "interests")])


async def mark_not_interested(user_id: str, course_id: str | None = None, topic: str | None = None) -> User:
    """Hide a course, or a whole skill or topic (which also leaves the followed topics and interests)."""
    _one_of(course_id, topic)
    if course_id is not None:
        await require_course(course_id)
        user = await load_profile(user_id)
        hidden = _added(user.preferences.not_interested_courses, course_id, MAX_NOT_INTERESTED)
        return await _store(user_id, not_interested_courses=hidden)
    label = await _catalog_label(str(topic), "topic")
    user = await load_profile(user_id)
    prefs, interests = user.preferences, _removed(user.interests, label)
    changes = {"interests": interests} if interests != user.interests else {}
    return await _store(user_id, changes, [f"provenance.{item_key('interests', label)}"],
                        not_interested_topics=_added(prefs.not_interested_topics, label, MAX_NOT_INTERESTED),
                        followed_topics=_removed(prefs.followed_topics, label))


async def undo_not_interested(user_id: str, course_id: str | None = None, topic: str | None = None) -> User:
    """Take back a "not interested" (followed topics and interests it removed stay removed)."""
    _one_of(course_id, topic)
    user = await load_profile(user_id)
    prefs = user.preferences
    if course_id is not None:
        return await _store(user_id, not_interested_courses=_removed(prefs.not_interested_courses, course_id))
    return await _store(user_id, not_interested_topics=_removed(prefs.not_interested_topics, str(topic)))


async def rate_recommendation(user_id: str, request_id: str, course_id: str, positive: bool,
                              now: datetime | None = None) -> User:
    """Thumbs up or down on a course recommended in `request_id`; again replaces the earlier thumb."""
    entry = await _feedback(request_id, course_id, positive, "thumbs", now)
    user = await load_profile(user_id)
    return await _store(user_id, feedback=_with_feedback(user, entry))


async def dismiss_recommendation(user_id: str, course_id: str, request_id: str | None = None,
                                 now: datetime | None = None) -> User:
    """Stop recommending a course (a weaker signal than "not interested"), noting the request it came from."""
    entry = await _feedback(request_id, course_id, False, "dismiss", now)
    user = await load_profile(user_id)
    dismissed = _added(user.preferences.dismissed_courses, course_id, MAX_NOT_INTERESTED)
    return await _store(user_id, dismissed_courses=dismissed, feedback=_with_feedback(user, entry))


async def _feedback(request_id: str | None, course_id: str, positive: bool, action: str,
                    now: datetime | None) -> RecommendationFeedback:
    if request_id is not None and not 0 < len(request_id) <= MAX_REQUEST_ID_CHARS:
        raise _error(ErrorCode.BAD_USER_INPUT, f"must be 1 to {MAX_REQUEST_ID_CHARS} characters", "requestId")
    await require_course(course_id)
    return RecommendationFeedback(request_id=request_id, course_id=course_id, positive=positive, at=now or utcnow(),
                                  action=action)


def _with_feedback(user: User, entry: RecommendationFeedback) -> list[RecommendationFeedback]:
    """The feedback list with `entry` replacing any for the same request, course and action; newest last."""
    same = (entry.request_id, entry.course_id, entry.action)
    kept = [f for f in user.preferences.feedback if (f.request_id, f.course_id, f.action) != same]
    return [*kept, entry][-FEEDBACK_LIMIT:]


async def _store(user_id: str, changes: dict[str, Any] | None = None, removed: list[str] | None = None,
                 **lists: list[Any]) -> User:
    encoded = {f"preferences.{name}": [_plain(item) for item in values] for name, values in lists.items()}
    return await update_profile(user_id, (changes or {}) | encoded, removed or [])


def _plain(item: Any) -> Any:
    return item.model_dump() if isinstance(item, RecommendationFeedback) else item


def _added(values: list[str], value: str, limit: int) -> list[str]:
    """`value` appended unless already there (any case); the oldest dropped beyond `limit`."""
    if any(existing.casefold() == value.casefold() for existing in values):
        return values
    return [*values, value][-limit:]


def _removed(values: list[str], value: str) -> list[str]:
    return [existing for existing in values if existing.casefold() != value.casefold()]


async def _catalog_label(text: str, field_name: str) -> str:
    label = (await catalog_taxonomy()).label(_given(text, field_name))
    if label is None:
        raise _error(ErrorCode.NOT_FOUND, f"{text!r} is not a skill or topic of the catalog", field_name)
    return label


def _given(text: str, field_name: str) -> str:
    if not text.strip():
        raise _error(ErrorCode.BAD_USER_INPUT, "must not be empty", field_name)
    return text


def _one_of(course_id: str | None, topic: str | None) -> None:
    if (course_id is None) == (topic is None):
        raise _error(ErrorCode.BAD_USER_INPUT, "give either courseId or topic", None)


def _error(code: ErrorCode, message: str, field_name: str | None) -> UseCaseError:
    return UseCaseError(code, message, [Problem(code, message, field_name)])
