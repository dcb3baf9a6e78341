"""Expected failures of use cases, each with a code the API returns as data."""

from dataclasses import dataclass
from enum import StrEnum

from pydantic import ValidationError
from pymongo.errors import ConnectionFailure, PyMongoError


class ErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    DUPLICATE = "DUPLICATE"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    UNAVAILABLE = "UNAVAILABLE"
    CONFLICT = "CONFLICT"


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


STORE_UNAVAILABLE = "the database is unavailable; retry shortly"


def store_unavailable(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from, means the database did not answer (down, unreachable,
    too slow): a failure of the moment, shown to clients as UNAVAILABLE."""
    for _ in range(5):  # the error and the few it was raised from
        if error is None:
            return False
        if isinstance(error, ConnectionFailure) or (isinstance(error, PyMongoError) and error.timeout):
            return True
        error = error.__cause__ or error.__context__
    return False


MAX_MESSAGE_CHARS = 300  # an error never echoes more of what a client sent (a 1.9 MB id, say)


def clipped(message: str) -> str:
    """`message` cut to MAX_MESSAGE_CHARS characters, saying how long it was."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return f"{message[:MAX_MESSAGE_CHARS]}… (cut from {len(message):,} characters)"
