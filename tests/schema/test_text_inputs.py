"""Bad input through HTTP against a live server: String/ID inputs with NUL or a lone surrogate, `userId: ""`, ids
partners may not create, and tokens with odd claims all get a coded error, never INTERNAL_SERVER_ERROR."""

import json
import time
from typing import Any

import httpx
import jwt
import pytest

from app.core.tokens import Role
from schema.text_inputs import text_problem
from tests.conftest import LiveServer


def gql(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST with lone surrogates kept as JSON escapes (httpx's own encoder cannot write them)."""
    body = json.dumps({"query": query, "variables": variables or {}})
    response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors") or []]


@pytest.mark.parametrize("bad", ["\ud800", "a\udfffb", "a\x00b"])
@pytest.mark.parametrize(("query", "variables"), [
    ("query($v: String) { courses(search: $v) { totalCount } }", {}),
    ("query($v: ID!) { course(id: $v) { id } }", {}),
    ("query($v: ID!) { skill(id: $v) { id } }", {}),
    ("query($v: String!) { learningPath(goal: $v) { id } }", {}),
    ("mutation($v: ID!) { enroll(courseId: $v) { errors { code } } }", {}),
    ("mutation($v: String!) { followTopic(topic: $v) { errors { code } } }", {}),
    ("mutation($v: ID!) { upsertCourses(input: [{id: $v, title: \"T\"}]) { errors { code } } }", {}),
])
def test_nul_and_lone_surrogates_in_string_inputs_are_bad_user_input(
        live_server: LiveServer, query: str, variables: dict[str, Any], bad: str) -> None:
    with live_server.client("text-a", Role.PARTNER) as client:
        body = gql(client, query, {**variables, "v": bad})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"].startswith("$v may not contain")


def test_a_nul_in_a_string_literal_is_bad_user_input(live_server: LiveServer) -> None:
    with live_server.client("text-a") as client:
        body = gql(client, '{ courses(search: "a\\u0000b") { totalCount } }')
    assert codes(body) == ["BAD_USER_INPUT"]


def test_nested_inputs_name_the_path_of_the_bad_string(live_server: LiveServer) -> None:
    query = "mutation($s: [SkillInput!]!) { upsertSkills(skills: $s) { errors { code } } }"
    with live_server.client("text-p", Role.PARTNER) as client:
        body = gql(client, query, {"s": [{"id": "fine", "name": "Fine"}, {"id": "bad", "name": "x\x00"}]})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "$s[1].name may not contain NUL characters"


@pytest.mark.parametrize("field", [
    'enroll(courseId: "c1", userId: "") { errors { code } }',
    'updateProgress(courseId: "c1", progress: 0.5, userId: "") { errors { code } }',
    'rateCourse(courseId: "c1", rating: 4, userId: "") { errors { code } }',
    'deleteMyData(userId: "") { errors { code } }',
    'upsertUser(input: {id: ""}) { errors { code } }',
    'trackEvents(userId: "", events: [{eventId: "e1", type: "follow"}]) { errors { code } }',
])
@pytest.mark.parametrize("role", [Role.LEARNER, Role.ADMIN])
def test_an_empty_user_id_is_refused_by_every_mutation(live_server: LiveServer, field: str, role: Role) -> None:
    with live_server.client("empty-a", role) as client:
        body = gql(client, f"mutation {{ {field} }}")
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] in {"userId may not be empty", "input.id may not be empty"}


@pytest.mark.parametrize("field", ['myData(userId: "") { userId }', 'consents(userId: "") { purpose }',
                                   'user(id: "") { id }', 'mastery(userId: "") { level }'])
@pytest.mark.parametrize("role", [Role.LEARNER, Role.ADMIN])
def test_an_empty_user_id_is_refused_by_every_query(live_server: LiveServer, field: str, role: Role) -> None:
    with live_server.client("empty-a", role) as client:
        body = gql(client, f"{{ {field} }}")
    assert codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("user_id", ["$admin", "a\u202eb", "a\u200bb", "x" * 201])
def test_user_ids_outside_the_rule_are_refused(live_server: LiveServer, user_id: str) -> None:
    with live_server.client("root", Role.ADMIN) as client:
        body = gql(client, "query($u: ID!) { user(id: $u) { id } }", {"u": user_id})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"].startswith("id may ")


@pytest.mark.parametrize("bad_id", ["$set", "rtl\u202eexe", "zero\u200bwidth", "tab\tid", " "])
def test_partners_cannot_create_ids_outside_the_rule(live_server: LiveServer, bad_id: str) -> None:
    mutations = [
        ("mutation($i: ID!) { upsertCourses(input: [{id: \"ok-c\", title: \"T\"}, {id: $i, title: \"T\"}]) "
         "{ errors { code index field } } }", "upsertCourses"),
        ("mutation($i: ID!) { upsertSkills(skills: [{id: \"ok-s\", name: \"S\"}, {id: $i, name: \"S\"}]) "
         "{ errors { code index field } } }", "upsertSkills"),
        ("mutation($i: ID!) { upsertExercises(exercises: [{id: \"ok-e\", skills: [\"ok-s\"], prompt: \"P\", "
         "format: OPEN}, {id: $i, skills: [\"ok-s\"], prompt: \"P\", format: OPEN}]) { errors { code index field } } }",
         "upsertExercises"),
    ]
    with live_server.client("text-p", Role.PARTNER) as client:
        for query, name in mutations:
            body = gql(client, query, {"i": bad_id})
            assert body["data"][name]["errors"] == [{"code": "BAD_USER_INPUT", "index": 1, "field": "id"}], name


def test_admin_cannot_create_a_user_with_a_bidi_override_in_the_id(live_server: LiveServer) -> None:
    with live_server.client("root", Role.ADMIN) as client:
        body = gql(client, 'mutation { upsertUser(input: {id: "ana\\u202egnp"}) { errors { code } } }')
    assert codes(body) == ["BAD_USER_INPUT"]


def _signed(live_server: LiveServer, claims: dict[str, Any]) -> str:
    secret = (live_server.settings.data_dir / "jwt_secret").read_text().strip()
    return jwt.encode(claims, secret, algorithm="HS256")


@pytest.mark.parametrize("claims", [
    {"sub": "tok-a", "roles": {"admin": False}, "exp": time.time() + 600},
    {"sub": "tok-a", "roles": "admin", "exp": time.time() + 600},
    {"sub": "tok-a", "exp": int("9" * 400)},
    {"sub": "$tok", "exp": time.time() + 600},
    {"sub": "", "exp": time.time() + 600},
])
def test_tokens_with_odd_claims_are_unauthenticated(live_server: LiveServer, claims: dict[str, Any]) -> None:
    headers = {"authorization": f"Bearer {_signed(live_server, claims)}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers, timeout=30) as client:
        body = gql(client, '{ user(id: "someone-else") { id } }')
        assert codes(body) == ["UNAUTHENTICATED"]
        events = client.post("/v1/events", json={"events": [{"eventId": "t1", "type": "follow"}]})
    assert events.status_code == 401 and events.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_text_problem() -> None:
    assert text_problem("plain") is None and text_problem("café 😀") is None
    assert text_problem("a\x00") == "may not contain NUL characters"
    assert text_problem("\ud800") == "may not contain lone surrogates (it is not valid Unicode)"


def test_track_events_rejects_an_unstorable_event_alone(live_server: LiveServer) -> None:
    query = ("mutation($e: [EventInput!]!) { trackEvents(events: $e) { accepted rejected "
             "results { index status code } errors { code } } }")
    body = ('{"query": ' + json.dumps(query) + ', "variables": {"e": [{"eventId": "gq-1", "type": "follow"}, '
            '{"eventId": "gq-2", "type": "follow", "properties": {"x": NaN}}, {"eventId": "\\ud800", "type": "follow"}, '
            '{"eventId": "gq-4", "type": "follow", "sessionId": "a\\u0000b", "properties": {"k": "\\udfff"}}]}}')
    with live_server.client("text-events") as client:
        response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    payload = response.json()["data"]["trackEvents"]
    assert (payload["accepted"], payload["rejected"], payload["errors"]) == (1, 3, [])
    assert [(r["index"], r["status"], r["code"]) for r in payload["results"]] == [
        (0, "ACCEPTED", None), (1, "REJECTED", "BAD_USER_INPUT"), (2, "REJECTED", "BAD_USER_INPUT"),
        (3, "REJECTED", "BAD_USER_INPUT")]
