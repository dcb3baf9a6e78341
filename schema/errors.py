"""Errors as the API shows them: typed payload errors, and coded top-level errors."""

import logging
from enum import Enum

import strawberry
from graphql import GraphQLError

from resolvers.errors import ErrorCode, Problem, UseCaseError, clipped, store_unavailable
from schema.enums import described_enum

log = logging.getLogger("pathwise.api")

ErrorCodeType = described_enum(ErrorCode, "ErrorCode", "Why an input was refused (also `extensions.code` of "
                               "top-level errors).", {
    "BAD_USER_INPUT": "An argument is malformed or out of its limits; `field` names it.",
    "NOT_FOUND": "A named course, skill, exercise, question or test does not exist (for the caller).",
    "FORBIDDEN": "The caller's role may not do this, or not for that learner.",
    "UNAUTHENTICATED": "No valid bearer token was sent.",
    "DUPLICATE": "The same item appears twice in one batch.",
    "CONSENT_REQUIRED": "The learner has not granted the purpose this needs (see `consents`).",
    "UNAVAILABLE": "This server cannot do it now (e.g. recommendations not loaded).",
    "CONFLICT": "The thing's state does not allow this (e.g. starting a stopped experiment), or its id is taken.",
})


class ApiError(GraphQLError):
    """An expected failure shown to clients with `extensions.code`."""

    def __init__(self, code: ErrorCode | str, message: str) -> None:
        value = code.value if isinstance(code, Enum) else code
        super().__init__(clipped(message), extensions={"code": value})


def api_error(error: UseCaseError) -> ApiError:
    return ApiError(error.code, error.message)


@strawberry.type(description="One thing wrong with a mutation's input. A value object (no id): it only exists in "
                 "the payload that reports it.")
class UserError:
    code: ErrorCodeType = strawberry.field(description="A stable code to branch on.")  # type: ignore[valid-type]
    message: str = strawberry.field(description="What is wrong, in English, for developers.")
    field: str | None = strawberry.field(description="The input field at fault (camelCase), if any.")
    index: int | None = strawberry.field(description="The position in a batch input, if any.")


def user_errors(problems: list[Problem]) -> list[UserError]:
    return [UserError(code=p.code, message=clipped(p.message), field=p.field, index=p.index) for p in problems]


def should_mask_error(error: GraphQLError) -> bool:
    """Mask unexpected exceptions (the schema logs them, with the request id); show expected ones."""
    original = error.original_error
    shown = isinstance(original, ApiError | GraphQLError) or store_unavailable(original)  # the latter: UNAVAILABLE
    return original is not None and not shown
