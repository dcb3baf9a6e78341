"""nextExercises and learningPath over HTTP (live `pathwise serve`): answers never shown, reasons, steps, and
who may ask for whom."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.database import Database

from app.core.documents.profiles import field_key
from app.core.tokens import Role
from tests.conftest import LiveServer

NEXT = "query($s: ID!, $n: Int, $u: ID) { nextExercises(skill: $s, first: $n, userId: $u) { exercise { id prompt " \
       "choices skills } reason reasonText skill predictedCorrect recallProbability } }"
PATH = "query($g: [ID!], $t: String, $u: ID) { learningPath(goalSkills: $g, goal: $t, userId: $u) { id goalSkills { id } " \
       "steps { id kind course { id } skill { id name } skills { id } exerciseCount reason reasonText estimatedMinutes " \
       "cumulativeMinutes cumulativeWeeks } skipped { skill { id } reason probability } matches { skillName } " \
       "totalMinutes totalWeeks weeklyMinutes } }"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def seed(store: Database[dict[str, Any]]) -> tuple[str, str]:
    """A basic skill and an advanced one needing it (unique names: no stored course covers them), 9 items each
    (b = -2 … 2, 60 s); returns their ids."""
    now = datetime.now(UTC)
    basic, advanced = unique("basic"), unique("advanced")
    for skill, prerequisites in ((basic, []), (advanced, [basic])):
        store["skills"].insert_one({"_id": skill, "name": skill.title(), "description": "", "topics": [],
                                    "prerequisites": prerequisites, "created_at": now, "updated_at": now})
        store["exercises"].insert_many([{
            "_id": f"{skill}-{k}", "skills": [skill], "prompt": f"Q{k}", "format": "multiple_choice",
            "choices": ["yes", "no"], "answers": ["yes"], "difficulty": -2 + 0.5 * k, "discrimination": 1.0,
            "expected_seconds": 60, "course_id": None, "lesson_id": None, "published": True, "created_at": now,
            "updated_at": now} for k in range(9)])
    return basic, advanced


def know(store: Database[dict[str, Any]], user: str, **probabilities: float) -> None:
    now = datetime.now(UTC)
    skills = {field_key(s): {"probability": p, "confidence": 0.6, "attempts": 10, "correct": 7, "source": "placement",
                             "practiced_at": None, "updated_at": now} for s, p in probabilities.items()}
    store["knowledge_states"].insert_one({"_id": user, "user_id": user, "skills": skills, "model_state": {},
                                          "skill_ids": {field_key(s): s for s in probabilities}, "skill_numbers": {},
                                          "level": None, "updated_at": now})


def call(live_server: LiveServer, user: str, query: str, *roles: Role, **variables: Any) -> dict[str, Any]:
    with live_server.client(user, *roles) as client:
        body: dict[str, Any] = client.post("/graphql", json={"query": query, "variables": variables}).json()
    return body


def test_next_exercises_come_with_reasons_and_without_answers(live_server: LiveServer, store: Any) -> None:
    basic, advanced = seed(store)
    user = unique("learner")
    know(store, user, **{basic: 0.4, advanced: 0.5})
    found = call(live_server, user, NEXT, s=advanced, n=4)["data"]["nextExercises"]
    assert [item["reason"] for item in found] == ["PRACTICE_WEAKEST_PREREQUISITE", "AT_YOUR_LEVEL"] * 2
    assert {item["skill"] for item in found} == {basic, advanced}
    assert all(0.55 <= item["predictedCorrect"] <= 0.85 and item["reasonText"] for item in found)
    with_answers = call(live_server, user, NEXT.replace("choices", "choices answers"), s=advanced)
    assert with_answers["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_a_learning_path_skips_mastered_skills_and_counts_time(live_server: LiveServer, store: Any) -> None:
    basic, advanced = seed(store)
    user = unique("learner")
    know(store, user, **{basic: 0.95})
    path = call(live_server, user, PATH, g=[advanced])["data"]["learningPath"]
    assert call(live_server, user, PATH, g=[advanced])["data"]["learningPath"]["id"] == path["id"]  # one per question
    assert call(live_server, user, PATH, g=[basic, advanced])["data"]["learningPath"]["id"] != path["id"]
    assert [step.pop("id") for step in path["steps"]] == [f"{path['id']}:1"]
    skipped = path["skipped"]
    assert [(s["skill"]["id"], s["reason"]) for s in skipped] == [(basic, "ALREADY_MASTERED")]
    assert skipped[0]["probability"] == pytest.approx(0.95, abs=1e-3)  # decayed for the seconds since seeding
    assert path["steps"] == [{"kind": "PRACTICE", "course": None, "skill": {"id": advanced, "name": advanced.title()},
                              "skills": [{"id": advanced}], "exerciseCount": 9, "reason": "GOAL_SKILL",
                              "reasonText": "Part of your goal.", "estimatedMinutes": 9, "cumulativeMinutes": 9,
                              "cumulativeWeeks": 0.1}]
    assert (path["totalMinutes"], path["weeklyMinutes"], path["matches"]) == (9, 180, [])


def test_goals_are_checked(live_server: LiveServer, store: Any) -> None:
    basic, _ = seed(store)
    both = call(live_server, unique("learner"), PATH, g=[basic], t="anything")
    unknown = call(live_server, unique("learner"), PATH, g=[unique("nope")])
    missing = call(live_server, unique("learner"), NEXT, s=unique("nope"))
    assert both["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_a_learner_may_not_ask_for_another_learner_but_a_partner_may(live_server: LiveServer, store: Any) -> None:
    _, advanced = seed(store)
    other = unique("other")
    for query, variables in ((NEXT, {"s": advanced}), (PATH, {"g": [advanced]})):
        refused = call(live_server, unique("learner"), query, u=other, **variables)
        assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        allowed = call(live_server, unique("platform"), query, Role.PARTNER, u=other, **variables)
        assert "errors" not in allowed
