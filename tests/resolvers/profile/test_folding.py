"""resolvers.profile.folding: events folded into the living profile with one find and one bulk write per call."""

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from app.core.documents import Event, Purpose, User
from app.core.documents.profiles import INTEREST_EPOCH, RECENT_ACTIVITY_LIMIT, SESSION_SAMPLE_LIMIT
from app.core.settings import Settings
from resolvers.courses.courses import upsert_courses
from resolvers.event_types import SPECS
from resolvers.events.tracking import EventStatus, IngestOptions, track_events
from resolvers.practice.knowledge import trackers_for
from resolvers.profile import folding
from resolvers.profile.folding import (
    ACTIVITY_SKIPPED,
    INTEREST_WEIGHTS,
    Catalog,
    CourseFacts,
    apply_events,
    interest_signals,
    length_bucket,
    local_time,
    search_ngrams,
)
from resolvers.profile.insights import insights_of, recent_activity_of
from resolvers.profile.users import upsert_user
from tests.conftest import CommandCounter

TRACKERS = trackers_for(Settings())

pytestmark = pytest.mark.usefixtures("clean")

HALF_LIFE = 30.0
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday
COURSES: list[dict[str, Any]] = [
    {"id": "py1", "title": "Python basics", "skills": ["Python", "Programming Fundamentals"], "topics": ["Programming"],
     "format": "interactive", "duration_minutes": 720},
    {"id": "py2", "title": "Pandas quickly", "skills": ["Python", "Pandas"], "topics": ["Data Science"],
     "format": "video", "duration_minutes": 15},
    {"id": "node", "title": "Node", "skills": ["Node.js", "JavaScript"], "topics": ["Web Development"],
     "format": "video", "duration_minutes": 90},
    {"id": "ml", "title": "ML", "skills": ["Machine Learning"], "topics": ["Artificial Intelligence"],
     "format": "text"},
]


def event(event_id: str, type_: str, at: datetime = T0, user_id: str = "u1", **fields: Any) -> Event:
    return Event(id=Event.key(user_id, event_id), user_id=user_id, event_id=event_id, type=type_,
                 client_timestamp=at, **fields)


def growth(at: datetime) -> float:
    return float(2 ** ((at - INTEREST_EPOCH).total_seconds() / (HALF_LIFE * 86_400)))


async def seed() -> None:
    await upsert_courses(COURSES, 100)


async def raw_user(user_id: str = "u1") -> dict[str, Any]:
    doc: dict[str, Any] | None = await User.get_pymongo_collection().find_one({"_id": user_id})
    assert doc is not None
    return doc


async def user(user_id: str = "u1") -> User:
    found = await User.get(user_id)
    assert found is not None
    return found


async def test_an_absent_learner_is_created_as_a_whole_document_with_nested_counters() -> None:
    await apply_events([event("e1", "page_view", context={"device": "mobile"})], HALF_LIFE)
    doc = await raw_user()
    assert not [key for key in doc if "." in key]
    assert doc["insights"]["hours"] == {"9": 1}
    assert doc["insights"]["weekdays"] == {"0": 1}
    assert doc["insights"]["devices"] == {"mobile": 1}
    assert doc["insights"]["events"] == 1
    assert doc["preferences"]["followed_topics"] == []
    assert (await user()).created_at is not None


async def test_an_existing_learner_keeps_their_profile_and_counters_add_up() -> None:
    await User(id="u1", display_name="Ana", goals=["Python"]).insert()
    await apply_events([event("e1", "page_view", context={"device": "Tablet"})], HALF_LIFE)
    await apply_events([event("e2", "page_view", at=T0 + timedelta(hours=4), context={"device": "tablet"}),
                        event("e3", "page_view", at=T0 + timedelta(hours=4))], HALF_LIFE)
    found = await user()
    assert (found.display_name, found.goals) == ("Ana", ["Python"])
    assert found.insights.hours == {"9": 1, "13": 2}
    assert found.insights.devices == {"tablet": 2}
    assert found.insights.events == 3


async def test_hours_and_weekdays_use_the_events_timezone_else_utc() -> None:
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # Sunday in UTC, Monday morning in Tokyo
    await apply_events([event("e1", "page_view", at=late, context={"timezone": "Asia/Tokyo"}),
                        event("e2", "page_view", at=late, context={"timezone": "Not/AZone"}),
                        event("e3", "page_view", at=late)], HALF_LIFE)
    found = await user()
    assert found.insights.hours == {"8": 1, "23": 2}
    assert found.insights.weekdays == {"0": 1, "6": 2}


async def test_server_time_stands_in_for_a_missing_client_timestamp() -> None:
    stamp = datetime(2026, 3, 4, 17, 5, tzinfo=UTC)
    await apply_events([Event(id="u1:e1", user_id="u1", event_id="e1", type="page_view", server_timestamp=stamp)],
                       HALF_LIFE)
    found = await user()
    assert found.insights.hours == {"17": 1}
    assert found.insights.last_active_day == "2026-03-04"


async def test_course_events_weigh_the_courses_skills_and_topics_time_normalised() -> None:
    await seed()
    later = T0 + timedelta(days=30)
    await apply_events([event("e1", "course_view", course_id="py1"), event("e2", "enroll", at=later, course_id="py2")],
                       HALF_LIFE)
    scores = (await user()).insights.interest_scores
    assert scores["python"] == pytest.approx(1 * growth(T0) + 3 * growth(later))
    assert scores["programming fundamentals"] == pytest.approx(growth(T0))
    assert scores["programming"] == pytest.approx(growth(T0))
    assert scores["data science"] == pytest.approx(3 * growth(later))
    assert scores["pandas"] / scores["programming"] == pytest.approx(6.0)  # 3x the weight, one half-life later


async def test_keys_are_mongo_safe_and_labels_are_kept() -> None:
    await seed()
    await apply_events([event("e1", "bookmark", course_id="node")], HALF_LIFE)
    found = await user()
    assert found.insights.interest_scores["node%2Ejs"] == pytest.approx(2 * growth(T0))
    assert found.insights.interest_labels["node%2Ejs"] == "Node.js"
    assert found.insights.interest_labels["web development"] == "Web Development"


async def test_search_feeds_catalog_skills_its_query_spells_out() -> None:
    await seed()
    await apply_events([event("e1", "search", properties={"query": "Intro to machine learning, python?"})],
                       HALF_LIFE)
    scores = (await user()).insights.interest_scores
    assert set(scores) == {"machine learning", "python"}
    assert scores["python"] == pytest.approx(growth(T0))


async def test_search_also_matches_topics_of_the_batchs_courses() -> None:
    await seed()
    await apply_events([event("e1", "search", properties={"query": "data science"}),
                        event("e2", "course_view", course_id="py2")], HALF_LIFE)
    scores = (await user()).insights.interest_scores
    assert scores["data science"] == pytest.approx(2 * growth(T0))


async def test_a_search_naming_nothing_known_feeds_no_interest() -> None:
    await seed()
    await apply_events([event("e1", "search", properties={"query": "pythonic bread"})], HALF_LIFE)
    assert (await user()).insights.interest_scores == {}


async def test_unfollow_takes_back_what_follow_gave() -> None:
    await apply_events([event("e1", "follow", properties={"topic": "Data Science"})], HALF_LIFE)
    assert (await user()).insights.interest_scores["data science"] == pytest.approx(4 * growth(T0))
    await apply_events([event("e2", "unfollow", properties={"topic": "data science"})], HALF_LIFE)
    assert (await user()).insights.interest_scores["data science"] == pytest.approx(0.0, abs=1e-6)


async def test_follow_of_an_instructor_feeds_no_interest() -> None:
    await apply_events([event("e1", "follow", properties={"instructor": "Maren Okafor"})], HALF_LIFE)
    assert (await user()).insights.interest_scores == {}


async def test_blank_labels_and_devices_name_nothing() -> None:
    await apply_events([event("e1", "follow", properties={"topic": "  "}, context={"device": " "}),
                        event("e2", "quiz_answer", properties={"item_id": "i", "skill": " ", "correct": True})],
                       HALF_LIFE)
    found = await user()
    assert (found.insights.interest_scores, found.insights.devices, found.insights.quiz) == ({}, {}, {})
    assert found.insights.events == 2


async def test_ratings_scale_with_stars_away_from_three() -> None:
    await seed()
    await apply_events([event("e1", "rate", course_id="py2", properties={"rating": 5}),
                        event("e2", "rate", course_id="node", properties={"rating": 1}),
                        event("e3", "rate", course_id="ml", properties={"rating": 3})], HALF_LIFE)
    found = await user()
    assert found.insights.interest_scores["pandas"] == pytest.approx(4 * growth(T0))
    assert found.insights.interest_scores["javascript"] == pytest.approx(-4 * growth(T0))
    assert "machine learning" not in found.insights.interest_scores
    assert found.insights.formats == {"video": 4.0}  # a bad rating adds no engagement


async def test_dwell_weighs_per_minute_up_to_a_cap() -> None:
    await seed()
    await apply_events([event("e1", "dwell", course_id="py2", properties={"duration_ms": 30_000}),
                        event("e2", "dwell", course_id="node", properties={"duration_ms": 3_600_000})], HALF_LIFE)
    scores = (await user()).insights.interest_scores
    assert scores["pandas"] == pytest.approx(0.5 * growth(T0))
    assert scores["javascript"] == pytest.approx(2.0 * growth(T0))


async def test_quiz_answers_tally_accuracy_per_skill_and_feed_the_skill() -> None:
    answers = [(True, "Python"), (False, "python"), (True, "Python"), (True, "SQL")]
    await apply_events([event(f"q{i}", "quiz_answer", properties={"item_id": f"i{i}", "skill": skill,
                                                                      "correct": correct})
                        for i, (correct, skill) in enumerate(answers)]
                       + [event("q9", "quiz_answer", properties={"item_id": "x", "correct": True})], HALF_LIFE)
    found = await user()
    tallies = {key: (t.attempts, t.correct) for key, t in found.insights.quiz.items()}
    assert tallies == {"python": (3, 2), "sql": (1, 1)}
    assert found.insights.interest_scores["python"] == pytest.approx(1.5 * growth(T0))


async def test_formats_and_lengths_come_from_the_courses_engaged_with() -> None:
    await seed()
    await apply_events([event("e1", "enroll", course_id="py1"), event("e2", "course_view", course_id="py2"),
                        event("e3", "video_complete", course_id="node"), event("e4", "course_view", course_id="ml"),
                        event("e5", "recommendation_impression", course_id="py2")], HALF_LIFE)
    found = await user()
    assert found.insights.formats == {"interactive": 3.0, "video": 2.0, "text": 1.0}
    assert found.insights.lengths == {"long": 3.0, "short": 1.0, "medium": 1.0}
    assert "javascript" not in found.insights.interest_scores  # video events speak of formats only


async def test_enrolments_and_completions_are_counted() -> None:
    await seed()
    await apply_events([event("e1", "enroll", course_id="py1"), event("e2", "enroll", course_id="py2"),
                        event("e3", "complete", course_id="py2")], HALF_LIFE)
    found = await user()
    assert (found.insights.enrolled, found.insights.completed) == (2, 1)


async def test_session_lengths_keep_the_last_samples() -> None:
    first = [event(f"s{i}", "session_end", properties={"duration_ms": i}) for i in range(SESSION_SAMPLE_LIMIT - 2)]
    await apply_events([*first, event("start", "session_start"), event("bare", "session_end")], HALF_LIFE)
    await apply_events([event(f"t{i}", "session_end", properties={"duration_ms": 1_000 + i}) for i in range(5)],
                       HALF_LIFE)
    lengths = (await user()).insights.session_lengths_ms
    assert len(lengths) == SESSION_SAMPLE_LIMIT
    assert lengths[:2] == [3, 4]
    assert lengths[-5:] == [1_000, 1_001, 1_002, 1_003, 1_004]


async def test_streaks_count_consecutive_days_across_calls() -> None:
    day = timedelta(days=1)
    await apply_events([event("a", "page_view", at=T0), event("b", "page_view", at=T0 + day),
                        event("c", "page_view", at=T0 + day + timedelta(hours=3))], HALF_LIFE)
    await apply_events([event("d", "page_view", at=T0 + 2 * day)], HALF_LIFE)
    found = (await user()).insights
    assert (found.current_streak, found.longest_streak, found.active_days) == (3, 3, 3)
    await apply_events([event("e", "page_view", at=T0 + 5 * day), event("f", "page_view", at=T0 + 6 * day)],
                       HALF_LIFE)
    found = (await user()).insights
    assert (found.current_streak, found.longest_streak, found.active_days) == (2, 3, 5)
    assert found.last_active_day == (T0 + 6 * day).date().isoformat()


async def test_a_late_event_neither_resets_nor_extends_the_streak() -> None:
    await apply_events([event("a", "page_view", at=T0), event("b", "page_view", at=T0 + timedelta(days=1))],
                       HALF_LIFE)
    await apply_events([event("old", "page_view", at=T0 - timedelta(days=10))], HALF_LIFE)
    found = (await user()).insights
    assert (found.current_streak, found.longest_streak, found.active_days) == (2, 2, 2)
    assert found.last_active_day == "2026-03-03"


async def test_last_active_at_is_the_latest_instant_seen() -> None:
    latest = T0 + timedelta(hours=5, milliseconds=250)
    await apply_events([event("a", "page_view", at=latest), event("b", "page_view")], HALF_LIFE)
    await apply_events([event("old", "page_view", at=T0 - timedelta(days=3))], HALF_LIFE)
    stored = (await user()).insights.last_active_at
    assert stored is not None
    assert stored.replace(tzinfo=stored.tzinfo or UTC) == latest


async def test_recent_activity_is_capped_oldest_first_and_merged_in_time_order() -> None:
    await seed()
    batch = [event(f"v{i:03d}", "course_view", at=T0 + timedelta(minutes=i), course_id="py1")
             for i in range(RECENT_ACTIVITY_LIMIT + 5)]
    await apply_events(batch, HALF_LIFE)
    await apply_events([event("late", "search", at=T0 + timedelta(minutes=30), properties={"query": "go"}),
                        event("click", "click", at=T0 + timedelta(hours=2)),
                        event("new", "rate", at=T0 + timedelta(hours=1), course_id="py1",
                              properties={"rating": 4})], HALF_LIFE)
    activity = (await user()).recent_activity
    assert len(activity) == RECENT_ACTIVITY_LIMIT
    assert [a.at for a in activity] == sorted(a.at for a in activity)
    assert (activity[-1].type, activity[-1].detail, activity[-1].course_id) == ("rate", "4", "py1")
    assert [a.detail for a in activity if a.type == "search"] == ["go"]
    assert "click" not in {a.type for a in activity}
    assert activity[0].at == T0 + timedelta(minutes=7)


async def test_one_call_is_a_course_find_a_learner_find_and_one_bulk_write(command_counter: CommandCounter) -> None:
    await seed()
    await User(id="u2").insert()
    batch = [event(f"e{i}", "course_view", user_id=f"u{i % 3}", course_id="py1") for i in range(30)]
    command_counter.commands.clear()
    await apply_events(batch, HALF_LIFE)
    assert command_counter.commands == ["find", "find", "update"]
    assert {u.id for u in await User.find_all().to_list()} == {"u0", "u1", "u2"}


async def test_a_batch_naming_more_counters_than_one_inc_may_hold_keeps_them_all(
        command_counter: CommandCounter) -> None:
    """100 topics, 24 hours and 7 weekdays are ~140 `$inc` paths: the embedded store would drop an `$inc` that
    long whole, so it is sent as several updates of the one bulk write."""
    batch = [event(f"e{i}", "follow", at=T0 + timedelta(hours=i), properties={"topic": f"Topic {i}"})
             for i in range(100)]
    command_counter.commands.clear()
    await apply_events(batch, HALF_LIFE)
    assert command_counter.commands == ["find", "update"]
    insights = (await user()).insights
    assert insights.events == 100
    assert len(insights.interest_scores) == 100 and len(insights.interest_labels) == 100
    assert sum(insights.hours.values()) == 100 and sum(insights.weekdays.values()) == 100
    assert insights.interest_scores["topic 99"] == pytest.approx(4 * growth(T0 + timedelta(hours=99)))


async def test_nothing_to_fold_sends_nothing(command_counter: CommandCounter) -> None:
    command_counter.commands.clear()
    await apply_events([], HALF_LIFE)
    assert command_counter.commands == []


def test_weighted_types_are_taxonomy_types_and_every_interest_feeder_is_weighted() -> None:
    feeders = {spec.type for spec in SPECS.values() if "interests" in spec.feeds}
    assert feeders <= set(INTEREST_WEIGHTS) <= set(SPECS)
    assert set(SPECS) >= ACTIVITY_SKIPPED


def test_search_ngrams_are_casefolded_runs_of_up_to_three_words() -> None:
    assert search_ngrams("  Learn (Node.js), FAST ") == [
        "learn", "node.js", "fast", "learn node.js", "node.js fast", "learn node.js fast"]
    assert search_ngrams("") == []
    assert len(search_ngrams(" ".join(f"w{i}" for i in range(100)))) == 20 + 19 + 18


@pytest.mark.parametrize(("minutes", "bucket"), [(None, None), (0, "short"), (20, "short"), (21, "medium"),
                                                  (180, "medium"), (181, "long")])
def test_length_buckets(minutes: int | None, bucket: str | None) -> None:
    assert length_bucket(minutes) == bucket


def test_local_time_ignores_unknown_zones() -> None:
    assert local_time(T0, "Europe/Paris").hour == 10
    assert local_time(T0, "../etc/passwd") == T0
    assert local_time(T0, None) == T0


def test_interest_signals_of_a_course_event_without_a_known_course_are_empty() -> None:
    catalog = Catalog(courses={"c": CourseFacts(("A", "B"), None, None)})
    assert interest_signals(event("e", "share", course_id="c"), catalog) == [("A", 2.0), ("B", 2.0)]
    assert interest_signals(event("e", "share", course_id="gone"), catalog) == []
    assert interest_signals(event("e", "page_view"), catalog) == []


def test_streak_rules() -> None:
    state = {"last_active_day": "2026-03-02", "current_streak": 4, "longest_streak": 6, "active_days": 10}
    days = [date(2026, 3, 2), date(2026, 3, 3), date(2026, 2, 1)]
    assert folding._streak(state, days) == {
        "insights.last_active_day": "2026-03-03", "insights.current_streak": 5,
        "insights.longest_streak": 6, "insights.active_days": 11}
    assert folding._streak({}, [])["insights.current_streak"] == 0


async def test_behavioural_insights_through_track_events_with_behavioural_consent() -> None:
    await seed()
    options = IngestOptions(settings=Settings(), trackers=TRACKERS, default_purposes=frozenset({Purpose.ESSENTIAL, Purpose.BEHAVIORAL_TRACKING}))
    raw = [{"user_id": "u1", "event_id": "v1", "type": "course_view", "course_id": "node", "client_timestamp": T0,
            "context": {"device": "desktop"}}]
    await track_events(raw, options)
    assert (await user()).insights.interest_scores["javascript"] == pytest.approx(growth(T0))


# --- the scripted journey: onboarding, 200 mixed events ending in rate and dismiss, then a replay -------------

BERLIN = "Europe/Berlin"  # UTC+1 in early March


def journey_events() -> list[dict[str, Any]]:
    """198 mixed events over four days (shuffled), then a rating and a dismissal, all in Berlin."""
    mixed: list[tuple[str, dict[str, Any]]] = [
        *[("course_view", {"course_id": c}) for c in ["py1", "py2", "node"] * 20],
        *[("page_view", {"properties": {"path": "/home"}}) for _ in range(40)],
        *[("dwell", {"course_id": "py2", "properties": {"duration_ms": 60_000}}) for _ in range(20)],
        *[("search", {"properties": {"query": "python tips"}}) for _ in range(10)],
        *[("quiz_answer", {"properties": {"item_id": f"p{i}", "skill": "Python", "correct": i < 12}})
          for i in range(15)],
        *[("quiz_answer", {"properties": {"item_id": f"s{i}", "skill": "SQL", "correct": i < 2}}) for i in range(5)],
        *[("session_start", {}) for _ in range(10)],
        *[("session_end", {"properties": {"duration_ms": 60_000 * (i + 1)}}) for i in range(10)],
        *[("click", {"properties": {"target": "menu"}}) for _ in range(10)],
        *[("video_play", {"course_id": "node"}) for _ in range(5)],
        ("enroll", {"course_id": "py1"}), ("enroll", {"course_id": "py2"}), ("complete", {"course_id": "py2"}),
        ("bookmark", {"course_id": "node"}), ("follow", {"properties": {"topic": "Data Science"}}),
        ("share", {"course_id": "py1"}), *[("recommendation_click", {"course_id": "node"}) for _ in range(6)],
        ("recommendation_impression", {"course_id": "ml"}),
    ]
    random.Random(7).shuffle(mixed)
    mixed += [("rate", {"course_id": "py2", "properties": {"rating": 5}}),
              ("recommendation_dismiss", {"course_id": "ml"})]
    return [{"user_id": "j1", "event_id": f"j{i:03d}", "type": type_, "client_timestamp": journey_time(i),
             "context": {"timezone": BERLIN, "device": ["desktop", "mobile", "tablet", "desktop"][i % 4]}, **fields}
            for i, (type_, fields) in enumerate(mixed)]


def journey_time(index: int) -> datetime:
    monday = T0.replace(hour=0, minute=0)
    if index >= 198:  # rate, then dismiss: the last two things the learner did
        return monday + timedelta(days=3, hours=20, minutes=index - 198)
    return monday + timedelta(days=index % 4, hours=[8, 12, 18][index % 3], minutes=index % 60)


async def test_journey_produces_the_expected_insights_and_a_replay_adds_nothing() -> None:
    await seed()
    await upsert_user("j1", {"display_name": "Jo", "goals": ["Python"], "timezone": BERLIN})  # onboarding
    options = IngestOptions(settings=Settings(), trackers=TRACKERS, default_purposes=frozenset({Purpose.ESSENTIAL, Purpose.BEHAVIORAL_TRACKING}))
    batch = journey_events()
    assert {r.status for r in await track_events(batch, options)} == {EventStatus.ACCEPTED}
    stored = await user("j1")
    view = insights_of(stored, T0 + timedelta(days=3, hours=22), HALF_LIFE)

    assert (view.events, view.enrolled, view.completed, view.completion_rate) == (200, 2, 1, 0.5)
    local_hours = [(journey_time(i) + timedelta(hours=1)).hour for i in range(200)]
    assert view.hours == [local_hours.count(hour) for hour in range(24)]
    assert view.hours[9] + view.hours[13] + view.hours[19] == 198 and view.hours[21] == 2
    assert view.weekdays == [50, 50, 49, 51, 0, 0, 0]  # rate and dismiss both on Thursday
    assert (view.current_streak, view.longest_streak, view.active_days) == (4, 4, 4)
    assert [(d.label, d.value) for d in view.devices] == [("desktop", 100), ("mobile", 50), ("tablet", 50)]
    assert view.median_session_ms == 330_000
    assert [(f.label, f.value) for f in view.formats] == [("video", 85.5), ("interactive", 25.0)]
    assert [(f.label, f.value) for f in view.lengths] == [("short", 52.0), ("medium", 33.5), ("long", 25.0)]
    assert [(q.skill, q.attempts, q.correct) for q in view.quiz_accuracy] == [("Python", 15, 12), ("SQL", 5, 2)]
    assert [i.label for i in view.interests] == [
        "Python", "Data Science", "Pandas", "JavaScript", "Node.js", "Web Development", "Programming",
        "Programming Fundamentals", "SQL"]
    assert view.last_active_at == journey_time(199)
    recent = recent_activity_of(stored, RECENT_ACTIVITY_LIMIT)
    assert [(a.type, a.course_id, a.detail) for a in recent[:2]] == [
        ("recommendation_dismiss", "ml", None), ("rate", "py2", "5")]
    assert len(recent) == RECENT_ACTIVITY_LIMIT

    assert {r.status for r in await track_events(batch, options)} == {EventStatus.DUPLICATE}
    replayed = await user("j1")
    assert replayed.insights == stored.insights
    assert replayed.recent_activity == stored.recent_activity


class HeldCourses:
    """A server process's catalog in memory (folding.KnownCourses), here holding py1 with facts of its own."""

    def __init__(self, **facts: CourseFacts) -> None:
        self.facts = facts

    def course_facts(self, course_ids: Any) -> dict[str, CourseFacts]:
        return {course_id: self.facts[course_id] for course_id in course_ids if course_id in self.facts}


async def test_courses_held_in_memory_are_not_read_and_the_others_are(command_counter: CommandCounter) -> None:
    await seed()
    held = HeldCourses(py1=CourseFacts(("Held",), "video", "short"))
    command_counter.commands.clear()
    only_held = await folding.load_course_facts(["py1", "py1"], [], held)
    assert command_counter.commands == [] and only_held.courses == {"py1": CourseFacts(("Held",), "video", "short")}
    assert only_held.matching("held") == ["Held"]
    mixed = await folding.load_course_facts(["py1", "node"], ["machine learning"], held)
    assert command_counter.commands == ["find"]  # node, and the courses with a skill a search spells out
    assert set(mixed.courses) == {"py1", "node", "ml"} and mixed.courses["py1"].labels == ("Held",)
    assert mixed.matching("machine learning") == ["Machine Learning"]
    searched = await folding.load_course_facts(["py1"], ["python"], held)
    assert searched.courses["py1"].labels[0] == "Python"  # read for a search anyway: the store's copy wins
    assert (await folding.load_course_facts(["nope"], [], held)).courses == {}
