"""Errors in the log: one line with the request id and code for what clients got wrong, a traceback (with the
request id) for unexpected ones, and never more than a few hundred characters of what a client sent."""

import logging
from pathlib import Path

import httpx
import pytest
import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route
from strawberry.extensions import MaskErrors, SchemaExtension

from app.core.http.middleware import RequestIdMiddleware
from app.core.settings import Settings
from resolvers.errors import ErrorCode
from schema.error_logs import MAX_LOGGED_CHARS, PathwiseSchema, log_error
from schema.errors import ApiError, should_mask_error
from schema.http import PathwiseGraphQL


@strawberry.type
class Query:
    @strawberry.field
    def forbidden(self) -> int:
        raise ApiError(ErrorCode.FORBIDDEN, "only admins may do this")

    @strawberry.field
    def unauthenticated(self) -> int:
        raise ApiError(ErrorCode.UNAUTHENTICATED, "a bearer token is required")

    @strawberry.field
    def broken(self) -> int:
        raise RuntimeError("the database said " + "x" * 10_000)

    @strawberry.field
    def echo(self, n: int) -> int:
        return n


class BrokenCheck(SchemaExtension):
    """Fails before execution on queries that name `checked`, where MaskErrors does not look."""

    def on_validate(self):  # type: ignore[no-untyped-def]
        if "checked" in (self.execution_context.query or ""):
            raise TypeError("'NoneType' object is not iterable, at mongodb://secret-host")
        yield


@pytest.fixture
def client(tmp_path: Path) -> httpx.AsyncClient:
    schema = PathwiseSchema(query=Query, extensions=[lambda: MaskErrors(should_mask_error=should_mask_error),
                                                     BrokenCheck])
    app = Starlette(routes=[Route("/graphql", PathwiseGraphQL(schema, Settings(data_dir=tmp_path)))],
                    middleware=[Middleware(RequestIdMiddleware)])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def post(client: httpx.AsyncClient, query: str, request_id: str, **variables: object) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, "variables": variables},
                             headers={"x-request-id": request_id})


@pytest.mark.parametrize(("query", "variables", "code"), [
    ("{ forbidden }", {}, "FORBIDDEN"),
    ("{ unauthenticated }", {}, "UNAUTHENTICATED"),
    ("query($n: Int!) { echo(n: $n) }", {"n": "ten"}, "BAD_USER_INPUT"),
    ("{ nope }", {}, "GRAPHQL_VALIDATION_FAILED"),
    ("query($n: Int!) { echo(n: 1) }", {"n": 1}, "GRAPHQL_VALIDATION_FAILED"),  # $n is never used
    ("{", {}, "GRAPHQL_PARSE_FAILED"),
])
async def test_expected_errors_are_one_line_with_request_id_and_code(
        client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, query: str, variables: dict[str, object],
        code: str) -> None:
    with caplog.at_level(logging.INFO):
        response = await post(client, query, "req-expected", **variables)
    assert response.json()["errors"][0]["extensions"]["code"] == code
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.name == "pathwise.api" and record.levelno == logging.WARNING and record.exc_info is None
    assert f"graphql {code} (request req-expected)" in record.getMessage()
    assert "\n" not in record.getMessage() and "Traceback" not in caplog.text


async def test_unexpected_errors_keep_their_traceback_with_the_request_id(
        client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        response = await post(client, "{ broken }", "req-broken")
    error = response.json()["errors"][0]
    assert error["message"] == "Unexpected error." and error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]  # logged once, not also by strawberry
    assert record.levelno == logging.ERROR
    message = record.getMessage()
    assert message.startswith("graphql INTERNAL_SERVER_ERROR (request req-broken) at broken\nTraceback")
    assert "RuntimeError: the database said xxx" in message and "in broken" in message
    assert max(len(line) for line in message.splitlines()) <= MAX_LOGGED_CHARS + 30


async def test_unexpected_errors_before_execution_are_masked_and_logged(
        client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        response = await post(client, "{ checked: echo(n: 1) }", "req-check")
        strict = await client.post("/graphql", json={"query": "{ checked: echo(n: 1) }"},
                                   headers={"accept": "application/graphql-response+json"})
    assert strict.status_code == 500 and "data" not in strict.json()
    [error] = response.json()["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-check"}
    record = next(r for r in caplog.records if r.levelno >= logging.WARNING)
    assert "(request req-check)" in record.getMessage() and "TypeError" in record.getMessage()


def test_huge_messages_are_cut_to_a_few_hundred_characters(caplog: pytest.LogCaptureFixture) -> None:
    log_error(GraphQLError("Variable '$p' has invalid value: '" + "A" * 100_000 + "'"), "req-huge")
    message = caplog.records[0].getMessage()
    assert len(message) < MAX_LOGGED_CHARS + 100 and message.endswith(" characters)")
    assert "BAD_USER_INPUT (request req-huge)" in message
