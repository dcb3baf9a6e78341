"""Expected failures of use cases, each with a code the API returns as data."""

from dataclasses import dataclass
from enum import StrEnum

from pydantic import ValidationError


class ErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    DUPLICATE = "DUPLICATE"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    UNAVAILABLE = "UNAVAILABLE"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: which field, which item of a batch, and why."""

    code: ErrorCode
    message: str
    field: str | None = None
    index: int | None = None


class UseCaseError(Exception):
    """A use case refused its input; nothing was stored."""

    def __init__(self, code: ErrorCode, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.problems = problems or [Problem(code, message)]


def validation_problems(error: ValidationError, index: int | None = None) -> list[Problem]:
    """Pydantic's validation errors as problems, one per field, without pydantic's noise."""
    problems = []
    for detail in error.errors(include_url=False):
        field = ".".join(str(part) for part in detail["loc"]) or None
        problems.append(Problem(ErrorCode.BAD_USER_INPUT, detail["msg"], _camel(field), index))
    return problems


def _camel(field: str | None) -> str | None:
    if field is None:
        return None
    if field == "_id":
        return "id"
    head, *rest = field.split("_")
    return head + "".join(part.capitalize() for part in rest)
