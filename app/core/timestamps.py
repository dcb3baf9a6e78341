"""Timezone-aware UTC timestamps for documents."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator


def utcnow() -> datetime:
    """Now, in UTC, truncated to milliseconds (MongoDB's date precision)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def as_utc(value: datetime) -> datetime:
    """A naive datetime is UTC (the embedded store returns `$set` dates naive); aware ones are converted."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_utc_or_none(value: datetime | None) -> datetime | None:
    """`as_utc` of a date that may be absent."""
    return None if value is None else as_utc(value)


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
