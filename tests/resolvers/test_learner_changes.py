"""The ledger of learners changed by this process, and the guard that every write use case reports to it
(otherwise a learner's cached recommendations would outlive what they just did)."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.core.documents import Purpose
from app.core.settings import Settings
from recommenders.knowledge.serving import DifficultyFeedback
from resolvers import learner_changes
from resolvers.courses.courses import upsert_courses
from resolvers.courses.enrollments import enroll, update_progress
from resolvers.courses.ratings import rate_course
from resolvers.events.tracking import IngestOptions, track_events
from resolvers.learner_changes import CHANGES, LearnerChanges
from resolvers.practice.knowledge import course_difficulty_feedback, trackers_for
from resolvers.practice.placement_tests import start_placement_test
from resolvers.privacy.consents import ConsentPolicy, set_consent, set_personalization
from resolvers.privacy.data_rights import delete_my_data
from resolvers.profile.preferences import dismiss_recommendation, mark_not_interested
from resolvers.profile.users import upsert_user
from resolvers.profile.writes import update_profile
from tests.resolvers.practice.test_placement_tests import run_to_the_end, seed_bank

TRACKERS = trackers_for(Settings())


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def ledger(horizon: float = 60.0) -> tuple[LearnerChanges, Clock]:
    changes, clock = LearnerChanges(horizon), Clock()
    changes.clock = clock  # type: ignore[method-assign]
    return changes, clock


def test_a_learner_is_changed_since_any_reading_not_after_the_report() -> None:
    changes, clock = ledger()
    before = clock()
    clock.now += 1
    changes.touched(["u1"])
    assert changes.changed_since("u1", before) and changes.changed_since("u1", clock())
    clock.now += 1
    assert not changes.changed_since("u1", clock()) and not changes.changed_since("u2", before)


def test_stamps_older_than_the_horizon_are_pruned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learner_changes, "PRUNE_EVERY", 3)
    changes, clock = ledger(horizon=10)
    changes.touched(["old"])
    clock.now += 11
    changes.touched(["a", "b"])  # the third report prunes
    assert len(changes) == 2 and not changes.changed_since("old", 0)


COURSE = {"id": "c1", "title": "Python Basics", "skills": ["Python"], "topics": ["Programming"]}
POLICY = ConsentPolicy(version="v1")

WRITES: dict[str, Callable[[], Awaitable[Any]]] = {
    "enroll": lambda: enroll("u1", "c1"),
    "update_progress": lambda: update_progress("u1", "c1", 0.5),
    "rate_course": lambda: rate_course("u1", "c1", 5, None),
    "set_consent": lambda: set_consent("u1", Purpose.PERSONALIZATION, False, POLICY),
    "set_personalization": lambda: set_personalization("u1", False),
    "mark_not_interested": lambda: mark_not_interested("u1", topic="Programming"),
    "dismiss_recommendation": lambda: dismiss_recommendation("u1", "c1", "r1"),
    "update_profile": lambda: update_profile("u1", {"job_title": "Analyst"}),
    "upsert_user": lambda: upsert_user("u1", {"languages": ["en"]}),
    "course_difficulty_feedback": lambda: course_difficulty_feedback("u1", "c1", DifficultyFeedback.TOO_HARD,
                                                                        None, Settings(), TRACKERS),
    "track_events": lambda: _tracked({"event_id": "e1", "type": "rate", "user_id": "u1", "course_id": "c1",
                                      "properties": {"rating": 5}}),
    "delete_my_data": lambda: delete_my_data("u1"),
    "placement_test": lambda: _placed("u1"),
}


async def _tracked(event: dict[str, Any]) -> None:
    results = await track_events([event], IngestOptions(settings=Settings(), trackers=TRACKERS))
    assert [result.status for result in results] == ["accepted"], results


async def _placed(user_id: str) -> None:
    await seed_bank("Algebra", 9)
    await run_to_the_end(await start_placement_test(user_id, ["Algebra"]), user_id, 1.0)


@pytest.mark.usefixtures("clean")
@pytest.mark.parametrize("name", sorted(WRITES))
async def test_every_write_use_case_reports_its_learner(name: str) -> None:
    await upsert_courses([COURSE], 10)
    if name != "enroll":
        await enroll("u1", "c1")
    before = CHANGES.clock()
    assert not CHANGES.changed_since("u1", before)
    await WRITES[name]()
    assert CHANGES.changed_since("u1", before)


BEHAVIOURAL = IngestOptions(settings=Settings(), trackers=TRACKERS, default_purposes=frozenset({Purpose.ESSENTIAL, Purpose.BEHAVIORAL_TRACKING}))


@pytest.mark.usefixtures("clean")
async def test_events_that_only_move_usage_patterns_keep_the_learners_lists() -> None:
    await upsert_courses([COURSE], 10)
    before = CHANGES.clock()
    quiet = [{"event_id": "q1", "type": "page_view", "user_id": "u1", "properties": {"path": "/home"}},
             {"event_id": "q2", "type": "recommendation_impression", "user_id": "u1", "course_id": "c1",
              "properties": {"request_id": "r1"}},
             {"event_id": "q3", "type": "session_start", "user_id": "u1"}]
    assert [r.status for r in await track_events(quiet, BEHAVIOURAL)] == ["accepted"] * 3
    assert not CHANGES.changed_since("u1", before)
    viewed = [{"event_id": "v1", "type": "course_view", "user_id": "u1", "course_id": "c1"}]
    assert [r.status for r in await track_events(viewed, BEHAVIOURAL)] == ["accepted"]
    assert CHANGES.changed_since("u1", before)
