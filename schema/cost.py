"""Query cost: how much work an operation asks for, read from its document before anything runs.

A field costs its price (leaves 0, objects and lists 1, costly fields more: `FIELD_COSTS`) plus its selections
times how many objects it returns: its `first` argument, or `DEFAULT_LIST_SIZE` for other lists of objects
(the lists of a type that a `first` already counted, such as a connection's `edges`, count once). Aliases
count each time; each fragment is measured once per document, so measuring is linear in the document's size.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    ValueNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)

FIELD_COSTS: Mapping[str, int] = {
    "Query.recommendations": 1_000,
    "Query.similarCourses": 200,
    "Query.nextExercises": 500,
    "Query.learningPath": 1_000,
    "Query.myData": 2_000,
    "Query.mastery": 100,
    "Query.reviewQueue": 100,
    "Query.experimentReport": 5_000,  # aggregations over the experiment's events, recomputed on each read
    "Query.courseFunnel": 500,
    "Query.courseFunnels": 2_000,
    "Query.skillStruggles": 5_000,  # every learner's knowledge state and quiz answer
    "Query.recommenderPopularity": 500,
    "Query.servingMetrics": 200,
    "Query.consentStatistics": 200,
    "Query.catalogImports": 50,
    "Query.__schema": 1_000,
    "Query.__type": 50,
}
"""Prices of costly fields (`Type.field`), in points of about 10 µs of server work; other object fields cost 1,
scalars and enums 0."""

ARGUMENT_COSTS: Mapping[str, int] = {
    "Query.courses.search": 200,  # full-text search
    "Query.learningPath.goal": 5_000,  # a sentence model reads the goal
}
"""Surcharges when an argument (`Type.field.argument`) is given and not null."""

DEFAULT_LIST_SIZE = 10
MAX_LIST_SIZE = 100  # a `first` that cannot be read (a missing variable) counts as this
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
_CEILING = 10**15  # costs saturate here, so numbers stay small whatever the document


@dataclass(frozen=True)
class Cost:
    total: int  # everything the operation asks for, introspection included
    introspection: int  # the part under `__schema` and `__type`
    depth: int  # the deepest nesting of fields, introspection fields not counted


_Sum = tuple[int, int, int]  # (total, introspection, depth): a Cost while measuring
_ZERO: _Sum = (0, 0, 0)


@dataclass(frozen=True)
class _Price:
    """What a field costs before its arguments and selections are known."""

    own: int
    returns: GraphQLNamedType
    times: int  # how many it returns without a `first` argument
    first: Any  # whether it takes `first` (not None), and its default
    surcharges: Mapping[str, int]
    introspection: bool
    deep: bool  # counts toward depth


class CostModel:
    """Prices and list sizes for one schema; `measure` prices a document."""

    def __init__(self, schema: GraphQLSchema, remembered: int = 256) -> None:
        self.schema = schema
        self.paged_types = _paged_types(schema)
        self.introspection_sizes = _introspection_sizes(schema)
        self._prices: dict[tuple[str, str], _Price | None] = {}
        self._remembered = remembered
        self._measured: dict[int, tuple[DocumentNode, dict[str, Any], Cost]] = {}  # id(document) -> ...

    def measure(self, document: DocumentNode, variables: Mapping[str, Any] | None = None) -> Cost:
        """The cost of the document's costliest operation (any of them may be validated or run). The same
        document object (the parse cache returns one per query text) with the same `first` values is
        measured once."""
        variables = variables or {}
        known = self._measured.get(id(document))
        if known is not None and known[0] is document and all(variables.get(k) == v for k, v in known[1].items()):
            return known[2]
        measure = _Measure(self, document, variables)
        cost = measure.costliest()
        if len(self._measured) >= self._remembered:
            del self._measured[next(iter(self._measured))]
        self._measured[id(document)] = (document, measure.read, cost)
        return cost

    def price(self, parent: GraphQLNamedType, name: str) -> _Price | None:
        key = (parent.name, name)
        if key not in self._prices:
            self._prices[key] = self._price(parent, name)
        return self._prices[key]

    def _price(self, parent: GraphQLNamedType, name: str) -> _Price | None:
        definition = _field_definition(self.schema, parent, name)
        if definition is None:  # __typename, or a field validation refuses
            return None
        returns = get_named_type(definition.type)
        key = f"{parent.name}.{name}"
        first = definition.args.get("first")
        listed = _is_list(definition.type) and parent.name not in self.paged_types
        return _Price(
            own=FIELD_COSTS.get(key, 1 if is_composite_type(returns) else 0), returns=returns,
            times=self.introspection_sizes.get(key, DEFAULT_LIST_SIZE) if listed else 1,
            first=None if first is None else (first.default_value, ),
            surcharges={k.removeprefix(f"{key}."): c for k, c in ARGUMENT_COSTS.items() if k.startswith(f"{key}.")},
            introspection=name in INTROSPECTION_FIELDS, deep=not name.startswith("__"))


class _Measure:
    def __init__(self, model: CostModel, document: DocumentNode, variables: Mapping[str, Any]) -> None:
        self.model = model
        self.given = variables
        self.read: dict[str, Any] = {}  # the variables the cost depends on, as given
        self.defaults: dict[str, Any] = {}
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        self.done: dict[str, _Sum] = {}
        self.in_progress: set[str] = set()

    def costliest(self) -> Cost:
        costs = [self.operation(operation) for operation in self.operations] or [_ZERO]
        return Cost(*(max(column) for column in zip(*costs, strict=True)))

    def operation(self, operation: OperationDefinitionNode) -> _Sum:
        root = self.model.schema.get_root_type(operation.operation)
        if root is None:
            return _ZERO
        self.defaults = {d.variable.name.value: self.value(d.default_value)
                         for d in operation.variable_definitions or () if d.default_value is not None}
        return self.selections(operation.selection_set, root)

    def selections(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType) -> _Sum:
        total = introspection = depth = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                cost = self.field(selection, parent)
            elif isinstance(selection, FragmentSpreadNode):
                cost = self.fragment(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                kind = self.model.schema.get_type(condition.name.value) if condition else parent
                cost = self.selections(selection.selection_set, kind) if kind else _ZERO
            else:
                continue
            total, introspection, depth = total + cost[0], introspection + cost[1], max(depth, cost[2])
        return _cap(total), _cap(introspection), depth

    def fragment(self, name: str) -> _Sum:
        known = self.done.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:  # unknown or cyclic: validation refuses it
            return _ZERO
        self.in_progress.add(name)
        kind = self.model.schema.get_type(definition.type_condition.name.value)
        cost = self.selections(definition.selection_set, kind) if kind else _ZERO
        self.in_progress.discard(name)
        self.done[name] = cost
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType) -> _Sum:
        price = self.model.price(parent, node.name.value)
        if price is None:
            return _ZERO
        own, times = price.own, price.times
        for argument in node.arguments or ():
            name = argument.name.value
            if name in price.surcharges and self.value(argument.value) is not None:
                own += price.surcharges[name]
            elif name == "first":
                times = self.page(self.value(argument.value))
        if price.first is not None and not any(a.name.value == "first" for a in node.arguments or ()):
            times = self.page(price.first[0])
        inner = self.selections(node.selection_set, price.returns) if node.selection_set else _ZERO
        total = _cap(own + times * inner[0])
        return (total, total if price.introspection else _cap(times * inner[1]),
                1 + inner[2] if price.deep else 0)

    def value(self, node: ValueNode | None) -> Any:
        if isinstance(node, VariableNode):
            name = node.name.value
            self.read[name] = self.given.get(name)
            return self.given[name] if name in self.given else self.defaults.get(name)
        if isinstance(node, IntValueNode):  # a literal past 32 bits is refused by validation; price it as large
            return int(node.value) if len(node.value) <= 12 else MAX_LIST_SIZE
        return None if node is None or node.kind == "null_value" else node

    @staticmethod
    def page(value: Any) -> int:
        return min(max(value, 1), MAX_LIST_SIZE) if isinstance(value, int) else MAX_LIST_SIZE


def _field_definition(schema: GraphQLSchema, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    if parent is schema.query_type and name == "__schema":
        return SchemaMetaFieldDef
    if parent is schema.query_type and name == "__type":
        return TypeMetaFieldDef
    fields: dict[str, GraphQLField] = getattr(parent, "fields", {}) if is_composite_type(parent) else {}
    return fields.get(name)


def _is_list(kind: GraphQLOutputType) -> bool:
    while isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return isinstance(kind, GraphQLList)


def _cap(value: int) -> int:
    return min(value, _CEILING)


def _paged_types(schema: GraphQLSchema) -> frozenset[str]:
    """Types returned by a field with `first` (connections, `Recommendations`): their lists are already counted."""
    paged = set()
    for kind in schema.type_map.values():
        for field in getattr(kind, "fields", {}).values() if isinstance(kind, GraphQLObjectType) else ():
            if "first" in field.args and not _is_list(field.type):
                paged.add(get_named_type(field.type).name)
    return frozenset(paged)


def _introspection_sizes(schema: GraphQLSchema) -> dict[str, int]:
    """List sizes of introspection fields: this schema's own counts (averages per type or field)."""
    kinds = [k for k in schema.type_map.values() if not k.name.startswith("__")]
    fields = [f for k in kinds for f in getattr(k, "fields", {}).values() if is_composite_type(k)]
    inputs = [f for k in kinds for f in getattr(k, "fields", {}).values() if not is_composite_type(k)]
    values = [v for k in kinds for v in getattr(k, "values", {}).values()]
    arguments = [a for f in fields for a in f.args.values()]

    def average(items: list[Any], over: int) -> int:
        return max(1, math.ceil(len(items) / max(over, 1)))

    return {"__Schema.types": len(schema.type_map), "__Schema.directives": len(schema.directives),
            "__Type.fields": average(fields, len(kinds)), "__Type.inputFields": average(inputs, len(kinds)),
            "__Type.enumValues": average(values, len(kinds)), "__Type.interfaces": 1, "__Type.possibleTypes": 1,
            "__Field.args": average(arguments, len(fields)), "__Directive.args": 3}
