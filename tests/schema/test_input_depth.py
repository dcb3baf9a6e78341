"""schema.input_depth: graphql-core's depth walk of a variable, skipped only where it can never refuse."""

from typing import Any

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    build_schema,
    graphql_sync,
    is_input_type,
)
from graphql.execution import values

from app.core.settings import Settings
from schema import input_depth
from schema.schema import build_schema as build_pathwise_schema


def _pathwise_input_types() -> list[GraphQLInputType]:
    schema = build_pathwise_schema(Settings())._schema
    return [type_ for type_ in schema.type_map.values()
            if isinstance(type_, GraphQLInputObjectType) and not type_.name.startswith("__")]


def _deepest(type_: Any) -> Any:
    """A value that follows every list and input field of an acyclic `type_` as deep as it goes."""
    if isinstance(type_, GraphQLNonNull):
        return _deepest(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [_deepest(type_.of_type)]
    if isinstance(type_, GraphQLInputObjectType):
        return {name: _deepest(field.type) for name, field in type_.fields.items()}
    return "x"


def test_build_schema_puts_the_check_in_graphql_cores_place() -> None:
    build_pathwise_schema(Settings())
    assert values.input_is_nested_too_deeply is input_depth.input_is_nested_too_deeply


def test_an_event_batch_is_three_levels_deep() -> None:
    schema = build_pathwise_schema(Settings())._schema
    batch = GraphQLNonNull(GraphQLList(GraphQLNonNull(schema.type_map["EventInput"])))  # type: ignore[arg-type]
    assert input_depth.type_depth(batch) == 3  # the list, an event, its context (properties is JSON: not entered)


@pytest.mark.parametrize("type_", _pathwise_input_types(), ids=lambda t: t.name)
def test_each_input_types_depth_is_exactly_where_graphql_cores_walk_stops(
        type_: GraphQLInputObjectType, monkeypatch: pytest.MonkeyPatch) -> None:
    """graphql-core's own walk, with its limit set just below and at the computed depth, on the deepest value:
    the depth is neither under- nor overestimated (an underestimate would skip a walk that could refuse)."""
    for wrapped in (type_, GraphQLList(GraphQLNonNull(type_))):
        depth = input_depth.type_depth(wrapped)
        assert depth is not None and depth <= 10  # Pathwise's inputs have no cycles and stay shallow
        value = _deepest(wrapped)
        monkeypatch.setattr(values, "MAX_NESTING_DEPTH", depth - 1)
        assert input_depth._walk(value, wrapped) is True
        monkeypatch.setattr(values, "MAX_NESTING_DEPTH", depth)
        assert input_depth._walk(value, wrapped) is False


def test_a_bounded_type_is_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    walked: list[object] = []
    monkeypatch.setattr(input_depth, "_walk", lambda value, type_: walked.append(value) or False)
    schema = build_pathwise_schema(Settings())._schema
    assert input_depth.input_is_nested_too_deeply([{"eventId": "e"}], GraphQLList(schema.type_map["EventInput"])) \
        is False  # type: ignore[arg-type]
    assert walked == []


_RECURSIVE = build_schema("""
    input Node { child: Node, value: Int }
    input Pair { left: Node, tags: [String] }
    type Query { depth(node: Node): Int, pair(pair: Pair): Int }
""")


def _chain(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"value": 1}
    for _ in range(levels):
        node = {"child": node}
    return node


def test_a_type_with_a_cycle_is_unbounded_and_still_walked() -> None:
    node, pair = _RECURSIVE.type_map["Node"], _RECURSIVE.type_map["Pair"]
    assert is_input_type(node) and is_input_type(pair)
    assert input_depth.type_depth(node) is None  # type: ignore[arg-type]
    assert input_depth.type_depth(pair) is None  # type: ignore[arg-type]
    input_depth.install()
    too_deep = graphql_sync(_RECURSIVE, "query($n: Node) { depth(node: $n) }", variable_values={"n": _chain(300)},
                            root_value={"depth": 1})
    assert too_deep.errors and too_deep.errors[0].message == "Variable values are nested too deeply."
    fine = graphql_sync(_RECURSIVE, "query($n: Node) { depth(node: $n) }", variable_values={"n": _chain(20)},
                        root_value={"depth": 1})
    assert fine.errors is None and fine.data == {"depth": 1}


def test_graphql_core_asks_the_installed_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """If graphql-core stopped calling the module attribute, the walk would be back on every variable."""
    asked: list[object] = []
    input_depth.install()
    installed = values.input_is_nested_too_deeply
    monkeypatch.setattr(values, "input_is_nested_too_deeply", lambda value, type_: asked.append(value) or installed(
        value, type_))
    result = graphql_sync(_RECURSIVE, "query($p: Pair) { pair(pair: $p) }", variable_values={"p": {"tags": ["a"]}},
                          root_value={"pair": 1})
    assert result.errors is None and asked == [{"tags": ["a"]}]
