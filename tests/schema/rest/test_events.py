"""POST /v1/events: through HTTP against a live `pathwise serve` (bodies, beacons, Segment batches, auth, limits),
and in-process for what is stored and for refusals that a live server cannot easily be made to give."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo.errors import AutoReconnect
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from app.core.documents import Course, Event, Purpose
from app.core.settings import Settings
from app.core.tokens import Principal, Role, issue_token
from resolvers.errors import ErrorCode
from resolvers.events.ingestion import EventWriter
from resolvers.events.tracking import EventResult, EventStatus, IngestOptions
from resolvers.practice.knowledge import trackers_for
from schema.rest import events as rest_events
from schema.rest.events import NotAnEvent, RefusedError, incoming_events, snake_case_event, summary, track
from tests.conftest import LiveServer

TRACKERS = trackers_for(Settings())

COURSE = "rest-course-1"


def post(client: httpx.Client, body: Any, **kwargs: Any) -> httpx.Response:
    return client.post("/v1/events", json=body, **kwargs)


def statuses(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(r["status"], r["code"]) for r in body["results"]]


def follow(event_id: str, **fields: Any) -> dict[str, Any]:
    return {"eventId": event_id, "type": "follow", "properties": {"topic": "Python"}, **fields}


def error_code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


@pytest.fixture(scope="module")
def course(live_server: LiveServer) -> str:
    with live_server.client("rest-platform", Role.PARTNER) as partner:
        body = partner.post("/graphql", json={
            "query": "mutation($c: [CourseInput!]!) { upsertCourses(input: $c) { errors { message } } }",
            "variables": {"c": [{"id": COURSE, "title": "REST course"}]}}).json()
    assert body["data"]["upsertCourses"]["errors"] == []
    return COURSE


def test_json_events_are_accepted_one_result_each(live_server: LiveServer, course: str) -> None:
    events = [follow("j1", timestamp="2026-01-05T10:00:00Z", context={"device": "mobile", "appVersion": "2.1"}),
              {"eventId": "j2", "type": "enroll", "courseId": course},
              {"eventId": "j3", "type": "enroll", "courseId": "no-such-course"}]
    with live_server.client("rest-a") as a:
        response = post(a, {"events": events})
    assert response.status_code == 200
    assert response.json() == {"accepted": 2, "duplicates": 0, "rejected": 1, "results": [
        {"index": 0, "eventId": "j1", "status": "ACCEPTED", "code": None, "message": None},
        {"index": 1, "eventId": "j2", "status": "ACCEPTED", "code": None, "message": None},
        {"index": 2, "eventId": "j3", "status": "REJECTED", "code": "NOT_FOUND",
         "message": "no course with id 'no-such-course'"},
    ]}


def test_a_bare_array_is_a_batch_too(live_server: LiveServer) -> None:
    with live_server.client("rest-b") as b:
        response = post(b, [follow("b1"), follow("b2")])
    assert response.status_code == 200
    assert statuses(response.json()) == [("ACCEPTED", None)] * 2


def test_a_beacon_text_body_with_the_token_in_the_url(live_server: LiveServer) -> None:
    token = live_server.token("rest-beacon")
    with httpx.Client(base_url=live_server.base_url) as anonymous:
        response = anonymous.post("/v1/events", params={"token": token}, content=json.dumps([follow("beacon-1")]),
                                  headers={"content-type": "text/plain;charset=UTF-8", "origin": "https://app.example"})
    assert response.status_code == 200
    assert statuses(response.json()) == [("ACCEPTED", None)]
    assert response.headers["access-control-allow-origin"] == "https://app.example"


def test_a_body_without_content_type_is_read_as_json(live_server: LiveServer) -> None:
    with live_server.client("rest-bare") as c:
        request = c.build_request("POST", "/v1/events", content=json.dumps([follow("n1")]).encode())
        assert "content-type" not in request.headers
        response = c.send(request)
    assert response.status_code == 200
    assert response.json()["accepted"] == 1


def test_json_from_another_origin_passes_the_cors_preflight(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url) as anonymous:
        response = anonymous.options("/v1/events", headers={
            "origin": "https://app.example", "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert "POST" in response.headers["access-control-allow-methods"]


def test_a_segment_batch_with_mixed_calls(live_server: LiveServer, course: str) -> None:
    context = {"locale": "en-GB", "userAgent": "Mozilla/5.0 (iPhone) Mobile Safari/604.1", "library": {"name": "x"}}
    batch = [
        {"type": "track", "event": "Course Enrolled", "userId": "rest-seg", "messageId": "s1",
         "properties": {"course_id": course}, "context": context, "timestamp": "2026-01-05T10:00:00.123Z"},
        {"type": "track", "event": "Quiz Answered", "userId": "rest-seg", "messageId": "s2",
         "properties": {"itemId": "q7", "correct": True}},
        {"type": "track", "event": "Certificate Downloaded", "userId": "rest-seg", "messageId": "s3"},
        {"type": "page", "name": "Home", "userId": "rest-seg", "messageId": "s4", "properties": {"path": "/"}},
        {"type": "identify", "userId": "rest-seg", "messageId": "s5", "traits": {"email": "x@example.com"}},
        {"type": "track", "event": "Course Rated", "userId": "rest-seg", "messageId": "s6",
         "properties": {"courseId": course, "rating": 9}},
    ]
    with live_server.client("rest-seg") as seg:
        response = post(seg, {"batch": batch, "sentAt": "2026-01-05T10:00:01Z"})
    body = response.json()
    assert response.status_code == 200
    assert statuses(body) == [("ACCEPTED", None), ("ACCEPTED", None), ("REJECTED", "CONSENT_REQUIRED"),
                              ("REJECTED", "CONSENT_REQUIRED"), ("REJECTED", "BAD_USER_INPUT"),
                              ("REJECTED", "BAD_USER_INPUT")]
    assert [r["eventId"] for r in body["results"]] == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert "custom:certificate_downloaded" in body["results"][2]["message"]  # no consent here; the type shows
    assert "page_view" in body["results"][3]["message"]
    assert body["results"][4]["message"].startswith("not an event: identify")
    assert body["results"][5]["message"].startswith("properties.rating")


def test_a_retried_batch_is_all_duplicates(live_server: LiveServer) -> None:
    batch = [follow("r1"), follow("r2")]
    with live_server.client("rest-retry") as r:
        first, again = post(r, {"events": batch}), post(r, {"events": batch})
    assert first.json()["accepted"] == 2
    assert again.json() | {"results": []} == {"accepted": 0, "duplicates": 2, "rejected": 0, "results": []}
    assert statuses(again.json()) == [("DUPLICATE", None)] * 2


def test_events_of_someone_else_are_rejected_one_by_one(live_server: LiveServer) -> None:
    batch = [follow("o1", userId="rest-other"), follow("o2"), follow("o3", userId="rest-self")]
    with live_server.client("rest-self") as learner, live_server.client("rest-partner", Role.PARTNER) as partner:
        mine = post(learner, {"events": batch}).json()
        theirs = post(partner, {"events": batch[:1]}).json()
    assert statuses(mine) == [("REJECTED", "FORBIDDEN"), ("ACCEPTED", None), ("ACCEPTED", None)]
    assert mine["results"][0]["message"] == "learners may only send their own events"
    assert statuses(theirs) == [("REJECTED", "FORBIDDEN")]


def test_an_admin_sends_events_for_any_learner(live_server: LiveServer) -> None:
    batch = [follow("a1", userId="rest-x"), follow("a1", userId="rest-y")]
    with live_server.client("rest-backend", Role.ADMIN) as admin:
        body = post(admin, {"events": batch}).json()
    assert statuses(body) == [("ACCEPTED", None)] * 2  # the same eventId, but two learners


def test_more_than_the_batch_limit_is_refused_and_nothing_is_stored(live_server: LiveServer) -> None:
    batch = [follow(f"big{i}") for i in range(1001)]
    with live_server.client("rest-big") as big:
        refused, first = post(big, {"events": batch}), post(big, {"events": batch[:1]})
    assert refused.status_code == 400
    assert error_code(refused) == "BAD_USER_INPUT"
    assert refused.json()["errors"][0]["message"] == "at most 1000 events per call; got 1001"
    assert statuses(first.json()) == [("ACCEPTED", None)]  # big0 was never stored


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "the body is not valid JSON"),
    (b'{"evnts": []}', 'expected {"events": [...]}'),
    (b"[]", "the batch is empty"),
    (b"null", 'expected {"events": [...]}'), (b'"x"', 'expected {"events": [...]}'), (b"1", 'expected {"events"'),
    (b'{"events": [{"eventId": "\xff"}]}', "the body is not UTF-8 text"),
    (b"[" * 1_000 + b"]" * 1_000, "the JSON nests too deeply"),
    (b'{"events": [{"eventId": ' + b"9" * 5_000 + b"}]}", "the JSON holds an integer with too many digits"),
])
def test_an_unusable_body_is_400(live_server: LiveServer, content: bytes, message: str) -> None:
    with live_server.client("rest-bad") as bad:
        response = bad.post("/v1/events", content=content, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert error_code(response) == "BAD_USER_INPUT"
    assert response.json()["errors"][0]["message"].startswith(message)


def test_another_content_type_is_415(live_server: LiveServer) -> None:
    with live_server.client("rest-form") as form:
        response = form.post("/v1/events", data={"events": "x"})
    assert response.status_code == 415
    assert error_code(response) == "BAD_USER_INPUT"


@pytest.mark.parametrize("headers", [{}, {"authorization": "Bearer not.a.jwt"}, {"authorization": "Basic abc"}])
def test_without_a_valid_token_it_is_401(live_server: LiveServer, headers: dict[str, str]) -> None:
    with httpx.Client(base_url=live_server.base_url, headers=headers) as anonymous:
        response = post(anonymous, [follow("t1")])
    assert response.status_code == 401
    assert error_code(response) == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_admin_token_in_the_url_is_403(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url) as anonymous:
        response = post(anonymous, [follow("t1")], params={"token": live_server.token("root", Role.ADMIN)})
    assert response.status_code == 403
    assert error_code(response) == "FORBIDDEN"


def test_a_body_over_the_limit_is_413(live_server: LiveServer) -> None:
    batch = [follow(f"huge{i}", properties={"topic": "x" * 1_000}) for i in range(1_000)]
    with live_server.client("rest-huge") as huge:
        response = post(huge, batch)
    assert response.status_code == 413
    assert error_code(response) == "PAYLOAD_TOO_LARGE"


def test_only_post_is_routed(live_server: LiveServer) -> None:
    with live_server.client("rest-get") as c:
        assert c.get("/v1/events").status_code == 405


# --- in-process: what is stored, and the refusals behind the endpoint -------------------------------------------

LEARNER = Principal("seg-user", frozenset({Role.LEARNER}))
BEHAVIORAL = IngestOptions(settings=Settings(), trackers=TRACKERS, default_purposes=frozenset({Purpose.ESSENTIAL, Purpose.BEHAVIORAL_TRACKING}))


def events_of(body: Any, content_type: str = "application/json") -> list[dict[str, Any] | NotAnEvent]:
    return incoming_events(json.dumps(body).encode(), content_type, 1_000)


@pytest.mark.usefixtures("clean")
async def test_a_segment_batch_is_stored_in_our_shape() -> None:
    await Course(id="c-seg", title="Segment course").insert()
    context = {"userAgent": "Mozilla/5.0 (Windows NT 10.0) Chrome/126.0 Safari/537.36", "locale": "de-DE",
               "timezone": "Europe/Berlin", "screen": {"width": 1920, "height": 1080}, "os": {"name": "Windows"},
               "network": {"wifi": True}, "location": {"country": "Germany", "city": "Berlin", "latitude": 52.5},
               "ip": "203.0.113.9", "page": {"path": "/courses/c-seg", "title": "C", "referrer": "https://x.example"},
               "sessionId": 1717}
    batch = {"batch": [
        {"type": "track", "event": "Course Viewed", "messageId": "m1", "userId": "seg-user",
         "timestamp": "2026-02-01T08:30:00.250Z", "properties": {"courseId": "c-seg", "list": "featured"},
         "context": context},
        {"type": "page", "messageId": "m2", "context": context, "properties": {}},
        {"type": "track", "event": "Video Playback Started", "messageId": "m3",
         "properties": {"position": 12.5, "total_length": 300, "content_asset_id": "v1"}},
    ]}
    results = await track(events_of(batch, "text/plain"), LEARNER, BEHAVIORAL)
    assert [r.status for r in results] == [EventStatus.ACCEPTED] * 3
    viewed, page, video = [await Event.get(f"seg-user:m{i}") for i in (1, 2, 3)]
    assert viewed is not None and page is not None and video is not None
    assert (viewed.type, viewed.course_id, viewed.properties) == ("course_view", "c-seg", {"list": "featured"})
    assert viewed.client_timestamp == datetime(2026, 2, 1, 8, 30, 0, 250_000, tzinfo=UTC)
    assert viewed.session_id == "1717"
    assert viewed.context.model_dump() == {
        "device": "desktop", "os": "Windows", "browser": "Chrome", "screen": "1920x1080", "locale": "de-DE",
        "timezone": "Europe/Berlin", "network": "wifi", "app_version": None, "country": "Germany", "city": "Berlin"}
    assert (page.type, page.properties) == ("page_view", {"path": "/courses/c-seg", "title": "C",
                                                          "referrer": "https://x.example"})
    assert (video.type, video.properties) == ("video_play", {"position_s": 12.5, "duration_s": 300, "video_id": "v1"})


@pytest.mark.usefixtures("clean")
async def test_native_events_keep_their_fields_and_results_keep_their_positions() -> None:
    batch = [
        "not an object",
        {"eventId": "n1", "type": "click", "sessionId": "s", "extra": 1, "properties": None,
         "context": {"appVersion": "3.0", "device": None, "unknown": "x"}, "timestamp": "2026-01-01T00:00:00+02:00"},
        {"eventId": "n2", "type": "click", "timestamp": "yesterday"},
        {"eventId": 7, "type": "click", "userId": "someone-else"},
        {"eventId": 8, "type": "click"},
    ]
    results = await track(events_of(batch), LEARNER, BEHAVIORAL)
    assert [(r.index, r.event_id, r.status, r.code) for r in results] == [
        (0, "", EventStatus.REJECTED, "BAD_USER_INPUT"),
        (1, "n1", EventStatus.ACCEPTED, None),
        (2, "n2", EventStatus.REJECTED, "BAD_USER_INPUT"),
        (3, "7", EventStatus.REJECTED, "FORBIDDEN"),
        (4, "8", EventStatus.ACCEPTED, None),
    ]
    assert results[2].message is not None and results[2].message.startswith("timestamp must be an ISO 8601")
    stored = await Event.get("seg-user:n1")
    assert stored is not None
    assert (stored.session_id, stored.properties, stored.context.app_version) == ("s", {}, "3.0")
    assert stored.client_timestamp == datetime(2025, 12, 31, 22, 0, tzinfo=UTC)
    assert await Event.count() == 2


@pytest.mark.usefixtures("clean")
async def test_a_timestamp_string_far_in_the_future_is_rejected() -> None:
    results = await track(events_of([{"eventId": "f1", "type": "follow", "timestamp": "2999-01-01T00:00:00Z"}]),
                          LEARNER, IngestOptions(settings=Settings(), trackers=TRACKERS))
    assert (results[0].status, results[0].message) == (EventStatus.REJECTED, "timestamp is more than a day in the future")


class _RefusingCollection:
    async def insert_many(self, documents: list[dict[str, Any]], ordered: bool) -> None:
        raise AutoReconnect("the store went away")


@pytest.mark.usefixtures("clean")
async def test_a_store_that_refuses_is_503_and_nothing_is_acknowledged() -> None:
    options = IngestOptions(settings=Settings(), trackers=TRACKERS, writer=EventWriter(_RefusingCollection()))  # type: ignore[arg-type]
    with pytest.raises(RefusedError) as refused:
        await track(events_of([{"eventId": "u1", "type": "follow"}]), LEARNER, options)
    response = refused.value.response()
    assert (response.status_code, response.headers["retry-after"]) == (503, "1")
    assert json.loads(response.body)["errors"][0]["extensions"]["code"] == "UNAVAILABLE"


def test_an_unexpected_failure_is_masked_and_names_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*args: Any) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(rest_events, "track", broken)
    settings = Settings(jwt_secret="s" * 32)
    app = Starlette(routes=[Route("/v1/events", rest_events.events_endpoint(settings), methods=["POST"])])
    token = issue_token(settings, "someone", [Role.LEARNER], timedelta(minutes=5))
    with TestClient(app) as client:
        response = client.post("/v1/events", json=[{"eventId": "e"}], headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 500
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in response.text


@pytest.mark.parametrize("content_type", ["application/json", "text/plain;charset=UTF-8", None,
                                          "application/vnd.api+json"])
def test_json_media_types(content_type: str | None) -> None:
    assert len(incoming_events(b"[{}]", content_type, 10)) == 1


def test_the_batch_limit_counts_every_item() -> None:
    with pytest.raises(RefusedError) as refused:
        incoming_events(json.dumps({"batch": [{"type": "identify"}] * 3}).encode(), None, 2)
    assert refused.value.status == 400
    assert refused.value.message == "at most 2 events per call; got 3"


def test_snake_case_event_drops_nulls_and_unknown_fields() -> None:
    assert snake_case_event({"eventId": "e", "courseId": None, "foo": 1, "context": {"appVersion": "1", "bar": 2}}) == {
        "event_id": "e", "context": {"app_version": "1"}}


def test_summary_counts_and_lists() -> None:
    results = [EventResult(0, "a", EventStatus.DUPLICATE), EventResult(1, "b", EventStatus.REJECTED, ErrorCode.NOT_FOUND, "m")]
    assert summary(results) == {"accepted": 0, "duplicates": 1, "rejected": 1, "results": [
        {"index": 0, "eventId": "a", "status": "DUPLICATE", "code": None, "message": None},
        {"index": 1, "eventId": "b", "status": "REJECTED", "code": "NOT_FOUND", "message": "m"}]}
