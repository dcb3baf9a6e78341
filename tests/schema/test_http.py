"""The API through HTTP against a live `pathwise serve`: endpoints, auth, limits, error codes."""

import json

import httpx
import pytest

from app.tokens import Role
from tests.conftest import LiveServer

ME = "{ me { id displayName } }"


def gql(client: httpx.Client, query: str, variables: dict[str, object] | None = None) -> dict[str, object]:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def codes(body: dict[str, object]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]  # type: ignore[index, union-attr]


@pytest.fixture(scope="module")
def catalog(live_server: LiveServer) -> None:
    partner = live_server.client("platform", Role.PARTNER)
    courses = [
        {"id": "http-py-1", "title": "Python from zero", "skills": ["Python"], "level": "BEGINNER"},
        {"id": "http-py-2", "title": "Python, the next step", "skills": ["Python"], "prerequisites": ["http-py-1"]},
        {"id": "http-cook", "title": "Bread baking", "skills": ["Baking"], "level": "BEGINNER"},
    ]
    body = gql(partner, "mutation($c: [CourseInput!]!) { upsertCourses(input: $c) { errors { message } } }",
               {"c": courses})
    assert body["data"]["upsertCourses"]["errors"] == []  # type: ignore[index]


def test_health_and_readiness(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json() == {"status": "ready"}


def test_graphiql_on_the_bare_path_without_redirect(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url, follow_redirects=False) as client:
        page = client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def test_get_queries_work(live_server: LiveServer) -> None:
    with live_server.client("get-user") as client:
        response = client.get("/graphql", params={"query": "{ me { id } }"})
    assert response.json() == {"data": {"me": None}}


def test_mutations_over_get_are_refused(live_server: LiveServer) -> None:
    with live_server.client("get-user") as client:
        response = client.get("/graphql", params={"query": 'mutation { enroll(courseId: "x") { errors { code } } }'})
    assert response.status_code in (400, 405)


def test_me_without_token_is_unauthenticated(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url) as client:
        assert codes(gql(client, ME)) == ["UNAUTHENTICATED"]


def test_bad_token_is_unauthenticated_and_says_why(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url, headers={"authorization": "Bearer not.a.jwt"}) as client:
        body = gql(client, ME)
    assert codes(body) == ["UNAUTHENTICATED"]
    assert "invalid token" in body["errors"][0]["message"]  # type: ignore[index]


def test_learner_sees_and_updates_only_themselves(live_server: LiveServer) -> None:
    with live_server.client("learner-a") as a:
        body = gql(a, 'mutation { upsertUser(input: {id: "learner-a", displayName: "Ana"}) { user { id } errors { code } } }')
        assert body["data"]["upsertUser"]["user"] == {"id": "learner-a"}  # type: ignore[index]
        assert gql(a, ME)["data"] == {"me": {"id": "learner-a", "displayName": "Ana"}}
        assert codes(gql(a, '{ user(id: "learner-b") { id } }')) == ["FORBIDDEN"]
        foreign = gql(a, 'mutation { upsertUser(input: {id: "learner-b", displayName: "X"}) { user { id } } }')
        assert codes(foreign) == ["FORBIDDEN"]
    with live_server.client("root", Role.ADMIN) as admin:
        assert gql(admin, '{ user(id: "learner-a") { id } }')["data"] == {"user": {"id": "learner-a"}}
        assert gql(admin, '{ user(id: "learner-b") { id } }')["data"] == {"user": None}


def test_learner_cannot_upsert_courses(live_server: LiveServer) -> None:
    with live_server.client("learner-a") as a:
        body = gql(a, 'mutation { upsertCourses(input: [{id: "x", title: "X"}]) { created } }')
    assert codes(body) == ["FORBIDDEN"]
    with live_server.client("root", Role.ADMIN) as admin:
        assert gql(admin, '{ course(id: "x") { id } }')["data"] == {"course": None}


@pytest.mark.usefixtures("catalog")
def test_search_courses_with_prerequisites(live_server: LiveServer) -> None:
    query = '{ courses(search: "python", first: 10) { totalCount edges { node { id prerequisites { id } } } } }'
    with live_server.client("learner-a") as a:
        data = gql(a, query)["data"]["courses"]  # type: ignore[index]
    assert data["totalCount"] == 2
    nodes = {edge["node"]["id"]: edge["node"]["prerequisites"] for edge in data["edges"]}
    assert nodes == {"http-py-1": [], "http-py-2": [{"id": "http-py-1"}]}


@pytest.mark.usefixtures("catalog")
def test_course_pages_follow_cursors(live_server: LiveServer) -> None:
    query = "query($after: String) { courses(first: 1, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }"
    seen, after = [], None
    with live_server.client("learner-a") as a:
        for _ in range(10):
            page = gql(a, query, {"after": after})["data"]["courses"]  # type: ignore[index]
            seen += [edge["node"]["id"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) and {"http-py-1", "http-cook"} <= set(seen)


def test_wrong_types_are_bad_user_input_or_validation_errors(live_server: LiveServer) -> None:
    with live_server.client("learner-a") as a:
        typed = gql(a, "query($n: Int!) { courses(first: $n) { totalCount } }", {"n": "ten"})
        inline = gql(a, 'mutation { rateCourse(courseId: "http-py-1", rating: "five") { errors { code } } }')
    assert codes(typed) == ["BAD_USER_INPUT"]
    assert codes(inline) == ["GRAPHQL_VALIDATION_FAILED"]


@pytest.mark.usefixtures("catalog")
def test_unknown_course_is_not_found_and_stores_nothing(live_server: LiveServer) -> None:
    with live_server.client("learner-c") as c:
        body = gql(c, 'mutation { enroll(courseId: "nope") { enrollment { status } errors { code } } }')
        assert body["data"]["enroll"] == {"enrollment": None, "errors": [{"code": "NOT_FOUND"}]}  # type: ignore[index]
        rate = gql(c, 'mutation { rateCourse(courseId: "nope", rating: 4) { errors { code } } }')
        assert rate["data"]["rateCourse"]["errors"] == [{"code": "NOT_FOUND"}]  # type: ignore[index]
        gql(c, 'mutation { upsertUser(input: {id: "learner-c"}) { errors { code } } }')
        me = gql(c, "{ me { enrollments { courseId } ratings { courseId } } }")
    assert me["data"] == {"me": {"enrollments": [], "ratings": []}}


def test_too_many_events_stores_nothing(live_server: LiveServer) -> None:
    events = [{"eventId": f"e{i}", "type": "follow", "properties": {"topic": "Python"}} for i in range(1001)]
    query = "mutation($e: [EventInput!]!) { trackEvents(events: $e) { accepted errors { code message } } }"
    with live_server.client("learner-d") as d:
        body = gql(d, query, {"e": events})
        again = gql(d, query, {"e": events[:1]})
    assert body["data"]["trackEvents"]["accepted"] == 0  # type: ignore[index]
    assert body["data"]["trackEvents"]["errors"][0]["code"] == "BAD_USER_INPUT"  # type: ignore[index]
    assert again["data"]["trackEvents"]["accepted"] == 1  # type: ignore[index]  # e0 was never stored


def test_dollar_keys_are_refused_and_nothing_is_stored(live_server: LiveServer) -> None:
    with live_server.client("learner-e") as e:
        gql(e, 'mutation { upsertUser(input: {id: "learner-e", attributes: {plan: "pro"}}) { errors { code } } }')
        body = gql(e, 'mutation { upsertUser(input: {id: "learner-e", attributes: {plan: "x", nested: {_ok: 1, "$where": "1"}}}) { errors { code field } } }'.replace('"$where"', "where"))
        assert body["data"]["upsertUser"]["errors"] == []  # type: ignore[index]  # plain keys pass
        bad = gql(e, "mutation($a: JSON) { upsertUser(input: {id: \"learner-e\", attributes: $a}) { errors { code field } } }",
                  {"a": {"plan": "hack", "$where": "sleep(1000)"}})
        assert bad["data"]["upsertUser"]["errors"] == [{"code": "BAD_USER_INPUT", "field": "attributes"}]  # type: ignore[index]
        event = gql(e, "mutation($p: JSON) { trackEvents(events: [{eventId: \"x1\", type: \"click\", properties: $p}]) { rejected results { code } } }",
                    {"p": {"a.b": 1}})
        assert event["data"]["trackEvents"] == {"rejected": 1, "results": [{"code": "BAD_USER_INPUT"}]}  # type: ignore[index]
        stored = gql(e, "{ me { attributes } }")
    assert stored["data"]["me"]["attributes"] == {"plan": "x", "nested": {"_ok": 1, "where": "1"}}  # type: ignore[index]


def test_huge_body_is_refused_with_413(live_server: LiveServer) -> None:
    payload = json.dumps({"query": ME, "variables": {"pad": "x" * 10_000_000}})
    with live_server.client("learner-a") as a:
        response = a.post("/graphql", content=payload, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_deep_query_is_refused(live_server: LiveServer) -> None:
    depth_20 = "{ me { enrollments { course { prerequisites " + "{ prerequisites " * 16 + "{ id }" + " }" * 16 + " } } } }"
    with live_server.client("learner-a") as a:
        body = gql(a, depth_20)
    assert codes(body) == ["QUERY_TOO_COMPLEX"]
    assert "data" not in body or body["data"] is None


def test_responses_carry_a_request_id(live_server: LiveServer) -> None:
    with live_server.client("learner-a") as a:
        response = a.post("/graphql", json={"query": ME}, headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


def test_cors_preflight_for_configured_origin_only(live_server: LiveServer) -> None:
    headers = {"origin": "https://evil.example", "access-control-request-method": "POST"}
    with httpx.Client(base_url=live_server.base_url) as client:
        response = client.options("/graphql", headers=headers)
    assert "access-control-allow-origin" not in response.headers


def test_cors_preflight_for_the_configured_spa(live_server: LiveServer) -> None:
    headers = {"origin": "https://app.example", "access-control-request-method": "POST",
               "access-control-request-headers": "authorization, content-type"}
    with httpx.Client(base_url=live_server.base_url) as client:
        response = client.options("/graphql", headers=headers)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://app.example"
