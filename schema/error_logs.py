"""GraphQL errors in the server log: one line for what a client got wrong, a traceback for the rest, each
with the request id; nothing a client sent is logged past `MAX_LOGGED_CHARS` characters a line."""

import logging
import traceback

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from resolvers.errors import store_unavailable
from schema.error_codes import INTERNAL_SERVER_ERROR, error_code

log = logging.getLogger("pathwise.api")
MAX_LOGGED_CHARS = 300
MAX_TRACEBACK_LINES = 120


class PathwiseSchema(strawberry.Schema):
    """Strawberry's schema, logging errors here instead of through `strawberry.execution`; an extension marked
    `async_only` (an optimisation with async hooks, e.g. `AnswerReplay`) is left out of synchronous executions
    (`introspect()`), which Strawberry refuses async hooks in."""

    def get_extensions(self, sync: bool = False) -> list[SchemaExtension]:
        found = super().get_extensions(sync)
        return [extension for extension in found if not (sync and getattr(extension, "async_only", False))]

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        request_id = _request_id(execution_context)
        for error in errors:
            log_error(error, request_id)


def log_error(error: GraphQLError, request_id: str | None) -> None:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        log.warning("graphql %s (request %s)%s: %s", error_code(error), request_id, _at(error),
                    _truncate(error.message))
        return
    if store_unavailable(original):  # the store is down or slow: expected while it restarts, one line
        log.warning("graphql UNAVAILABLE (request %s)%s: %s", request_id, _at(error),
                    _truncate(f"{type(original).__name__}: {original}"))
        return
    lines = "".join(traceback.format_exception(original)).splitlines()[-MAX_TRACEBACK_LINES:]
    log.error("graphql %s (request %s)%s\n%s", INTERNAL_SERVER_ERROR, request_id, _at(error),
              "\n".join(_cut(line) for line in lines))


def _request_id(execution_context: ExecutionContext | None) -> str | None:
    request = getattr(execution_context.context, "request", None) if execution_context else None
    request_id = getattr(request, "scope", {}).get("request_id")
    return request_id if isinstance(request_id, str) else None


def _at(error: GraphQLError) -> str:
    return " at " + ".".join(map(str, error.path)) if error.path else ""


def _truncate(text: str) -> str:
    return _cut(" ".join(text.split()))


def _cut(line: str) -> str:
    return line if len(line) <= MAX_LOGGED_CHARS else line[:MAX_LOGGED_CHARS] + f"… ({len(line)} characters)"
