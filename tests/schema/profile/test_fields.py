"""`User.insights` and `User.recentActivity` over HTTP against a live `pathwise serve`, fed by essential events
(behavioural ones need consent that cannot be granted over the API yet; resolver tests cover them); and, in
process, how many MongoDB commands reading them sends."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from app.core.documents import Course, User
from app.core.documents.profiles import Activity
from app.core.settings import Settings
from app.core.tokens import Principal, Role
from schema.context import Context
from schema.schema import build_schema
from tests.conftest import CommandCounter, LiveServer

TRACK = """mutation($e: [EventInput!]!) { trackEvents(events: $e) { accepted duplicates rejected
  results { status code } errors { message } } }"""
INSIGHTS = """{ me { insights {
  interests(first: 3) { key label weight }
  hours weekdays currentStreak longestStreak activeDays
  devices { label value share } formats { label value } lengths { label value }
  enrolled completed completionRate quizAccuracy { skill attempts correct accuracy } lastActiveAt events }
  recentActivity(first: 3) { type at courseId detail course { id title } } } }"""


def gql(client: httpx.Client, query: str, variables: dict[str, object] | None = None) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def catalog(live_server: LiveServer) -> None:
    courses = [
        {"id": "ins-py", "title": "Python data work", "skills": ["Python", "Pandas"], "topics": ["Data Science"],
         "format": "VIDEO", "durationMinutes": 15},
        {"id": "ins-web", "title": "Node services", "skills": ["Node.js"], "topics": ["Web Development"],
         "format": "PROJECT", "durationMinutes": 600},
    ]
    with live_server.client("ins-platform", Role.PARTNER) as partner:
        body = gql(partner, "mutation($c: [CourseInput!]!) { upsertCourses(input: $c) { errors { message } } }",
                   {"c": courses})
    assert body["data"]["upsertCourses"]["errors"] == []


def events(now: datetime) -> list[dict[str, Any]]:
    yesterday = (now - timedelta(days=1)).isoformat()
    context = {"device": "mobile"}
    return [
        {"eventId": "e1", "type": "enroll", "courseId": "ins-py", "timestamp": yesterday, "context": context},
        {"eventId": "e2", "type": "enroll", "courseId": "ins-web", "timestamp": yesterday, "context": context},
        {"eventId": "e3", "type": "complete", "courseId": "ins-py", "timestamp": now.isoformat(),
         "context": {"device": "desktop"}},
        {"eventId": "e4", "type": "rate", "courseId": "ins-py", "properties": {"rating": 5},
         "timestamp": now.isoformat()},
        {"eventId": "e5", "type": "follow", "properties": {"topic": "Node.js"}, "timestamp": now.isoformat()},
        {"eventId": "e6", "type": "quiz_answer", "properties": {"itemId": "q1", "skill": "Python", "correct": "maybe"},
         "timestamp": now.isoformat()},
        {"eventId": "e7", "type": "quiz_answer", "properties": {"item_id": "q2", "skill": "Python", "correct": False},
         "timestamp": now.isoformat()},
        {"eventId": "e8", "type": "course_view", "courseId": "ins-web", "timestamp": now.isoformat()},
    ]


def test_essential_events_shape_the_learners_insights(live_server: LiveServer, catalog: None) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with live_server.client("ins-ana") as client:
        tracked = gql(client, TRACK, {"e": events(now)})["data"]["trackEvents"]
        body = gql(client, INSIGHTS)
    codes = [r["code"] for r in tracked["results"]]
    assert codes[5] == "BAD_USER_INPUT"  # typed properties: `correct` must be a boolean
    assert codes[7] == "CONSENT_REQUIRED"  # behavioural, and only essential is granted here
    assert (tracked["accepted"], tracked["rejected"]) == (6, 2)
    insights = body["data"]["me"]["insights"]
    assert (insights["events"], insights["enrolled"], insights["completed"], insights["completionRate"]) == (
        6, 2, 1, 0.5)
    assert [i["label"] for i in insights["interests"]] == ["Python", "Data Science", "Pandas"]
    assert insights["quizAccuracy"] == [{"skill": "Python", "attempts": 1, "correct": 0, "accuracy": 0.0}]
    assert (insights["currentStreak"], insights["longestStreak"], insights["activeDays"]) == (2, 2, 2)
    assert [(d["label"], d["value"]) for d in insights["devices"]] == [("mobile", 2.0), ("desktop", 1.0)]
    assert [f["label"] for f in insights["formats"]] == ["video", "project"]
    assert [f["label"] for f in insights["lengths"]] == ["short", "long"]
    assert sum(insights["hours"]) == sum(insights["weekdays"]) == 6
    assert datetime.fromisoformat(insights["lastActiveAt"]) == now
    recent = body["data"]["me"]["recentActivity"]
    assert [(a["type"], a["detail"]) for a in recent] == [("quiz_answer", "Python"), ("follow", "Node.js"),
                                                          ("rate", "5")]
    assert recent[2]["course"] == {"id": "ins-py", "title": "Python data work"}


def test_replaying_the_batch_leaves_insights_unchanged(live_server: LiveServer, catalog: None) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with live_server.client("ins-ben") as client:
        gql(client, TRACK, {"e": events(now)})
        before = gql(client, INSIGHTS)["data"]["me"]
        replay = gql(client, TRACK, {"e": events(now)})["data"]["trackEvents"]
        after = gql(client, INSIGHTS)["data"]["me"]
    assert (replay["accepted"], replay["duplicates"]) == (0, 6)
    weights = [[i.pop("weight") for i in part["insights"]["interests"]] for part in (before, after)]
    assert weights[1] == pytest.approx(weights[0], rel=1e-6)  # decayed to a slightly later `now`, no more
    assert after == before


def test_page_sizes_are_bounded(live_server: LiveServer) -> None:
    with live_server.client("ins-cal") as client:
        gql(client, TRACK, {"e": [{"eventId": "x", "type": "follow", "properties": {"topic": "Go"}}]})
        too_many = gql(client, "{ me { recentActivity(first: 51) { type } } }")
        none = gql(client, "{ me { insights { interests(first: 0) { key } } } }")
    assert [e["extensions"]["code"] for e in too_many["errors"]] == ["BAD_USER_INPUT"]
    assert [e["extensions"]["code"] for e in none["errors"]] == ["BAD_USER_INPUT"]


def test_an_unknown_learner_has_no_insights_to_read(live_server: LiveServer) -> None:
    with live_server.client("ins-nobody") as client:
        assert gql(client, INSIGHTS) == {"data": {"me": None}}


@pytest.mark.usefixtures("clean")
async def test_reading_insights_and_recent_activity_with_courses_is_two_commands(
        command_counter: CommandCounter) -> None:
    now = datetime.now(UTC)
    await Course.insert_many([Course(id=f"c{i}", title=f"Course {i}") for i in range(5)])
    await User(id="u1", recent_activity=[Activity(type="course_view", at=now, course_id=f"c{i % 5}")
                                         for i in range(20)]).insert()
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    context = Context(request=request, response=None, settings=Settings(),
                      principal=Principal("u1", frozenset({Role.LEARNER})))
    command_counter.commands.clear()
    result = await build_schema(Settings()).execute(INSIGHTS.replace("first: 3", "first: 20"), context_value=context)
    assert result.errors is None
    assert len(result.data["me"]["recentActivity"]) == 20  # type: ignore[index]
    assert command_counter.commands == ["find", "find"]  # the learner, then their activities' courses at once
