"""The bounds of the analytics queries' arguments, checked before any read."""

from datetime import datetime

from app.core.timestamps import as_utc_or_none
from resolvers.errors import ErrorCode, UseCaseError

MAX_FIRST = 100
MAX_ITEMS = 20
MAX_DAYS = 366


def within(name: str, value: int, low: int, high: int) -> int:
    """`value` when `low <= value <= high`; BAD_USER_INPUT naming the argument otherwise."""
    if not low <= value <= high:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"`{name}` must be between {low} and {high}")
    return value


def utc_since(since: datetime | None) -> datetime | None:
    """The start of a window in UTC (a naive time is UTC); None for no start."""
    return as_utc_or_none(since)
