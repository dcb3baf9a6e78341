"""The GraphQL endpoint: context per request, and an `extensions.code` on every error."""

from typing import Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from app.settings import Settings
from app.tokens import InvalidTokenError, TokenVerifier
from schema.context import Context


class PathwiseGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        self.settings = settings
        self.verifier = TokenVerifier(settings)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        assert isinstance(request, Request)
        context = Context(request=request, response=response if isinstance(response, Response) else None,
                          settings=self.settings, event_writer=getattr(request.app.state, "event_writer", None),
                          recommendations=getattr(request.app.state, "recommendations", None))
        header = request.headers.get("authorization", "")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                context.auth_problem = "the Authorization header must be `Bearer <token>`"
                return context
            try:
                context.principal = self.verifier.verify(token.strip())
            except InvalidTokenError as error:
                context.auth_problem = f"invalid token: {error}"
        return context

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if result.errors:
            response["errors"] = [_with_code(error, request) for error in result.errors]
        return response


def _with_code(error: GraphQLError, request: Request) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = dict(formatted.get("extensions") or {})
    if "code" not in extensions:
        extensions["code"] = _code_for(error)
        if extensions["code"] == "INTERNAL_SERVER_ERROR":
            extensions["requestId"] = request.headers.get("x-request-id") or request.scope.get("request_id")
    formatted["extensions"] = extensions
    return formatted


def _code_for(error: GraphQLError) -> str:
    message = error.message
    if message == "Unexpected error.":
        return "INTERNAL_SERVER_ERROR"
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if message.startswith("Variable '$") or "got invalid value" in message:
        return "BAD_USER_INPUT"
    if "exceeds maximum operation depth" in message or "token" in message.lower():
        return "QUERY_TOO_COMPLEX"
    return "GRAPHQL_VALIDATION_FAILED"
