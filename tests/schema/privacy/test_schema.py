"""Consent and data rights through HTTP against a live `pathwise serve`: the ledger, rejection and purge of
behavioural events, myData and its export file, and an erasure that leaves nothing behind."""

import json
import uuid
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from app.core.tokens import Role
from tests.conftest import LiveServer

CONSENTS = "query($u: ID) { consents(userId: $u) { purpose granted source policyVersion since } }"
SET_CONSENT = """mutation($p: ConsentPurpose!, $g: Boolean!, $u: ID) {
  setConsent(purpose: $p, granted: $g, userId: $u) {
    consents { purpose granted source } purged { collection count } errors { code field message } } }"""
TRACK = """mutation($e: [EventInput!]!, $u: ID) {
  trackEvents(events: $e, userId: $u) { accepted rejected results { status code } errors { code } } }"""
MY_DATA = "query($u: ID) { myData(userId: $u) { userId exportedAt sections { collection count documents } } }"
DELETE = "mutation($u: ID) { deleteMyData(userId: $u) { total deleted { collection count } errors { code } } }"


def gql(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def data(client: httpx.Client, query: str, **variables: Any) -> Any:
    body = gql(client, query, **variables)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def learner() -> str:
    return f"privacy-{uuid.uuid4().hex[:10]}"


def sections(client: httpx.Client, user_id: str | None = None) -> dict[str, list[dict[str, Any]]]:
    found = data(client, MY_DATA, u=user_id)
    return {section["collection"]: section["documents"] for section in found["sections"]}


def events(*types: str) -> list[dict[str, Any]]:
    props = {"follow": {"topic": "Python"}}
    return [{"eventId": f"{kind}-{uuid.uuid4().hex[:8]}", "type": kind, "properties": props.get(kind, {})}
            for kind in types]


def raw_database(live_server: LiveServer) -> Any:
    client: MongoClient[dict[str, Any]] = MongoClient(live_server.settings.mongodb_uri, tz_aware=True)
    return client, client[live_server.settings.database]


def holding(live_server: LiveServer, user_id: str) -> dict[str, int]:
    """Per collection of the live database, how many documents mention `user_id` anywhere."""
    client, database = raw_database(live_server)
    try:
        return {name: sum(1 for doc in database[name].find({}) if user_id in json.dumps(doc, default=str))
                for name in database.list_collection_names()}
    finally:
        client.close()


def test_the_server_makes_raw_events_expire_after_the_retention(live_server: LiveServer) -> None:
    client, database = raw_database(live_server)
    try:
        ttl = [index.get("expireAfterSeconds") for index in database["events"].list_indexes()
               if dict(index["key"]) == {"server_timestamp": 1}]
    finally:
        client.close()
    assert ttl == [live_server.settings.event_retention_days * 86_400]


def test_the_privacy_notice_needs_no_token(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url) as anonymous:
        notice = data(anonymous, "{ privacyNotice { policyVersion eventRetentionDays "
                                 "purposes { purpose grantedByDefault canWithdraw events { type } } } }")
    assert notice["eventRetentionDays"] == live_server.settings.event_retention_days
    by_purpose = {p["purpose"]: p for p in notice["purposes"]}
    assert list(by_purpose) == ["ESSENTIAL", "PERSONALIZATION", "BEHAVIORAL_TRACKING", "THIRD_PARTY_IMPORT",
                                "ANALYTICS"]
    assert {"type": "page_view"} in by_purpose["BEHAVIORAL_TRACKING"]["events"]
    assert [p for p, n in by_purpose.items() if n["grantedByDefault"]] == ["ESSENTIAL"]


def test_only_essential_is_granted_by_default(live_server: LiveServer) -> None:
    with live_server.client(learner()) as client:
        data(client, 'mutation { setPersonalization(enabled: true) { errors { code } } }')
        states = data(client, CONSENTS)
    assert {s["purpose"]: s["granted"] for s in states} == {
        "ESSENTIAL": True, "PERSONALIZATION": False, "BEHAVIORAL_TRACKING": False, "THIRD_PARTY_IMPORT": False,
        "ANALYTICS": False}
    essential = states[0]
    assert (essential["source"], essential["policyVersion"]) == ("DEFAULT", live_server.settings.policy_version)


def test_behavioural_events_without_consent_are_rejected_and_absent(live_server: LiveServer) -> None:
    user_id = learner()
    with live_server.client(user_id) as client:
        result = data(client, TRACK, e=events("page_view", "follow"))
        assert [r["code"] for r in result["results"]] == ["CONSENT_REQUIRED", None]
        assert [e["type"] for e in sections(client)["events"]] == ["follow"]
    client, database = raw_database(live_server)
    try:
        assert [doc["type"] for doc in database["events"].find({"user_id": user_id})] == ["follow"]
    finally:
        client.close()


def test_withdrawing_tracking_purges_and_stops_collection(live_server: LiveServer) -> None:
    with live_server.client(learner()) as client:
        granted = data(client, SET_CONSENT, p="BEHAVIORAL_TRACKING", g=True)
        assert {"purpose": "BEHAVIORAL_TRACKING", "granted": True, "source": "LEARNER"} in granted["consents"]
        assert data(client, TRACK, e=events("page_view", "follow"))["accepted"] == 2
        withdrawn = data(client, SET_CONSENT, p="BEHAVIORAL_TRACKING", g=False)
        assert {"collection": "events", "count": 1} in withdrawn["purged"]
        later = data(client, TRACK, e=events("page_view"))
        assert [r["code"] for r in later["results"]] == ["CONSENT_REQUIRED"]
        held = sections(client)
    assert [e["type"] for e in held["events"]] == ["follow"]
    assert [a["type"] for a in held["users"][0]["recent_activity"]] == ["follow"]
    ledger = [(e["purpose"], e["granted"], e["source"]) for e in held["consents"]]
    assert ("behavioral_tracking", False, "learner") in ledger


def test_essential_cannot_be_withdrawn(live_server: LiveServer) -> None:
    with live_server.client(learner()) as client:
        result = data(client, SET_CONSENT, p="ESSENTIAL", g=False)
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("BAD_USER_INPUT", "purpose")]


def test_the_export_file_holds_the_same_as_my_data(live_server: LiveServer) -> None:
    user_id = learner()
    with live_server.client(user_id) as client:
        data(client, SET_CONSENT, p="BEHAVIORAL_TRACKING", g=True)
        data(client, TRACK, e=events("page_view", "follow"))
        expected = sections(client)
        response = client.get("/v1/me/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == f'attachment; filename="pathwise-export-{user_id}.json"'
    exported = response.json()
    assert exported["userId"] == user_id
    audit_log = exported["collections"].pop("audit_log")  # now with the entry of the myData export before it
    assert [entry["operation"] for entry in audit_log if entry["action"] == "export"] == ["Query.myData"]
    assert exported["collections"] == {name: docs for name, docs in expected.items() if name != "audit_log"}
    assert len(expected["events"]) == 2


def test_the_export_needs_a_token_and_is_only_for_oneself(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url) as anonymous:
        missing = anonymous.get("/v1/me/export")
        bad = anonymous.get("/v1/me/export", headers={"authorization": "Bearer nope"})
    assert (missing.status_code, bad.status_code) == (401, 401)
    assert missing.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    with live_server.client(learner()) as client:
        foreign = client.get("/v1/me/export", params={"userId": "someone-else"})
    assert foreign.status_code == 403
    assert foreign.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN"}


@pytest.mark.parametrize("query", [CONSENTS, MY_DATA, DELETE, SET_CONSENT])
def test_a_learner_cannot_act_for_another(live_server: LiveServer, query: str) -> None:
    variables: dict[str, Any] = {"u": "someone-else"}
    if query is SET_CONSENT:
        variables |= {"p": "ANALYTICS", "g": True}
    with live_server.client(learner()) as client:
        assert codes(gql(client, query, **variables)) == ["FORBIDDEN"]


def test_an_admin_acts_for_any_learner(live_server: LiveServer) -> None:
    user_id = learner()
    with live_server.client(user_id) as own:
        data(own, TRACK, e=events("follow"))
    with live_server.client("privacy-admin", Role.ADMIN) as admin:
        changed = data(admin, SET_CONSENT, p="ANALYTICS", g=True, u=user_id)
        assert {"purpose": "ANALYTICS", "granted": True, "source": "ADMIN"} in changed["consents"]
        assert [e["type"] for e in sections(admin, user_id)["events"]] == ["follow"]
        exported = admin.get("/v1/me/export", params={"userId": user_id})
        assert exported.status_code == 200
        assert exported.json()["userId"] == user_id
        assert data(admin, DELETE, u=user_id)["total"] > 0
    assert sum(holding(live_server, user_id).values()) == 0


def test_delete_my_data_leaves_no_document_with_the_user_id(live_server: LiveServer) -> None:
    user_id = learner()
    course_id = f"consent-course-{uuid.uuid4().hex[:8]}"
    with live_server.client("privacy-partner", Role.PARTNER) as partner:
        created = data(partner, "mutation($c: [CourseInput!]!) { upsertCourses(input: $c) { errors { message } } }",
                       c=[{"id": course_id, "title": "Consent basics"}])
        assert created["errors"] == []
    with live_server.client(user_id) as client:
        data(client, 'mutation($u: UserInput!) { upsertUser(input: $u) { errors { code } } }',
             u={"id": user_id, "displayName": "Erasable"})
        data(client, SET_CONSENT, p="BEHAVIORAL_TRACKING", g=True)
        data(client, TRACK, e=events("page_view", "follow"))
        data(client, 'mutation($c: ID!) { enroll(courseId: $c) { errors { code } } }', c=course_id)
        data(client, 'mutation($c: ID!) { rateCourse(courseId: $c, rating: 5) { errors { code } } }', c=course_id)
        before = holding(live_server, user_id)
        assert {name for name, count in before.items() if count} >= {"users", "events", "consents", "enrollments",
                                                                      "ratings"}
        erased = data(client, DELETE)
        assert erased["errors"] == []
        counts = {c["collection"]: c["count"] for c in erased["deleted"]}
        assert counts["events"] == 2
        assert erased["total"] == sum(counts.values())
        assert all(docs == [] for docs in sections(client).values())
    after = holding(live_server, user_id)
    assert after and sum(after.values()) == 0, after
