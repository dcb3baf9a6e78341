"""Requests timed by route, counted by status, and GraphQL requests timed by the operation left in the scope."""

import pytest
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from app.core.http.request_metrics import OPERATION_KEY, RequestMetricsMiddleware


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class GraphQL:
    """An ASGI app, as the GraphQL endpoint is, labelling its request as the GraphQL layer does."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[OPERATION_KEY] = "TestMetricsOperation"
        await PlainTextResponse("{}")(scope, receive, send)


async def course(request: Request) -> Response:
    return PlainTextResponse(request.path_params["course_id"], status_code=201)


async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
    """What the rate limit answers before routing."""
    await PlainTextResponse("slow down", status_code=429)(scope, receive, send)


async def broken(request: Request) -> Response:
    raise RuntimeError("boom")


def app(*middleware: Middleware) -> Starlette:
    return Starlette(routes=[Route("/graphql", GraphQL(), methods=["POST"]),
                             Route("/test-courses/{course_id}", course, methods=["GET", "BREW"]), Route("/test-broken", broken)],
                     middleware=[Middleware(RequestMetricsMiddleware), *middleware])


def test_a_route_with_a_parameter_is_labelled_by_its_template_not_the_id() -> None:
    before = sample("pathwise_http_requests_total", route="/test-courses/{course_id}", status="201")
    assert TestClient(app()).get("/test-courses/c-12345").status_code == 201
    assert sample("pathwise_http_requests_total", route="/test-courses/{course_id}", status="201") == before + 1
    assert sample("pathwise_http_requests_total", route="/test-courses/c-12345", status="201") == 0


def test_graphql_requests_are_timed_by_the_operation_in_the_scope() -> None:
    name = "pathwise_graphql_request_duration_seconds_count"
    before = sample(name, operation="TestMetricsOperation")
    TestClient(app()).post("/graphql", json={})
    assert sample(name, operation="TestMetricsOperation") == before + 1


def test_unknown_paths_and_methods_share_one_label() -> None:
    before = sample("pathwise_http_requests_total", route="unmatched", status="404")
    TestClient(app()).get("/test-nowhere/12345")
    assert sample("pathwise_http_requests_total", route="unmatched", status="404") == before + 1
    before = sample("pathwise_http_request_duration_seconds_count", route="/test-courses/{course_id}", method="other")
    TestClient(app()).request("BREW", "/test-courses/c-1")
    assert sample("pathwise_http_request_duration_seconds_count", route="/test-courses/{course_id}",
                  method="other") == before + 1


def test_a_graphql_request_refused_before_routing_counts_as_rate_limited() -> None:
    errors = sample("pathwise_graphql_errors_total", code="RATE_LIMITED")
    anonymous = sample("pathwise_graphql_request_duration_seconds_count", operation="anonymous")
    TestClient(app(Middleware(lambda _app: refuse))).post("/graphql", json={})
    assert sample("pathwise_graphql_errors_total", code="RATE_LIMITED") == errors + 1
    assert sample("pathwise_graphql_request_duration_seconds_count", operation="anonymous") == anonymous + 1


def test_a_failing_request_counts_as_500() -> None:
    before = sample("pathwise_http_requests_total", route="/test-broken", status="500")
    with pytest.raises(RuntimeError):
        TestClient(app()).get("/test-broken")
    assert sample("pathwise_http_requests_total", route="/test-broken", status="500") == before + 1
