"""The GraphQL endpoint: context per request, an `extensions.code` on every error, and GraphQL over HTTP's
`application/graphql-response+json` (400 for a request that never executed) for clients that accept it."""

from http import HTTPStatus
from pathlib import Path
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from app.core.concurrency import TurnGate
from app.core.settings import Settings
from app.core.tokens import InvalidTokenError, TokenVerifier
from resolvers.errors import STORE_UNAVAILABLE, ErrorCode, clipped, store_unavailable
from schema.context import Context
from schema.error_codes import INTERNAL_SERVER_ERROR, client_code, is_unexpected
from schema.graphiql import BUILT_ASSETS, graphiql_page
from schema.priorities import is_write
from schema.request_bodies import BadRequestBodyError, decoded_json

GRAPHQL_RESPONSE = "application/graphql-response+json"


class PathwiseGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: Any, settings: Settings, graphiql_assets: Path = BUILT_ASSETS) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        self.settings = settings
        self.verifier = TokenVerifier(settings)
        self.graphiql_assets = graphiql_assets
        self.read_gate = TurnGate(settings.reads_per_turn) if settings.reads_per_turn else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        prefers = _prefers_graphql_response(Headers(scope=scope).get("accept", ""))
        try:
            response: Response = await self.run(Request(scope, receive))
        except BadRequestBodyError as error:  # not JSON of a request: coded JSON for every client
            response = JSONResponse({"errors": [{"message": error.reason, "extensions": {"code": error.code}}]},
                                    error.status_code, media_type=GRAPHQL_RESPONSE if prefers else None)
        except HTTPException as error:  # a request that never executed: a GraphQL response without `data`
            response = JSONResponse({"errors": [{"message": error.reason, "extensions": {
                "code": HTTPStatus(error.status_code).name}}]}, error.status_code, media_type=GRAPHQL_RESPONSE,
            ) if prefers else PlainTextResponse(error.reason, status_code=error.status_code)  # as Strawberry answers
        await response(scope, receive, send)

    async def execute_single(self, request: Request, request_adapter: AsyncHTTPRequestAdapter,
                             sub_response: Response, context: Context, root_value: None,
                             request_data: GraphQLRequestData) -> ExecutionResult:
        """Reads pass the read gate first (schema.priorities); writes do not wait for it."""
        if self.read_gate is not None and not is_write(request_data.query, request_data.operation_name):
            await self.read_gate.enter()
        return await super().execute_single(request, request_adapter, sub_response, context, root_value,
                                            request_data)

    def decode_json(self, data: str | bytes) -> object:
        return decoded_json(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page(self.graphiql_assets)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        if _prefers_graphql_response(request.headers.get("accept", "")):
            sub_response.media_type = GRAPHQL_RESPONSE  # read back in create_response
        return sub_response

    def create_response(self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
                        sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == GRAPHQL_RESPONSE:
            response.headers["content-type"] = GRAPHQL_RESPONSE
            if not sub_response.status_code and isinstance(response_data, dict) and "data" not in response_data:
                response.status_code = _status_without_data(response_data)
        return response

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        assert isinstance(request, Request)
        context = Context(request=request, response=response if isinstance(response, Response) else None,
                          settings=self.settings, event_writer=getattr(request.app.state, "event_writer", None),
                          recommendations=getattr(request.app.state, "recommendations", None),
                          audit_log=getattr(request.app.state, "audit_log", None))
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
            if _never_executed(result) and _prefers_graphql_response(request.headers.get("accept", "")):
                del response["data"]  # GraphQL over HTTP: no `data` entry, and 400
        return response


def _prefers_graphql_response(accept: str) -> bool:
    """Whether `accept` ranks application/graphql-response+json at least as high as application/json."""
    weights: dict[str, float] = {}
    for item in accept.lower().split(","):
        media_type, *params = (part.strip() for part in item.split(";"))
        weight = next((value for name, _, value in (p.partition("=") for p in params) if name.strip() == "q"), "1")
        try:
            weights[media_type] = max(float(weight), weights.get(media_type, 0.0))
        except ValueError:
            continue
    ours = weights.get(GRAPHQL_RESPONSE, 0.0)
    return ours > 0 and ours >= weights.get("application/json", 0.0)


def _status_without_data(response: GraphQLHTTPResponse) -> int:
    """400 for a request error; 500 (503 for the store) when the server failed before executing it."""
    errors = [error for error in response.get("errors") or [] if isinstance(error, dict)]
    codes = {error.get("extensions", {}).get("code") for error in errors}
    if ErrorCode.UNAVAILABLE.value in codes:
        return HTTPStatus.SERVICE_UNAVAILABLE
    return HTTPStatus.INTERNAL_SERVER_ERROR if INTERNAL_SERVER_ERROR in codes else HTTPStatus.BAD_REQUEST


def _never_executed(result: ExecutionResult) -> bool:
    """Parse, validation and variable errors: no data, and no error at a field's path."""
    return result.data is None and all(error.path is None for error in result.errors or [])


def _with_code(error: GraphQLError, request: Request) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    formatted["message"] = clipped(formatted["message"])  # validation messages quote the query's values
    code = client_code(error)
    if store_unavailable(error.original_error):  # the driver's message names hosts: not for clients
        return {**formatted, "message": STORE_UNAVAILABLE, "extensions": {"code": code}}
    if is_unexpected(error):  # raised outside resolvers (in an extension, say), where MaskErrors does not look
        formatted["message"] = "Unexpected error."
    extensions = dict(formatted.get("extensions") or {})
    if "code" not in extensions:
        extensions["code"] = code
        if code == INTERNAL_SERVER_ERROR:
            extensions["requestId"] = request.headers.get("x-request-id") or request.scope.get("request_id")
    formatted["extensions"] = extensions
    return formatted

