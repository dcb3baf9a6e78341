"""schema.input_coercion: graphql-core's variable coercion, prepared per type, giving graphql-core's answers."""

import math
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    build_schema,
    graphql_sync,
)
from graphql.execution import values
from graphql.utilities.coerce_input_value import coerce_input_value as graphql_cores
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.settings import Settings
from schema import input_coercion
from schema.schema import build_schema as build_pathwise_schema

_SCHEMA = build_pathwise_schema(Settings())._schema
_INPUT_TYPES = sorted((type_ for type_ in _SCHEMA.type_map.values()
                       if isinstance(type_, GraphQLInputObjectType) and not type_.name.startswith("__")),
                      key=lambda type_: type_.name)

_JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
    st.sampled_from(["2026-01-15T10:00:00Z", "2026-01-15T10:00:00+02:00", "2026-01-15", "not a date", "", "0",
                     "3.5", "true", "-1", "1e400"]),
    st.just(Undefined), st.just(datetime(2026, 1, 15, tzinfo=UTC)),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _leaf_values(type_: Any) -> st.SearchStrategy[Any]:
    if isinstance(type_, GraphQLEnumType):
        return st.one_of(st.sampled_from(sorted(type_.values)), _JUNK)
    return _JUNK


@st.composite
def _value(draw: st.DrawFn, type_: Any, depth: int = 0) -> Any:
    """A value that mostly follows `type_` (lists, input objects, their fields), with broken parts mixed in."""
    if draw(st.integers(0, 19)) == 0:  # sometimes anything at all, where the type wants something else
        return draw(_JUNK)
    if isinstance(type_, GraphQLNonNull):
        return draw(_value(type_.of_type, depth))
    if isinstance(type_, GraphQLList):
        if depth > 4 or draw(st.booleans()):
            return draw(_value(type_.of_type, depth + 1))  # a single value where a list is wanted
        return draw(st.lists(_value(type_.of_type, depth + 1), max_size=3))
    if isinstance(type_, GraphQLInputObjectType):
        return draw(_object_value(type_, depth)) if depth <= 4 else {}
    assert isinstance(type_, GraphQLScalarType | GraphQLEnumType)
    return draw(_leaf_values(type_))


@st.composite
def _object_value(draw: st.DrawFn, type_: GraphQLInputObjectType, depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for name, field in type_.fields.items():
        if draw(st.integers(0, 3)) > 0:  # most fields given
            value[name] = draw(_value(field.type, depth + 1))
    if draw(st.integers(0, 9)) == 0:
        value[draw(st.sampled_from(["unknown", "__typename", "id_"]))] = draw(_JUNK)
    if value and draw(st.integers(0, 9)) == 0:
        value[draw(st.sampled_from(sorted(value)))] = Undefined
    if draw(st.booleans()):  # the client's key order is not the schema's
        value = dict(reversed(list(value.items())))
    return value


def _same(ours: Any, theirs: Any) -> bool:
    """Equal, with the same types and the same key order throughout (NaN equal to NaN)."""
    if ours is Undefined or theirs is Undefined:
        return ours is theirs
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, dict):
        return list(ours) == list(theirs) and all(_same(ours[key], theirs[key]) for key in ours)
    if isinstance(ours, list):
        return len(ours) == len(theirs) and all(_same(a, b) for a, b in zip(ours, theirs, strict=True))
    if isinstance(ours, float) and math.isnan(ours):
        return math.isnan(theirs)
    return bool(ours == theirs)


def _wrappings(type_: GraphQLInputObjectType) -> list[GraphQLInputType]:
    return [type_, GraphQLNonNull(type_), GraphQLNonNull(GraphQLList(GraphQLNonNull(type_))), GraphQLList(type_)]


@st.composite
def _typed_value(draw: st.DrawFn) -> tuple[GraphQLInputType, Any]:
    type_ = draw(st.sampled_from([wrapped for named in _INPUT_TYPES for wrapped in _wrappings(named)]))
    return type_, draw(_value(type_))


@settings(max_examples=1_500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_typed_value())
def test_every_input_type_coerces_as_graphql_core_does(typed: tuple[GraphQLInputType, Any]) -> None:
    type_, value = typed
    ours = input_coercion.coerce_input_value(value, type_)
    theirs = graphql_cores(value, type_)
    assert _same(ours, theirs), (ours, theirs)


@pytest.mark.parametrize("type_", _INPUT_TYPES, ids=lambda t: t.name)
def test_a_full_valid_value_of_each_type_coerces_to_graphql_cores_value(type_: GraphQLInputObjectType) -> None:
    """Not left to chance: each type's fields all given, with values its leaves take."""
    value = _valid(type_)
    ours = input_coercion.coerce_input_value([value, value], GraphQLList(GraphQLNonNull(type_)))
    assert ours is not Undefined
    assert _same(ours, graphql_cores([value, value], GraphQLList(GraphQLNonNull(type_))))


def _valid(type_: Any) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _valid(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [_valid(type_.of_type)]
    if isinstance(type_, GraphQLInputObjectType):
        fields = list(type_.fields.items())[:1] if type_.is_one_of else type_.fields.items()
        return {name: _valid(field.type) for name, field in fields}
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    return {"Int": 3, "Float": 0.5, "Boolean": True, "DateTime": "2026-01-15T10:00:00Z", "JSON": {"a": [1]},
            "Date": "2026-01-15"}.get(type_.name, "x")


def test_the_event_batch_comes_out_as_graphql_core_gives_it() -> None:
    event = {"eventId": "e1", "type": "quiz_answer", "courseId": 7, "timestamp": "2026-01-15T10:00:00Z",
             "context": {"device": "mobile", "appVersion": "4.2"}, "properties": {"correct": True}}
    batch = GraphQLNonNull(GraphQLList(GraphQLNonNull(_SCHEMA.type_map["EventInput"])))  # type: ignore[arg-type]
    ours = input_coercion.coerce_input_value([event], batch)
    assert _same(ours, graphql_cores([event], batch))
    assert ours[0]["course_id"] == "7" and isinstance(ours[0]["client_timestamp"], datetime)  # Python names
    assert input_coercion.coerce_input_value([{**event, "eventId": None}], batch) is Undefined


def test_build_schema_puts_it_in_graphql_cores_place() -> None:
    build_pathwise_schema(Settings())
    assert values.coerce_input_value is input_coercion.coerce_input_value


_PLAIN = build_schema("""
    input Node { child: Node, value: Int = 3, tags: [String!] }
    input Choice @oneOf { a: Int, b: String }
    type Query { depth(node: Node): Int, choose(choice: Choice): Int }
""")


def test_a_type_that_holds_itself_and_defaults_and_one_of() -> None:
    node, choice = _PLAIN.type_map["Node"], _PLAIN.type_map["Choice"]
    cases: list[tuple[Any, Any]] = [
        (node, {"child": {"child": {"tags": "one"}}}), (node, {"child": {"value": None}}), (node, {"tags": [None]}),
        (choice, {"a": 1}), (choice, {"a": 1, "b": "x"}), (choice, {"a": None}), (choice, {}),
        (choice, {"b": Undefined, "a": 2}),
    ]
    for type_, value in cases:
        assert _same(input_coercion.coerce_input_value(value, type_), graphql_cores(value, type_)), value
    assert input_coercion.coerce_input_value({"child": {}}, node) == {"child": {"value": 3}, "value": 3}


def test_graphql_core_asks_the_installed_coercion_and_still_explains_a_bad_value(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """If graphql-core stopped calling the module attribute, its generic coercion would be back on every variable;
    a value that does not coerce still gets graphql-core's own message."""
    asked: list[object] = []
    input_coercion.install()
    installed = values.coerce_input_value
    monkeypatch.setattr(values, "coerce_input_value", lambda value, type_: asked.append(value) or installed(
        value, type_))
    query = "query($n: Node) { depth(node: $n) }"
    fine = graphql_sync(_PLAIN, query, variable_values={"n": {"tags": ["a"]}}, root_value={"depth": 1})
    assert fine.errors is None and asked == [{"tags": ["a"]}]
    bad = graphql_sync(_PLAIN, query, variable_values={"n": {"tags": [1], "extra": 2}}, root_value={"depth": 1})
    assert bad.errors and [error.message for error in bad.errors] == [
        "Variable '$n' has invalid value at .tags[0]: String cannot represent a non string value: 1",
        "Variable '$n' has invalid value: Expected value of type 'Node' not to include unknown field 'extra', "
        "found: {'tags': [1], 'extra': 2}.",
    ]
