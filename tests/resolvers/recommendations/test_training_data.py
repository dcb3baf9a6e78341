"""resolvers.recommendations.training_data: what the recommenders are fitted on, read from the store."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from app.core.documents import Enrollment, EnrollmentStatus, Event, Purpose, Rating, User
from app.core.encryption import data_keys
from app.core.encryption.data_keys import DataKeys
from app.core.encryption.field_encryption import Keyring, new_key
from app.core.encryption.sealed_fields import replace_sealed
from resolvers.recommendations.training_data import event_signals, interactions, rating_signals, training_data

pytestmark = pytest.mark.usefixtures("clean")
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def event(n: int, user: str, course: str | None, kind: str, at: datetime) -> Event:
    return Event(id=Event.key(user, f"e{n}"), user_id=user, event_id=f"e{n}", type=kind, course_id=course,
                 server_timestamp=at, purpose=Purpose.BEHAVIORAL_TRACKING)


async def test_course_events_are_grouped_per_learner_course_and_type() -> None:
    for n, (user, course, kind, minutes) in enumerate([
        ("u1", "c1", "course_view", 0), ("u1", "c1", "course_view", 5), ("u1", "c1", "bookmark", 1),
        ("u2", "c1", "course_view", 2), ("u1", None, "page_view", 3), ("u1", "c2", "search", 4),
    ]):
        await event(n, user, course, kind, T0 + timedelta(minutes=minutes)).insert()
    found = {(s.user_id, s.item_id, s.kind): s for s in await event_signals()}
    assert set(found) == {("u1", "c1", "course_view"), ("u1", "c1", "bookmark"), ("u2", "c1", "course_view")}
    twice = found[("u1", "c1", "course_view")]
    assert twice.at == T0 + timedelta(minutes=5)
    assert twice.weight > found[("u2", "c1", "course_view")].weight  # repeats count, with diminishing returns
    assert found[("u1", "c1", "bookmark")].weight == 1.0


async def test_interactions_weigh_completions_over_enrolments_and_skip_poor_ratings() -> None:
    await Enrollment(id="a:c1", user_id="a", course_id="c1", status=EnrollmentStatus.COMPLETED,
                     completed_at=T0).insert()
    await Enrollment(id="a:c2", user_id="a", course_id="c2").insert()
    await Enrollment(id="a:c3", user_id="a", course_id="c3", status=EnrollmentStatus.DROPPED).insert()
    await Rating(id=Rating.key("a", "c4"), user_id="a", course_id="c4", rating=5).insert()
    await Rating(id=Rating.key("a", "c5"), user_id="a", course_id="c5", rating=1).insert()
    weights = {(s.item_id, s.kind): s.weight for s in await interactions()}
    assert weights == {("c1", "complete"): 2.0, ("c2", "enroll"): 1.0, ("c4", "rate"): 1.5}


async def test_segments_only_for_learners_who_allow_personalization() -> None:
    await User(id="yes", job_title="Data Analyst", consents={"personalization": True}).insert()
    await User(id="no", job_title="Nurse").insert()
    data = await training_data(T0, 30.0, {Purpose.ESSENTIAL})
    assert data.segments == {"yes": {"role": "data analyst"}}


async def test_ratings_with_a_sealed_review_are_read_without_their_data_key(caplog: pytest.LogCaptureFixture) -> None:
    keys = DataKeys(Keyring("k1", {"k1": new_key()}))
    data_keys._current[:] = [keys]
    try:
        await replace_sealed("ratings", "a", Rating(id=Rating.key("a", "c4"), user_id="a", course_id="c4", rating=4,
                                                    review="Clear and practical", updated_at=T0))
        data_keys._current[:] = [DataKeys(keys.keyring)]  # a cold cache, as in a fresh `pathwise train`
        with caplog.at_level(logging.WARNING):
            signals = await rating_signals()
    finally:
        data_keys._current.clear()
    assert [(s.user_id, s.item_id, s.weight, s.at, s.kind) for s in signals] == [("a", "c4", 1.5, T0, "rate")]
    assert "does not open" not in caplog.text
