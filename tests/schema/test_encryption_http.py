"""Encryption at rest through HTTP against a live `pathwise serve`: sensitive fields are ciphertext in the
store and plain text in the API and the export; erasure destroys the learner's data key, so a copy of their
documents (a backup) no longer opens."""

import json
import uuid
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from app.core.tokens import Role
from tests.conftest import LiveServer
from tests.resolvers.profile.account_payloads import GITHUB_USER

UPSERT = """mutation($u: UserInput!) { upsertUser(input: $u) { user { jobTitle } errors { code } } }"""
CONSENT = "mutation { setConsent(purpose: THIRD_PARTY_IMPORT, granted: true) { consents { purpose } } }"
CONNECT = """mutation($p: JSON!) { connectAccount(provider: GITHUB, profile: $p) {
  account { externalId imported profile } errors { code } } }"""
RATE = 'mutation { rateCourse(courseId: "enc-1", rating: 5, review: "Clear and kind") { errors { code } } }'
ME = """{ me { jobTitle city otherInterests ratings { review }
  connectedAccounts { externalId imported profile positions { title } } } }"""
MY_DATA = "{ myData { sections { collection documents } } }"
DELETE = "mutation { deleteMyData { total errors { code } } }"
SECRETS = ("Night-shift nurse", "Lyon", "Sourdough and climbing", "Clear and kind")


def data(client: httpx.Client, query: str, **variables: Any) -> Any:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


@pytest.fixture
def raw(live_server: LiveServer) -> Any:
    client: MongoClient[dict[str, Any]] = MongoClient(live_server.settings.mongodb_uri, tz_aware=True)
    yield client[live_server.settings.database]
    client.close()


@pytest.fixture
def learner(live_server: LiveServer) -> str:
    """A learner with a profile, a review and a connected GitHub account, all written through the API."""
    partner = live_server.client("platform", Role.PARTNER)
    data(partner, "mutation($c: [CourseInput!]!) { upsertCourses(input: $c) { errors { message } } }",
         c=[{"id": "enc-1", "title": "Encryption 101"}])
    user_id = f"enc-{uuid.uuid4().hex[:10]}"
    with live_server.client(user_id) as client:
        profile = {"id": user_id, "jobTitle": SECRETS[0], "city": SECRETS[1], "otherInterests": SECRETS[2]}
        assert data(client, UPSERT, u=profile)["user"]["jobTitle"] == SECRETS[0]
        data(client, CONSENT)
        assert data(client, CONNECT, p=GITHUB_USER)["errors"] == []
        assert data(client, RATE)["errors"] == []
    return user_id


def test_sensitive_fields_are_ciphertext_in_the_store_and_plain_in_the_api(
        live_server: LiveServer, raw: Any, learner: str) -> None:
    stored = [raw["users"].find_one({"_id": learner}), raw["ratings"].find_one({"user_id": learner}),
              raw["accounts"].find_one({"user_id": learner})]
    dumped = json.dumps(stored, default=str)
    assert not any(secret in dumped for secret in SECRETS)
    assert str(GITHUB_USER["id"]) not in dumped and GITHUB_USER["login"] not in dumped
    assert stored[0]["job_title"]["_enc"] == 1 and stored[2]["provider"] == "github"
    assert raw["data_keys"].count_documents({"owner": learner}) == 1
    with live_server.client(learner) as client:
        me = data(client, ME)
        sections = {s["collection"]: s["documents"] for s in data(client, MY_DATA)["sections"]}
        exported = client.get("/v1/me/export").json()["collections"]
    assert (me["jobTitle"], me["city"], me["otherInterests"]) == SECRETS[:3]
    assert me["ratings"] == [{"review": SECRETS[3]}]
    account = me["connectedAccounts"][0]
    assert account["externalId"] == str(GITHUB_USER["id"]) and account["profile"]
    for export in (sections, exported):
        assert export["users"][0]["job_title"] == SECRETS[0] and export["ratings"][0]["review"] == SECRETS[3]
        assert export["accounts"][0]["external_id"] == str(GITHUB_USER["id"])
        assert "data_keys" not in export and "_enc" not in json.dumps(export)


def test_erasure_destroys_the_key_and_a_backup_copy_no_longer_opens(
        live_server: LiveServer, raw: Any, learner: str) -> None:
    backup = {name: list(raw[name].find({key: learner})) for name, key in
              (("users", "_id"), ("ratings", "user_id"), ("accounts", "user_id"))}
    with live_server.client(learner) as client:
        assert data(client, DELETE)["errors"] == []
        assert raw["data_keys"].count_documents({"owner": learner}) == 0
        for name, documents in backup.items():  # the backup is restored: its ciphertext stays closed
            raw[name].insert_many(documents)
        me = data(client, ME)
    assert (me["jobTitle"], me["city"], me["otherInterests"]) == (None, None, None)
    assert me["ratings"] == [{"review": None}]
    assert me["connectedAccounts"][0]["externalId"] is None and me["connectedAccounts"][0]["profile"] == {}
