"""Errors as the API shows them: typed payload errors, and coded top-level errors."""

import logging
from enum import Enum

import strawberry
from graphql import GraphQLError

from resolvers.errors import ErrorCode, Problem, UseCaseError

log = logging.getLogger("pathwise.api")

ErrorCodeType = strawberry.enum(ErrorCode, name="ErrorCode", description="Why an input was refused.")


class ApiError(GraphQLError):
    """An expected failure shown to clients with `extensions.code`."""

    def __init__(self, code: ErrorCode | str, message: str) -> None:
        value = code.value if isinstance(code, Enum) else code
        super().__init__(message, extensions={"code": value})


def api_error(error: UseCaseError) -> ApiError:
    return ApiError(error.code, error.message)


@strawberry.type(description="One thing wrong with a mutation's input.")
class UserError:
    code: ErrorCodeType  # type: ignore[valid-type]
    message: str
    field: str | None = strawberry.field(description="The input field at fault (camelCase), if any.")
    index: int | None = strawberry.field(description="The position in a batch input, if any.")


def user_errors(problems: list[Problem]) -> list[UserError]:
    return [UserError(code=p.code, message=p.message, field=p.field, index=p.index) for p in problems]


def should_mask_error(error: GraphQLError) -> bool:
    """Mask unexpected exceptions (logged with the request id); show expected ones."""
    original = error.original_error
    if original is None or isinstance(original, ApiError | GraphQLError):
        return False
    log.error("unexpected error in %s", error.path, exc_info=original)
    return True
