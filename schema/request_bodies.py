"""The JSON of a GraphQL request (a POST body, or GET's `variables`): UTF-8 text of a JSON object, or of a batch.

Anything else is refused with HTTP 400 and a coded JSON error before Strawberry reads it: invalid UTF-8, invalid
JSON, nesting too deep for the parser, an integer of more than 4,300 digits, or a body that is `null`, a string or
a number.
"""

import json

from cross_web import HTTPException

from resolvers.errors import ErrorCode


class BadRequestBodyError(HTTPException):
    """A request body that cannot be a GraphQL request: 400, with `code` for `extensions.code`."""

    def __init__(self, reason: str) -> None:
        super().__init__(400, reason)
        self.code = ErrorCode.BAD_USER_INPUT.value


def decoded_json(data: str | bytes) -> object:
    """The JSON value of `data`, which must be an object (or a list, which Strawberry checks as a batch)."""
    value = json_value(data)
    if not isinstance(value, dict | list):
        raise BadRequestBodyError('the JSON must be an object, e.g. {"query": "{ me { id } }", "variables": {}}')
    return value


def json_value(data: str | bytes) -> object:
    """The JSON value of `data` (UTF-8 when bytes), whatever its shape."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text)
    except UnicodeDecodeError as error:
        raise BadRequestBodyError(f"the body is not UTF-8 text (byte {error.start})") from error
    except RecursionError as error:
        raise BadRequestBodyError("the JSON nests too deeply") from error
    except json.JSONDecodeError as error:
        raise BadRequestBodyError(f"the body is not valid JSON: {error.msg} (position {error.pos})") from error
    except ValueError as error:  # an integer beyond Python's digit limit for int()
        raise BadRequestBodyError("the JSON holds an integer with too many digits") from error
    return value
