"""GraphQL requests for `/metrics`: each one's operation label (left in the HTTP scope, where
app/core/http/request_metrics.py times the request by it), and its top-level errors by `extensions.code`.

The label is the operation's name when it is a short GraphQL name, else its root fields sorted (at most
`MAX_ROOT_FIELDS`, then `+<how many more>`), else "anonymous"; beyond the first 200 labels, "other".
"""

import re
from typing import Any

from graphql import DocumentNode, FieldNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from app.core import metrics
from app.core.http.request_metrics import ANONYMOUS, OPERATION_KEY
from schema.error_codes import client_code

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
MAX_ROOT_FIELDS = 3


class OperationMetrics(SchemaExtension):
    """Labels the request with its operation and counts its errors, once its result is final."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context
        label = metrics.OPERATIONS(operation_label(context.operation_name, context.graphql_document))
        scope = getattr(getattr(context.context, "request", None), "scope", None)
        if isinstance(scope, dict):
            scope[OPERATION_KEY] = label
        for error in context.pre_execution_errors or []:
            metrics.graphql_error(client_code(error))
        return {}


def operation_label(name: str | None, document: DocumentNode | None) -> str:
    if name and _NAME.match(name):
        return name
    operation = _operation(document, name)
    if operation is None:
        return ANONYMOUS
    fields = sorted({node.name.value for node in operation.selection_set.selections if isinstance(node, FieldNode)})
    if not fields:
        return ANONYMOUS
    more = len(fields) - MAX_ROOT_FIELDS
    return ",".join(fields[:MAX_ROOT_FIELDS]) + (f"+{more}" if more > 0 else "")


def _operation(document: DocumentNode | None, name: str | None) -> OperationDefinitionNode | None:
    """The operation `name` picks (the only one when no name is given), or None."""
    operations = [node for node in (document.definitions if document else ())
                  if isinstance(node, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((node for node in operations if node.name is not None and node.name.value == name), None)


