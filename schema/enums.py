"""GraphQL enums over the core's Python enums, with a description for the enum and for every value."""

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=type[Enum])


def described_enum(enum_class: E, name: str, description: str, values: Mapping[str, str]) -> E:
    """`enum_class` as the GraphQL enum `name`; `values` describes each member by name. A member without a
    description, or a description of no member, stops start-up (every enum value is documented)."""
    members = {member.name for member in enum_class}
    if set(values) != members:
        raise ValueError(f"{name}: describe exactly {sorted(members)}, got {sorted(values)}")
    wrapped = strawberry.enum(enum_class, name=name, description=description)
    for value in wrapped.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values[value.name]
    return wrapped
