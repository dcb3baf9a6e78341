"""graphql-core's coercion of variable values, with each input type's coercion prepared once instead of worked out
again for every value.

graphql-core's `coerce_input_value` is one generic function: for every value it meets it asks again what kind of
type it has (non-null, list, input object, leaf), looks each field's type up, and recurses. A `trackEvents`
batch of 500 events is ~9,000 such calls: ~10 ms of the server's CPU a call, ~20 µs an event (bench/README.md,
"Server CPU per event in batches of 500", fifth session). Here each type gets its own small function, built on
first use and cached by the named type (wrapper types are built afresh for each operation): the same steps in
the same order, with the answers that depend only on the type worked out once.

The answers are graphql-core's: the coerced value, or `Undefined` where the value cannot be coerced (graphql-core
then explains why with `validate_input_value`, unchanged). Leaf values go through the leaf type's own
`coerce_input_value`, except a `str` given to String or ID, which comes back as it is (what those do).
`install()` puts it in graphql-core's place (its variable coercion calls the module attribute);
tests/schema/test_input_coercion.py holds the two to the same answers on values drawn from every input type of
the schema, valid and broken.
"""

import weakref
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLString,
    Undefined,
    assert_leaf_type,
    is_required_input_field,
)
from graphql.execution import values
from graphql.pyutils import is_iterable
from graphql.utilities.coerce_input_value import coerce_default_value

Coercer = Callable[[Any], Any]

# per named type: its coercers by wrapping (a tuple of "!" and "[" from the outside in)
_COERCERS: "weakref.WeakKeyDictionary[GraphQLNamedType, dict[tuple[str, ...], Coercer]]" = (
    weakref.WeakKeyDictionary())
_IDENTITY_OUT_TYPE = GraphQLInputObjectType.out_type


def coerce_input_value(input_value: Any, type_: GraphQLInputType) -> Any:
    """graphql-core's `coerce_input_value(input_value, type_)`."""
    return coercer(type_)(input_value)


def coercer(type_: GraphQLInputType) -> Coercer:
    """The function that coerces values of `type_` as graphql-core does."""
    wrapping: list[str] = []
    named: Any = type_
    while isinstance(named, GraphQLNonNull | GraphQLList):
        wrapping.append("!" if isinstance(named, GraphQLNonNull) else "[")
        named = named.of_type
    key = tuple(wrapping)
    by_wrapping = _COERCERS.get(named)
    if by_wrapping is None:
        by_wrapping = _COERCERS[named] = {}
    found = by_wrapping.get(key)
    if found is None:
        found = by_wrapping[key] = _compiled(type_)
    return found


def _compiled(type_: Any) -> Coercer:
    if isinstance(type_, GraphQLNonNull):
        return _non_null(type_)
    if isinstance(type_, GraphQLList):
        return _nullable(_list(type_))
    if isinstance(type_, GraphQLInputObjectType):
        return _nullable(_input_object(type_))
    return _nullable(_leaf(type_))


def _non_null(type_: GraphQLNonNull[Any]) -> Coercer:
    inner_type = type_.of_type
    inner: list[Coercer] = []  # looked up on first use: an input object may hold itself

    def coerce(value: Any) -> Any:
        if value is None or value is Undefined:
            return Undefined
        if not inner:
            inner.append(coercer(inner_type))
        return inner[0](value)

    return coerce


def _nullable(coerce_given: Coercer) -> Coercer:
    def coerce(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        return coerce_given(value)

    return coerce


def _list(type_: GraphQLList[Any]) -> Coercer:
    item_type = type_.of_type
    items: list[Coercer] = []

    def coerce(value: Any) -> Any:
        if not items:
            items.append(coercer(item_type))
        item = items[0]
        if not is_iterable(value):  # lists accept a non-list value as a list of one
            coerced_item = item(value)
            return Undefined if coerced_item is Undefined else [coerced_item]
        coerced: list[Any] = []
        append = coerced.append
        for item_value in value:
            coerced_item = item(item_value)
            if coerced_item is Undefined:
                return Undefined
            append(coerced_item)
        return coerced

    return coerce


class _Field:
    """What coercing one field of an input object needs, worked out once."""

    __slots__ = ("coerce", "default", "field", "name", "out_name", "plain_default", "required", "text")

    def __init__(self, name: str, field: GraphQLInputField) -> None:
        self.name, self.field, self.out_name = name, field, field.out_name or name
        self.coerce = coercer(field.type)
        self.required = is_required_input_field(field)
        self.plain_default = field.default is None  # no `default` to coerce: `default_value` is used as it is
        self.default = field.default_value if self.plain_default else None
        named = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        self.text = named is GraphQLString or named is GraphQLID  # a str value comes back as it is

    def default_into(self, coerced: dict[str, Any]) -> bool:
        """Put the field's default into `coerced` when it is left out; False where it may not be left out."""
        if self.required:
            return False
        default = self.default if self.plain_default else coerce_default_value(self.field)
        if default is not Undefined:
            coerced[self.out_name] = default
        return True


def _input_object(type_: GraphQLInputObjectType) -> Coercer:
    plan: list[_Field] = []  # filled on first use (fields may refer back to this type)
    names: set[str] = set()
    out_type = type_.out_type
    shaped = getattr(out_type, "__func__", out_type) is not _IDENTITY_OUT_TYPE
    one_of = type_.is_one_of

    def coerce(value: Any) -> Any:
        if not isinstance(value, dict):
            return Undefined
        if not plan:
            plan.extend(_Field(name, field) for name, field in type_.fields.items())
            names.update(type_.fields)
        defined = 0
        for name, item in value.items():
            if item is Undefined:
                continue
            defined += 1
            if name not in names:
                return Undefined
        coerced: dict[str, Any] = {}
        for field in plan:
            item = value.get(field.name, Undefined)
            if item is Undefined:
                if not field.default_into(coerced):
                    return Undefined
            elif field.text and type(item) is str:
                coerced[field.out_name] = item
            else:
                coerced_item = field.coerce(item)
                if coerced_item is Undefined:
                    return Undefined
                coerced[field.out_name] = coerced_item
        if one_of and not _one_field(coerced, defined):
            return Undefined
        return out_type(coerced) if shaped else coerced

    return coerce


def _one_field(coerced: dict[str, Any], defined: int) -> bool:
    """A OneOf input's rule: exactly one field given, and not null."""
    keys = list(coerced)
    return defined == 1 and len(keys) == 1 and coerced[keys[0]] is not None


def _leaf(type_: Any) -> Coercer:
    leaf_coerce = assert_leaf_type(type_).coerce_input_value
    passes_text = type_ is GraphQLString or type_ is GraphQLID  # both give back a str as it is

    def coerce(value: Any) -> Any:
        if passes_text and type(value) is str:
            return value
        try:
            return leaf_coerce(value)
        except Exception:  # noqa: BLE001 - graphql-core's rule: an invalid value is Undefined
            return Undefined

    return coerce


def install() -> None:
    setattr(values, "coerce_input_value", coerce_input_value)  # noqa: B010 - not an attribute values exports
