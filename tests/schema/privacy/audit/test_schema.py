"""The audit log through HTTP against a live `pathwise serve`: reads by others are recorded with the request id,
a learner's own reads are not, learners see the entries in their export, only admins query the log, and an
erasure leaves no document with the learner's id but its own entry, found from the id."""

import json
import time
import uuid
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from app.core.tokens import Role
from tests.conftest import LiveServer

AUDIT = """query($u: ID, $a: ID) { auditLog(userId: $u, actor: $a, first: 50) { totalCount edges { node {
  action operation actorId actorRoles userId erasedLearner requestId purpose counts { collection count } } } } }"""
SET_CONSENT = """mutation($p: ConsentPurpose!, $g: Boolean!, $u: ID) {
  setConsent(purpose: $p, granted: $g, userId: $u) { errors { code } } }"""
UPSERT = "mutation($u: UserInput!) { upsertUser(input: $u) { errors { code } } }"
USER = "query($id: ID!) { user(id: $id) { id } }"


def gql(client: httpx.Client, query: str, headers: dict[str, str] | None = None, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def audited(live_server: LiveServer, user_id: str, at_least: int = 0) -> list[dict[str, Any]]:
    """The admin's view of the entries about `user_id`, newest first, once `at_least` are written (batched)."""
    with live_server.client("audit-root", Role.ADMIN) as admin:
        for _ in range(100):
            body = gql(admin, AUDIT, u=user_id)
            assert "errors" not in body, body
            nodes = [edge["node"] for edge in body["data"]["auditLog"]["edges"]]
            if len(nodes) >= at_least:
                return nodes
            time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} entries about {user_id}: {nodes}")


def learner() -> str:
    return f"audit-{uuid.uuid4().hex[:10]}"


def test_reads_by_an_admin_and_a_partner_are_recorded_with_the_request_id(live_server: LiveServer) -> None:
    user_id = learner()
    with live_server.client("audit-admin", Role.ADMIN) as admin:
        assert "errors" not in gql(admin, USER, {"x-request-id": "audit-r1"}, id=user_id)
    with live_server.client("audit-platform", Role.PARTNER) as partner:
        assert "errors" not in gql(partner, "query($u: ID) { mastery(userId: $u) { userId } }", u=user_id)
    entries = audited(live_server, user_id, at_least=2)
    seen = {(e["action"], e["operation"], e["actorId"], tuple(e["actorRoles"]), e["userId"]) for e in entries}
    assert seen == {("ACCESS", "Query.user", "audit-admin", ("admin",), user_id),
                    ("ACCESS", "Query.mastery", "audit-platform", ("partner",), user_id)}
    assert "audit-r1" in {e["requestId"] for e in entries}


def test_a_learner_reading_their_own_data_is_not_recorded(live_server: LiveServer) -> None:
    user_id = learner()
    with live_server.client(user_id) as own:
        assert "errors" not in gql(own, UPSERT, u={"id": user_id, "displayName": "Me"})
        assert "errors" not in gql(own, "query($id: ID!) { me { id } user(id: $id) { id } consents { purpose } }", id=user_id)
    time.sleep(0.3)  # longer than the batch delay
    assert audited(live_server, user_id) == []


@pytest.mark.parametrize("role", [Role.LEARNER, Role.PARTNER])
def test_only_admins_may_query_the_audit_log(live_server: LiveServer, role: Role) -> None:
    with live_server.client("audit-nosy", role) as client:
        body = gql(client, AUDIT, u="audit-nosy")
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]


def test_the_export_shows_the_learner_the_entries_about_them(live_server: LiveServer) -> None:
    user_id = learner()
    with live_server.client(user_id) as own:
        assert gql(own, SET_CONSENT, p="ANALYTICS", g=True)["data"]["setConsent"]["errors"] == []
    with live_server.client("audit-admin", Role.ADMIN) as admin:
        assert "errors" not in gql(admin, USER, id=user_id)
    audited(live_server, user_id, at_least=2)
    with live_server.client(user_id) as own:
        exported = own.get("/v1/me/export").json()["collections"]["audit_log"]
        again = own.get("/v1/me/export").json()["collections"]["audit_log"]
    assert sorted((e["action"], e["actor_id"]) for e in exported) == [
        ("access", "audit-admin"), ("consent_granted", user_id)]
    assert ("export", "GET /v1/me/export") in {(e["action"], e["operation"]) for e in again}


def test_an_erasure_leaves_only_its_own_entry_without_the_learner_id(live_server: LiveServer) -> None:
    user_id = learner()
    with live_server.client(user_id) as own:
        assert gql(own, SET_CONSENT, p="ANALYTICS", g=True)["data"]["setConsent"]["errors"] == []
    with live_server.client("audit-admin", Role.ADMIN) as admin:
        assert "errors" not in gql(admin, USER, id=user_id)
    audited(live_server, user_id, at_least=2)
    with live_server.client(user_id) as own:
        erased = gql(own, "mutation { deleteMyData { total errors { code } } }")["data"]["deleteMyData"]
    assert erased["errors"] == []
    client: MongoClient[dict[str, Any]] = MongoClient(live_server.settings.mongodb_uri, tz_aware=True)
    try:
        database = client[live_server.settings.database]
        holding = {name: [doc for doc in database[name].find({}) if user_id in json.dumps(doc, default=str)]
                   for name in database.list_collection_names()}
    finally:
        client.close()
    assert not any(holding.values()), holding
    [entry] = audited(live_server, user_id, at_least=1)
    assert (entry["action"], entry["operation"], entry["userId"], entry["actorRoles"]) == \
        ("ERASURE", "Mutation.deleteMyData", None, ["learner"])
    assert entry["erasedLearner"].startswith("hmac-sha256:") and entry["actorId"] == entry["erasedLearner"]
    assert {c["collection"]: c["count"] for c in entry["counts"]}["audit_log"] == 2


def test_the_server_makes_audit_entries_expire_after_the_retention(live_server: LiveServer) -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(live_server.settings.mongodb_uri, tz_aware=True)
    try:
        indexes = list(client[live_server.settings.database]["audit_log"].list_indexes())
    finally:
        client.close()
    ttl = [index.get("expireAfterSeconds") for index in indexes if dict(index["key"]) == {"at": 1}]
    assert ttl == [live_server.settings.audit_retention_days * 86_400] == [400 * 86_400]


def test_events_an_admin_sends_for_a_learner_are_recorded_once_per_learner(live_server: LiveServer) -> None:
    user_id = learner()
    events = [{"eventId": f"e{i}", "type": "page_view", "userId": user_id} for i in range(3)]
    with live_server.client("audit-admin", Role.ADMIN) as admin:
        assert admin.post("/v1/events", json={"events": events}).status_code == 200
    [entry] = audited(live_server, user_id, at_least=1)
    assert (entry["action"], entry["operation"], entry["actorId"]) == ("ACCESS", "POST /v1/events", "audit-admin")
