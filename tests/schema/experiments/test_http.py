"""Experiments over HTTP against a live `pathwise serve`: sticky assignment and consent exclusion as served, who may
read results, small-group suppression, and that results never name a learner."""

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pymongo.database import Database

from app.core.tokens import Role
from tests.conftest import LiveServer

ALL = {"personalization": True, "analytics": True, "behavioral_tracking": True}
CREATE = """mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { errors { code message } } }"""
REPORT = """query($id: ID!) { experimentReport(id: $id) { minGroup variants { name learners suppressed impressions
  clicks clickThroughRate metrics { metric rate } } sampleRatio { observed } } }"""
ASK = "{ recommendations(first: 3) { requestId experiment variant items { course { id } } } }"


def gql(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def experiment(live_server: LiveServer, store: Database[dict[str, Any]]) -> Iterator[str]:
    """A running A/A experiment on the live server, stopped afterwards (it would answer other tests' learners); its
    courses sort last, after the ones other tests page through."""
    name = f"http-{uuid.uuid4().hex[:8]}"
    store["courses"].insert_many([{"_id": f"zz-{name}-c{n}", "title": f"Course {n}", "published": True}
                                  for n in range(4)])
    with live_server.client("exp-partner", Role.PARTNER) as partner:
        created = gql(partner, CREATE, input={"id": name, "name": "A/A", "variants": [
            {"name": "a", "strategy": "popular", "share": 0.5}, {"name": "b", "strategy": "popular", "share": 0.5}]})
        assert created["data"]["createExperiment"]["errors"] == []
        started = gql(partner, f'mutation {{ startExperiment(id: "{name}") {{ errors {{ code }} }} }}')
        assert started["data"]["startExperiment"]["errors"] == []
        try:
            yield name
        finally:
            gql(partner, f'mutation {{ stopExperiment(id: "{name}") {{ errors {{ code }} }} }}')


def learners(store: Database[dict[str, Any]], prefix: str, count: int, consents: dict[str, bool]) -> list[str]:
    ids = [f"{prefix}-{n}" for n in range(count)]
    store["users"].insert_many([{"_id": user, "consents": consents} for user in ids])
    return ids


def test_assignment_is_sticky_and_learners_without_consent_are_never_assigned(
        live_server: LiveServer, store: Database[dict[str, Any]], experiment: str) -> None:
    consenting = learners(store, f"{experiment}-in", 4, ALL)
    refusing = learners(store, f"{experiment}-out", 2, {**ALL, "personalization": False})
    seen: dict[str, set[str | None]] = {}
    for user in consenting + refusing:
        with live_server.client(user) as client:
            answers = [gql(client, ASK)["data"]["recommendations"] for _ in range(3)]
        seen[user] = {answer["variant"] for answer in answers}
        expected = experiment if user in consenting else None
        assert {answer["experiment"] for answer in answers} == {expected}
    assert all(len(variants) == 1 and variants <= {"a", "b"} for user, variants in seen.items() if user in consenting)
    assert all(variants == {None} for user, variants in seen.items() if user in refusing)


def test_only_partners_and_admins_read_results_which_never_name_a_learner_and_hide_small_groups(
        live_server: LiveServer, store: Database[dict[str, Any]], experiment: str) -> None:
    users = learners(store, f"{experiment}-l", 3, ALL)
    for user in users:
        with live_server.client(user) as client:
            answer = gql(client, ASK)["data"]["recommendations"]
            events = [{"eventId": f"{user}-{n}", "type": "recommendation_impression", "courseId": item["course"]["id"],
                       "properties": {"requestId": answer["requestId"], "position": n,
                                      "experiment": answer["experiment"], "variant": answer["variant"]}}
                      for n, item in enumerate(answer["items"])]
            assert client.post("/v1/events", json={"events": events}).json()["accepted"] == len(events)
    with live_server.client(users[0]) as learner:
        refused = gql(learner, REPORT, id=experiment)
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    with live_server.client("exp-partner", Role.PARTNER) as partner:
        report = gql(partner, REPORT, id=experiment)["data"]["experimentReport"]
        someone = gql(partner, f'{{ user(id: "{users[0]}") {{ id enrollments {{ status }} }} }}')
    assert someone["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert report["minGroup"] == 5 and sum(v["learners"] for v in report["variants"]) == 3
    assert all(v["suppressed"] and v["impressions"] is None and v["metrics"] == [] for v in report["variants"])
    assert not any(user in json.dumps(report) for user in users)
