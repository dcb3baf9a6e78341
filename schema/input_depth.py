"""graphql-core's depth check of variable values, skipped where the variable's type already bounds the depth.

Before it coerces a variable, graphql-core walks the whole value once (`input_is_nested_too_deeply`) so that a
value nested deeper than `MAX_NESTING_DEPTH` is refused cleanly instead of overflowing the stack. Only the
nesting the type follows counts: each list and each input object adds a level, a scalar's value (JSON
included) is not entered. So for a type whose input objects refer to one another without a cycle, the walk's
deepest level is fixed by the type, and when that is within the limit the walk can never refuse anything.

For a `trackEvents` batch of 500 events that walk was ~5.8 µs an event of the server's ~200 (bench/README.md,
"Ingestion"); here it is one cached look-up per variable. Types with a cycle (an input that holds itself)
are still walked. `install()` puts the check in graphql-core's place (its variable coercion calls the module
attribute); tests/schema/test_input_depth.py holds the two to the same answers.
"""

import weakref
from typing import Any

from graphql import (
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
)
from graphql.execution import values
from graphql.language.parser import MAX_NESTING_DEPTH

_walk = values.input_is_nested_too_deeply
# the deepest level each named input type reaches (None: unbounded, a cycle), per type object
_DEPTHS: "weakref.WeakKeyDictionary[GraphQLInputObjectType, int | None]" = weakref.WeakKeyDictionary()


def type_depth(type_: GraphQLInputType) -> int | None:
    """The deepest level graphql-core's walk can reach under `type_` (its entry is level 0), or None when
    input objects form a cycle under it."""
    return _depth(type_, frozenset())


def _depth(type_: Any, path: frozenset[GraphQLInputObjectType]) -> int | None:
    if isinstance(type_, GraphQLNonNull):
        return _depth(type_.of_type, path)
    if isinstance(type_, GraphQLList):
        inner = _depth(type_.of_type, path)
        return None if inner is None else 1 + inner
    if not isinstance(type_, GraphQLInputObjectType):
        return 0  # a scalar or an enum: its value is not entered
    if type_ in path:
        return None
    if type_ not in _DEPTHS:
        fields = [_depth(field.type, path | {type_}) for field in type_.fields.values()]
        _DEPTHS[type_] = None if None in fields else 1 + max((d for d in fields if d is not None), default=-1)
    return _DEPTHS[type_]


def input_is_nested_too_deeply(value: Any, type_: GraphQLInputType) -> bool:
    """graphql-core's answer, without the walk when the type cannot nest beyond the limit."""
    depth = type_depth(type_)
    if depth is not None and depth <= MAX_NESTING_DEPTH:
        return False
    return _walk(value, type_)


def install() -> None:
    values.input_is_nested_too_deeply = input_is_nested_too_deeply
