"""The `extensions.code` of a top-level GraphQL error: the one it carries, or one read from graphql-core's message;
and the code a client is sent for it (`client_code`), which the HTTP layer and the metrics share."""

import re

from graphql import GraphQLError

from resolvers.errors import ErrorCode, store_unavailable

INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
_COERCION = re.compile(r"^Variable '\$\w+' (has invalid (default )?value|got invalid value)")  # graphql-core 3.3 / 3.2


def error_code(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else _code_for(error.message)


def _code_for(message: str) -> str:
    if message == "Unexpected error.":
        return INTERNAL_SERVER_ERROR
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if _COERCION.match(message):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"  # limits (depth, tokens, cost) carry their own code: schema/query_limits.py


def is_unexpected(error: GraphQLError) -> bool:
    """Raised by our code, not as a GraphQL error: masked for clients."""
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


def client_code(error: GraphQLError) -> str:
    """The code the client gets: UNAVAILABLE when the store did not answer, INTERNAL_SERVER_ERROR for any other
    unexpected failure, else the error's own code."""
    if store_unavailable(error.original_error):
        return ErrorCode.UNAVAILABLE.value
    return INTERNAL_SERVER_ERROR if is_unexpected(error) else error_code(error)
