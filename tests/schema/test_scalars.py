"""The DateTime override: the same datetimes as Strawberry's own parser (dateutil.isoparse), quicker."""

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest
import strawberry
from dateutil.parser import isoparse

from app.core.settings import Settings
from schema.scalars import DATETIME, SCALAR_OVERRIDES, parse_datetime
from schema.schema import build_schema

SAMPLES = [
    "2026-01-15T10:00:00Z", "2026-01-15T10:00:00+02:00", "2026-01-15T10:00:00-05:30", "2026-01-15T10:00:00",
    "2026-01-15T10:00:00.1Z", "2026-01-15T10:00:00.123456+00:00", "2026-01-15T10:00:00.1234567Z",
    "2026-01-15", "2026-01", "2026", "20260115", "20260115T100000Z", "2026-01-15T10", "2026-01-15T10:00",
    "2026-01-15 10:00:00", "2026-01-15t10:00:00z", "2026-01-15T10:00:00,5Z", "2026-W03-4", "2026-01-15T10:00:00+02",
    "2026-01-15T10:00:00+0200", "2026-01-15T24:00:00", "2026-01-15T24:00:00Z", "2026-01-15T10:00:00-00:00",
    # rejected by isoparse, though fromisoformat takes some of them
    "2026-01-15T10:00:00+01:60", "2026-01-15T10:00:00.Z", "2026-01-15T10:00:00+02:00:30", "2026-02-30T10:00:00Z",
    "2026-13-01T10:00:00Z", "2026-01-15T10:00:60Z", "2026-01-15T25:00:00Z", "2026-01-15T10:00:00+24:00",
    "2026-01-15T10:00:00 ", " 2026-01-15", "2026-1-5", "15/01/2026", "yesterday", "", "T", "２０２６-01-15",
]


def _outcome(parse: object, value: str) -> tuple[object, ...]:
    try:
        parsed = parse(value)  # type: ignore[operator]
    except ValueError:
        return ("rejected",)
    assert isinstance(parsed, datetime)
    return parsed, parsed.utcoffset(), parsed.isoformat(), parsed.tzinfo is None


def _grid() -> list[str]:
    dates, times = ["2026-01-15", "2024-02-29", "2023-02-29", "0001-01-01", "9999-12-31"], ["00:00:00", "23:59:59"]
    fractions, offsets = ["", ".5", ".000001", ".1234567"], ["", "Z", "+00:00", "-09:30", "+14:00", "+23:59", "-12:75"]
    return [f"{d}T{t}{f}{o}" for d, t, f, o in itertools.product(dates, times, fractions, offsets)]


@pytest.mark.parametrize("value", SAMPLES + _grid())
def test_parses_as_isoparse_does(value: str) -> None:
    assert _outcome(parse_datetime, value) == _outcome(isoparse, value)


def test_common_shapes() -> None:
    assert parse_datetime("2026-01-15T10:00:00Z") == datetime(2026, 1, 15, 10, tzinfo=UTC)
    assert parse_datetime("2026-01-15T10:00:00.25+02:00") == datetime(
        2026, 1, 15, 10, 0, 0, 250_000, tzinfo=timezone(timedelta(hours=2)))
    assert parse_datetime("2026-01-15T10:00:00").tzinfo is None  # naive stays naive, as before
    assert parse_datetime("2026-01-15") == datetime(2026, 1, 15)


@strawberry.type
class _Query:
    @strawberry.field
    def echo(self, at: datetime) -> datetime:
        return at


async def test_the_override_parses_variables_and_serializes_isoformat() -> None:
    schema = strawberry.Schema(query=_Query, scalar_overrides=SCALAR_OVERRIDES)
    result = await schema.execute("query($at: DateTime!) { echo(at: $at) }", variable_values={"at": "2026-01-15T10Z"})
    assert result.errors is None and result.data == {"echo": "2026-01-15T10:00:00+00:00"}
    literal = await schema.execute('{ echo(at: "2026-01-15T10:00:00.5+02:00") }')
    assert literal.errors is None and literal.data == {"echo": "2026-01-15T10:00:00.500000+02:00"}


async def test_the_root_schema_rejects_a_bad_timestamp_before_the_use_case() -> None:
    mutation = "mutation($e: [EventInput!]!) { trackEvents(events: $e) { accepted } }"
    variables = {"e": [{"eventId": "e1", "type": "enroll", "courseId": "c1", "timestamp": "2026-01-15T10:00:00.Z"}]}
    schema = build_schema(Settings())
    assert schema.get_type_by_name("DateTime") is DATETIME
    result = await schema.execute(mutation, variable_values=variables)
    assert result.data is None and result.errors is not None
    assert "Value cannot represent a DateTime: \"2026-01-15T10:00:00.Z\"" in result.errors[0].message
