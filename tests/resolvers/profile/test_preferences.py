"""resolvers.profile.preferences: follows, interests, "not interested" and recommendation feedback; idempotent,
validated against the catalog, stored on User.preferences."""

from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta

import pytest

from app.core.documents import Course, User
from app.core.documents.profiles import FEEDBACK_LIMIT, Provenance, RecommendationFeedback
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.profile import preferences

pytestmark = pytest.mark.usefixtures("clean")
AT = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def catalog(clean: None) -> None:
    await Course.insert_many([
        Course(id="py", title="Python", skills=["Python"], topics=["Programming"], instructors=["Maren Okafor"]),
        Course(id="sql", title="SQL", skills=["SQL"], topics=["Databases"]),
        Course(id="gone", title="Gone", skills=["Cobol"], topics=["Legacy"], instructors=["Old Timer"],
               published=False),
    ])


async def _refused(call: Awaitable[object], code: ErrorCode, field: str | None) -> None:
    with pytest.raises(UseCaseError) as raised:
        await call
    assert [(p.code, p.field) for p in raised.value.problems] == [(code, field)]


async def test_follow_topic_uses_the_catalog_spelling_and_is_idempotent() -> None:
    await preferences.follow_topic("u1", "programming")
    user = await preferences.follow_topic("u1", "PROGRAMMING")
    assert user.preferences.followed_topics == ["Programming"]
    user = await preferences.follow_topic("u1", "sql")  # skills may be followed too
    assert user.preferences.followed_topics == ["Programming", "SQL"]
    assert (await User.get("u1")) == user


async def test_unfollow_topic_ignores_case_and_is_idempotent() -> None:
    await preferences.follow_topic("u1", "Programming")
    user = await preferences.unfollow_topic("u1", "programming")
    assert user.preferences.followed_topics == []
    assert (await preferences.unfollow_topic("u1", "Programming")).preferences.followed_topics == []


async def test_unknown_or_unpublished_topics_are_not_found() -> None:
    await _refused(preferences.follow_topic("u1", "Knitting"), ErrorCode.NOT_FOUND, "topic")
    await _refused(preferences.follow_topic("u1", "Legacy"), ErrorCode.NOT_FOUND, "topic")
    await _refused(preferences.follow_topic("u1", "  "), ErrorCode.BAD_USER_INPUT, "topic")
    assert await User.get("u1") is None


async def test_follow_and_unfollow_instructor() -> None:
    await preferences.follow_instructor("u1", "maren  okafor")
    user = await preferences.follow_instructor("u1", "Maren Okafor")
    assert user.preferences.followed_instructors == ["Maren Okafor"]
    user = await preferences.unfollow_instructor("u1", "MAREN OKAFOR")
    assert user.preferences.followed_instructors == []
    await _refused(preferences.follow_instructor("u1", "Old Timer"), ErrorCode.NOT_FOUND, "instructor")


async def test_set_interests_replaces_them_with_learner_provenance() -> None:
    github = Provenance(source="github", at=AT)
    await User(id="u1", interests=["Python"], provenance={"interests:python": github}).insert()
    user = await preferences.set_interests("u1", ["sql", "programming"], now=AT)
    assert user.interests == ["SQL", "Programming"]
    assert user.provenance == {"interests": Provenance(source="learner", at=AT)}


async def test_set_interests_names_each_unknown_label() -> None:
    with pytest.raises(UseCaseError) as raised:
        await preferences.set_interests("u1", ["SQL", "Knitting", "Cobol"])
    assert [(p.code, p.field, p.index) for p in raised.value.problems] == [
        (ErrorCode.BAD_USER_INPUT, "interests", 1), (ErrorCode.BAD_USER_INPUT, "interests", 2)]
    await _refused(preferences.set_interests("u1", ["SQL"] * 201), ErrorCode.BAD_USER_INPUT, "interests")


async def test_not_interested_in_a_course_and_undo() -> None:
    await preferences.mark_not_interested("u1", course_id="py")
    user = await preferences.mark_not_interested("u1", course_id="py")
    assert user.preferences.not_interested_courses == ["py"]
    user = await preferences.undo_not_interested("u1", course_id="py")
    assert user.preferences.not_interested_courses == []
    await _refused(preferences.mark_not_interested("u1", course_id="nope"), ErrorCode.NOT_FOUND, None)
    await _refused(preferences.mark_not_interested("u1", course_id="gone"), ErrorCode.NOT_FOUND, None)


async def test_not_interested_in_a_topic_unfollows_it_and_drops_the_interest() -> None:
    await User(id="u1", interests=["SQL", "Programming"],
               provenance={"interests:programming": Provenance(source="github", at=AT)}).insert()
    await preferences.follow_topic("u1", "Programming")
    user = await preferences.mark_not_interested("u1", topic="programming")
    assert user.preferences.not_interested_topics == ["Programming"]
    assert (user.preferences.followed_topics, user.interests) == ([], ["SQL"])
    assert user.provenance == {}
    user = await preferences.undo_not_interested("u1", topic="PROGRAMMING")
    assert user.preferences.not_interested_topics == []
    assert user.interests == ["SQL"]  # undo does not bring back what was dropped


async def test_following_a_topic_takes_back_not_interested() -> None:
    await preferences.mark_not_interested("u1", topic="SQL")
    user = await preferences.follow_topic("u1", "sql")
    assert (user.preferences.followed_topics, user.preferences.not_interested_topics) == (["SQL"], [])


@pytest.mark.parametrize(("course_id", "topic"), [(None, None), ("py", "SQL")])
async def test_not_interested_needs_exactly_one_target(course_id: str | None, topic: str | None) -> None:
    await _refused(preferences.mark_not_interested("u1", course_id, topic), ErrorCode.BAD_USER_INPUT, None)
    await _refused(preferences.undo_not_interested("u1", course_id, topic), ErrorCode.BAD_USER_INPUT, None)


async def test_thumbs_are_stored_once_per_request_and_course() -> None:
    await preferences.rate_recommendation("u1", "req-1", "py", True, now=AT)
    await preferences.rate_recommendation("u1", "req-2", "py", True, now=AT)
    user = await preferences.rate_recommendation("u1", "req-1", "py", False, now=AT + timedelta(seconds=1))
    assert [(f.request_id, f.course_id, f.positive, f.action) for f in user.preferences.feedback] == [
        ("req-2", "py", True, "thumbs"), ("req-1", "py", False, "thumbs")]
    assert user.preferences.feedback[-1].at == AT + timedelta(seconds=1)


async def test_thumbs_are_validated() -> None:
    await _refused(preferences.rate_recommendation("u1", "r", "nope", True), ErrorCode.NOT_FOUND, None)
    await _refused(preferences.rate_recommendation("u1", "", "py", True), ErrorCode.BAD_USER_INPUT, "requestId")
    await _refused(preferences.rate_recommendation("u1", "r" * 201, "py", True), ErrorCode.BAD_USER_INPUT,
                   "requestId")


async def test_feedback_keeps_the_newest_entries() -> None:
    old = [RecommendationFeedback(request_id=f"r{i}", course_id="sql", positive=True, at=AT)
           for i in range(FEEDBACK_LIMIT)]
    user = User(id="u1")
    user.preferences.feedback = old
    await user.insert()
    user = await preferences.rate_recommendation("u1", "newest", "py", True, now=AT)
    assert len(user.preferences.feedback) == FEEDBACK_LIMIT
    assert (user.preferences.feedback[0].request_id, user.preferences.feedback[-1].request_id) == ("r1", "newest")


async def test_dismiss_hides_the_course_and_notes_the_request() -> None:
    await preferences.dismiss_recommendation("u1", "py", "req-9", now=AT)
    user = await preferences.dismiss_recommendation("u1", "py", "req-9", now=AT)
    assert user.preferences.dismissed_courses == ["py"]
    assert [(f.request_id, f.positive, f.action) for f in user.preferences.feedback] == [("req-9", False, "dismiss")]
    user = await preferences.dismiss_recommendation("u1", "sql", None, now=AT)
    assert user.preferences.dismissed_courses == ["py", "sql"]


async def test_changes_keep_the_rest_of_the_profile() -> None:
    await User(id="u1", display_name="Ana", goals=["SQL"]).insert()
    await User.get_pymongo_collection().update_one({"_id": "u1"}, {"$inc": {"insights.events": 2}})
    user = await preferences.follow_topic("u1", "Databases")
    assert (user.display_name, user.goals, user.insights.events) == ("Ana", ["SQL"], 2)
