"""`mastery` and `courseDifficultyFeedback` over HTTP against a live `pathwise serve`."""

from typing import Any

import httpx
import pytest

from app.core.tokens import Role
from tests.conftest import LiveServer

MASTERY = """query($u: ID, $s: [ID!]) { mastery(userId: $u, skills: $s) { userId level
  skills { skillId skillName probability confidence attempts correct practicedAt source mastered } } }"""
FEEDBACK = """mutation($c: ID!, $k: DifficultyFeedback!) { courseDifficultyFeedback(courseId: $c, kind: $k) {
  skills { skillId probability source mastered } errors { code field } } }"""


def gql(client: httpx.Client, query: str, variables: dict[str, object] | None = None) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def course(live_server: LiveServer) -> str:
    courses = [{"id": "mst-sql", "title": "SQL joins", "skills": ["SQL", "Joins"], "topics": ["Data"]}]
    with live_server.client("mst-platform", Role.PARTNER) as partner:
        body = gql(partner, "mutation($c: [CourseInput!]!) { upsertCourses(input: $c) { errors { message } } }",
                   {"c": courses})
    assert body["data"]["upsertCourses"]["errors"] == []
    return "mst-sql"


def test_feedback_moves_mastery_and_the_learner_reads_it_back(live_server: LiveServer, course: str) -> None:
    with live_server.client("mst-ana") as ana:
        before = gql(ana, MASTERY, {"s": ["SQL"]})["data"]["mastery"]
        known = gql(ana, FEEDBACK, {"c": course, "k": "ALREADY_KNOW"})["data"]["courseDifficultyFeedback"]
        hard = gql(ana, FEEDBACK, {"c": course, "k": "TOO_HARD"})["data"]["courseDifficultyFeedback"]
        after = gql(ana, MASTERY)["data"]["mastery"]
    assert before == {"userId": "mst-ana", "level": None, "skills": [
        {"skillId": "SQL", "skillName": None, "probability": 0.5, "confidence": 0.0, "attempts": 0, "correct": 0,
         "practicedAt": None, "source": "prior", "mastered": False}]}
    assert known["errors"] == [] and [s["skillId"] for s in known["skills"]] == ["SQL", "Joins"]
    assert all(s["probability"] >= 0.9 and s["mastered"] and s["source"] == "feedback" for s in known["skills"])
    assert all(s["probability"] < 0.9 for s in hard["skills"])
    assert sorted(s["skillId"] for s in after["skills"]) == ["Joins", "SQL"]


def test_feedback_on_an_unknown_course_is_an_error_as_data(live_server: LiveServer) -> None:
    with live_server.client("mst-ana") as ana:
        payload = gql(ana, FEEDBACK, {"c": "nope", "k": "TOO_EASY"})["data"]["courseDifficultyFeedback"]
    assert payload == {"skills": [], "errors": [{"code": "NOT_FOUND", "field": "courseId"}]}


def test_another_learners_mastery_is_forbidden_but_partners_may_read_it(live_server: LiveServer,
                                                                        course: str) -> None:
    with live_server.client("mst-bo") as bo:
        assert gql(bo, FEEDBACK, {"c": course, "k": "TOO_EASY"})["data"]["courseDifficultyFeedback"]["errors"] == []
    with live_server.client("mst-cy") as cy:
        body = gql(cy, MASTERY, {"u": "mst-bo"})
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    with live_server.client("mst-platform", Role.PARTNER) as partner:
        read = gql(partner, MASTERY, {"u": "mst-bo"})["data"]["mastery"]
    assert read["userId"] == "mst-bo" and len(read["skills"]) == 2


def test_at_most_200_skills(live_server: LiveServer) -> None:
    with live_server.client("mst-ana") as ana:
        body = gql(ana, MASTERY, {"s": [f"s{i}" for i in range(201)]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
