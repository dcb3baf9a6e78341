"""Scalar overrides of the root schema: DateTime parsed by `datetime.fromisoformat` where it agrees with
Strawberry's own parser (`dateutil.isoparse`, ~80 times slower), which still handles everything else."""

import dataclasses
import re
from collections.abc import Callable
from datetime import datetime

from dateutil.parser import isoparse  # type: ignore[import-untyped]  # no stubs installed
from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition

# The common shape, on which both parsers give the same datetime whenever `fromisoformat` accepts a string.
# Outside it `fromisoformat` accepts more (offset minutes ≥ 60, "10:30:15.Z", offsets with seconds,
# any separator), so those strings go to isoparse, which decides as before.
_COMMON_SHAPE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-5][0-9])?"
)

_ISOPARSE: Callable[[str], datetime] = isoparse  # Strawberry's own DateTime parser


def parse_datetime(value: str) -> datetime:
    """`value` as `dateutil.parser.isoparse` reads it (same accepted strings, same errors), quicker for the
    common `2026-01-15T10:00:00.123Z` shape; an offset comes back as `datetime.timezone`, not dateutil's tz."""
    if _COMMON_SHAPE.fullmatch(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass  # e.g. hour 24, which isoparse reads as midnight of the next day
    return _ISOPARSE(value)


DATETIME = dataclasses.replace(DateTimeDefinition, parse_value=wrap_parser(parse_datetime, "DateTime"))

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {datetime: DATETIME}
