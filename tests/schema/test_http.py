"""The API through HTTP against a live `pathwise serve`: endpoints, auth, limits, error codes."""

import json

import httpx
import pytest

from app.core.tokens import Role
from schema.graphiql import CONTENT_SECURITY_POLICY
from schema.http import _prefers_graphql_response, _status_without_data
from tests.conftest import LiveServer
from tests.web_scripts import run_node_script

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
    assert page.status_code == 200, page.text  # 503 when GraphiQL's files are not built (`make web`)
    assert "graphiql" in page.text.lower()
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "unpkg" not in page.text and "https://" not in page.text


def test_graphiql_files_are_served_from_this_server(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url) as client:
        script = client.get("/static/graphiql/graphiql.min.js", headers={"accept-encoding": "gzip"})
    assert script.status_code == 200 and script.headers["content-encoding"] == "gzip"
    assert len(script.content) > 1_000_000  # httpx decompressed it


GRAPHQL_RESPONSE = {"accept": "application/graphql-response+json"}


@pytest.mark.parametrize(("accept", "preferred"), [
    ("application/graphql-response+json", True),
    ("application/graphql-response+json, application/json;q=0.9", True),
    ("application/json, application/graphql-response+json", True),
    ("Application/GraphQL-Response+JSON", True),
    ("application/json;q=1, application/graphql-response+json;q=0.5", False),
    ("application/graphql-response+json;q=0", False),
    ("application/json", False),
    ("*/*", False),
    ("", False),
    ("application/graphql-response+json;q=abc", False),
])
def test_graphql_response_media_type_is_chosen_by_accept(accept: str, preferred: bool) -> None:
    assert _prefers_graphql_response(accept) is preferred


@pytest.mark.parametrize(("codes_", "status"), [
    (["GRAPHQL_PARSE_FAILED"], 400), (["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"], 400),
    (["INTERNAL_SERVER_ERROR"], 500), (["UNAVAILABLE"], 503),
])
def test_status_without_data_says_whose_fault_it_was(codes_: list[str], status: int) -> None:
    errors: list[object] = [{"message": "m", "extensions": {"code": code}} for code in codes_]
    assert _status_without_data({"errors": errors}) == status


@pytest.mark.parametrize("query", ["{", "{ noSuchField }", "query($n: Int!) { courses(first: $n) { totalCount } }"])
def test_requests_that_never_execute_are_400_without_data_for_graphql_response_clients(
        live_server: LiveServer, query: str) -> None:
    with live_server.client("learner-a") as a:
        response = a.post("/graphql", json={"query": query, "variables": {"n": "ten"}}, headers=GRAPHQL_RESPONSE)
        classic = a.post("/graphql", json={"query": query, "variables": {"n": "ten"}})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/graphql-response+json"
    assert "data" not in response.json() and response.json()["errors"][0]["extensions"]["code"]
    assert classic.status_code == 200 and classic.headers["content-type"] == "application/json"  # as before
    assert classic.json()["data"] is None


def test_executed_requests_are_200_for_graphql_response_clients(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url, headers=GRAPHQL_RESPONSE) as client:
        response = client.post("/graphql", json={"query": ME})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/graphql-response+json"
    assert response.json()["data"] == {"me": None} and codes(response.json()) == ["UNAUTHENTICATED"]


def test_malformed_requests_get_a_graphql_response_when_clients_accept_one(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url) as client:
        ours = client.post("/graphql", json={"query": 1}, headers=GRAPHQL_RESPONSE)
        classic = client.post("/graphql", json={"query": 1})
    assert ours.status_code == 400 and ours.headers["content-type"] == "application/graphql-response+json"
    assert codes(ours.json()) and "data" not in ours.json()
    assert classic.status_code == 400 and classic.headers["content-type"] != "application/graphql-response+json"


def test_graphql_over_http_audit_has_no_failures_or_warnings(live_server: LiveServer) -> None:
    audit = run_node_script("tests/graphql-http-audit.mjs", f"{live_server.base_url}/graphql")
    problems = [f"{r['status']} {r['id']} {r['name']}: {r['reason']}" for r in audit["results"] if r["status"] != "ok"]
    assert (audit["error"], audit["warn"]) == (0, 0), problems
    assert audit["ok"] >= 60


def test_expected_errors_leave_one_line_and_no_traceback_in_the_server_log(live_server: LiveServer) -> None:
    log = live_server.settings.data_dir / "server.log"
    with live_server.client("learner-a") as a:
        a.post("/graphql", json={"query": '{ user(id: "learner-b") { id } }'}, headers={"x-request-id": "log-forbidden"})
        a.post("/graphql", json={"query": "{ " + "x" * 5000}, headers={"x-request-id": "log-parse"})
    lines = log.read_text(errors="replace").splitlines()
    forbidden = [line for line in lines if "(request log-forbidden)" in line]
    parse = [line for line in lines if "(request log-parse)" in line]
    assert len(forbidden) == 1 and "graphql FORBIDDEN" in forbidden[0]
    assert len(parse) == 1 and "graphql GRAPHQL_PARSE_FAILED" in parse[0] and len(parse[0]) < 500
    assert not any(line.startswith("Traceback") for line in lines)


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
    assert data["totalCount"] == len(data["edges"])  # the session's server may hold other tests' Python courses
    nodes = {edge["node"]["id"]: edge["node"]["prerequisites"] for edge in data["edges"]
             if edge["node"]["id"].startswith("http-")}
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


def test_errors_never_echo_a_huge_input(live_server: LiveServer) -> None:
    big = "a" * 900_000  # under the live server's body limit
    with live_server.client("echo-learner") as learner:
        top = gql(learner, "query($s: ID!) { nextExercises(skill: $s) { reason } }", {"s": big})
        payload = gql(learner, "mutation($s: ID!) { enroll(courseId: $s) { errors { code message } } }", {"s": big})
        literal = learner.post("/graphql", json={"query": f'{{ nextExercises(skill: "{big}") {{ reason }} }}'})
        rest = learner.post("/v1/events", json={"events": [{"eventId": "echo-1", "type": f"custom:{big}"}]})
    assert len(json.dumps(top)) < 2_000 and len(json.dumps(payload)) < 2_000
    assert len(literal.content) < 2_000 and len(rest.content) < 2_000
    assert rest.json()["results"][0]["code"] == "BAD_USER_INPUT"
