"""The `extensions.code` of a top-level GraphQL error: the one it carries, or one read from graphql-core's message."""

import re

from graphql import GraphQLError

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
    if "exceeds maximum operation depth" in message or "token" in message.lower():
        return "QUERY_TOO_COMPLEX"
    return "GRAPHQL_VALIDATION_FAILED"
