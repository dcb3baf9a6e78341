"""POST /v1/events against a live server: an event no store can keep (NaN, Infinity, 1e309, a lone surrogate, an
integer beyond 64 bits, a year-1 timestamp, an operator as courseId) is rejected alone, in JSON and in sendBeacon's
text/plain; and a learner sending such events never fails another learner's concurrent batches."""

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from pymongo.database import Database

from tests.conftest import LiveServer


def results(response: httpx.Response) -> list[tuple[int, str, str | None]]:
    assert response.status_code == 200, response.text
    return [(r["index"], r["status"], r["code"]) for r in response.json()["results"]]


def beacon(client: httpx.Client, body: str) -> httpx.Response:
    return client.post("/v1/events", content=body.encode(), headers={"content-type": "text/plain;charset=UTF-8"})


@pytest.mark.parametrize("poison", [
    '{"eventId": "p", "type": "follow", "properties": {"x": NaN}}',
    '{"eventId": "p", "type": "follow", "properties": {"x": Infinity}}',
    '{"eventId": "p", "type": "follow", "properties": {"x": -Infinity}}',
    '{"eventId": "p", "type": "follow", "properties": {"x": 1e309}}',
    '{"eventId": "p", "type": "follow", "properties": {"x": "\\ud800"}}',
    '{"eventId": "p", "type": "follow", "properties": {"\\udc00": 1}}',
    '{"eventId": "p", "type": "follow", "properties": {"n": 99999999999999999999999}}',
    '{"eventId": "p", "type": "follow", "timestamp": "0001-01-01T00:00:00+01:00"}',
    '{"eventId": "p", "type": "enroll", "courseId": {"$ne": null}}',
    '{"eventId": "\\ud800", "type": "follow"}',
    '{"eventId": "p", "type": "follow", "userId": {"$ne": null}}',
    '{"eventId": "p", "type": "follow", "context": {"city": "\\ud800"}}',
])
def test_a_poisoned_beacon_event_is_rejected_alone(live_server: LiveServer, store: Database[dict[str, Any]],
                                                    poison: str) -> None:
    user = f"iso-{abs(hash(poison))}"
    body = f'{{"events": [{{"eventId": "ok-1", "type": "follow"}}, {poison}, {{"eventId": "ok-2", "type": "follow"}}]}}'
    with live_server.client(user) as client:
        response = beacon(client, body)
    assert results(response) == [(0, "ACCEPTED", None), (1, "REJECTED", "BAD_USER_INPUT"), (2, "ACCEPTED", None)]
    json.dumps(response.json(), ensure_ascii=False).encode()  # nothing unencodable is echoed back
    assert sorted(doc["event_id"] for doc in store.events.find({"user_id": user})) == ["ok-1", "ok-2"]


def test_a_poisoned_segment_call_is_rejected_alone(live_server: LiveServer) -> None:
    body = ('{"batch": [{"type": "track", "event": "Topic Followed", "messageId": "s1", "properties": {"x": NaN}},'
            ' {"type": "track", "event": "Topic Followed", "messageId": {"$ne": 1}},'
            ' {"type": "track", "event": "Topic Followed", "messageId": "s3"}]}')
    with live_server.client("iso-segment") as client:
        response = beacon(client, body)
    assert results(response) == [(0, "REJECTED", "BAD_USER_INPUT"), (1, "REJECTED", "BAD_USER_INPUT"),
                                 (2, "ACCEPTED", None)]


def test_poisoned_events_never_fail_another_learners_concurrent_batches(
        live_server: LiveServer, store: Database[dict[str, Any]]) -> None:
    good = [{"events": [{"eventId": f"g{b}-{k}", "type": "follow"} for k in range(10)]} for b in range(20)]
    poisoned = [f'[{{"eventId": "p{b}", "type": "follow", "properties": {{"x": NaN, "y": "\\ud800", "n": 1e400}}}}]'
                for b in range(20)]
    with live_server.client("iso-good") as alice, live_server.client("iso-bad") as mallory, \
            ThreadPoolExecutor(max_workers=16) as pool:
        sent = [pool.submit(alice.post, "/v1/events", json=batch) for batch in good]
        attacks = [pool.submit(beacon, mallory, body) for body in poisoned]
        answers = [future.result() for future in sent]
        refused = [future.result() for future in attacks]
        again = [future.result() for future in [pool.submit(alice.post, "/v1/events", json=b) for b in good]]
    assert [response.status_code for response in answers] == [200] * 20
    assert all(response.json()["accepted"] == 10 for response in answers)
    assert all(results(response) == [(0, "REJECTED", "BAD_USER_INPUT")] for response in refused)
    assert all(response.json()["duplicates"] == 10 for response in again)  # a retry stores nothing twice
    assert store.events.count_documents({"user_id": "iso-good"}) == 200
    assert store.events.count_documents({"user_id": "iso-bad"}) == 0
