"""Turning GraphQL inputs into the plain dicts use cases take."""

import dataclasses
from typing import Any

import strawberry


def given_fields(value: object, rename: dict[str, str] | None = None) -> dict[str, Any]:
    """The fields a client actually sent (UNSET ones left out), by Python name."""
    rename = rename or {}
    given: dict[str, Any] = {}
    for item in dataclasses.fields(value):  # type: ignore[arg-type]
        field_value = getattr(value, item.name)
        if field_value is not strawberry.UNSET:
            given[rename.get(item.name, item.name)] = _plain(field_value)
    return given


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return given_fields(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
