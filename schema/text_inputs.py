"""String and ID inputs no store can keep or look up (a lone surrogate, NUL) are BAD_USER_INPUT before anything runs.

GraphQL's String and ID cannot be redefined, so the check walks the executed operation's variables by their types
(and its string literals). Free-form `JSON` values are left to the use cases' own checks, and so are the inputs
named in `ITEM_CHECKED` (events), whose use case refuses a bad item alone, with its index.
"""

from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    StringValueNode,
    get_operation_ast,
    type_from_ast,
    visit,
)
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from resolvers.errors import ErrorCode
from schema.errors import ApiError

TEXT_SCALARS = frozenset({"String", "ID"})
ITEM_CHECKED = frozenset({"EventInput"})


def text_problem(text: str) -> str | None:
    """Why a String or ID input may not be used, or None."""
    if "\0" in text:
        return "may not contain NUL characters"
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            return "may not contain lone surrogates (it is not valid Unicode)"
    return None


class TextInputCheck(SchemaExtension):
    """Refuses the operation when a String or ID input holds NUL or a lone surrogate."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            problem = (_variables_problem(context.schema._schema, document, context.variables or {},
                                          context.operation_name)
                       or _literals_problem(document, context.query or ""))
            if problem:
                raise ApiError(ErrorCode.BAD_USER_INPUT, problem)
        yield


def _variables_problem(schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any],
                       operation_name: str | None) -> str | None:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        input_type = type_from_ast(schema, definition.type)
        if name in variables and input_type is not None:
            problem = value_problem(input_type, variables[name], f"${name}")  # type: ignore[arg-type]
            if problem:
                return problem
    return None


def value_problem(input_type: GraphQLInputType, value: Any, path: str) -> str | None:
    """The first String or ID inside `value` (of `input_type`) that may not be used, with where it is, or None."""
    if isinstance(input_type, GraphQLNonNull):
        input_type = input_type.of_type
    if value is None:
        return None
    if isinstance(input_type, GraphQLList):
        items = value if isinstance(value, list) else [value]
        return next((p for i, item in enumerate(items) if (p := value_problem(input_type.of_type, item,
                                                                              f"{path}[{i}]"))), None)
    if isinstance(input_type, GraphQLInputObjectType):
        if input_type.name in ITEM_CHECKED or not isinstance(value, dict):
            return None
        return next((p for key, item in value.items() if key in input_type.fields
                     and (p := value_problem(input_type.fields[key].type, item, f"{path}.{key}"))), None)
    if isinstance(input_type, GraphQLScalarType) and input_type.name in TEXT_SCALARS and isinstance(value, str):
        problem = text_problem(value)
        return f"{path} {problem}" if problem else None
    return None


def _literals_problem(document: DocumentNode, query: str) -> str | None:
    """NUL written as `\\u0000` in a string literal (the lexer already refuses lone surrogates)."""
    if "\\u0000" not in query:
        return None
    found: list[str] = []

    class _Strings(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
            if "\0" in node.value:
                found.append("a string literal may not contain NUL characters")

    visit(document, _Strings())
    return found[0] if found else None
