"""Cached answers without executing their query again: a learner's repeated `recommendations` query is answered
with the response made the first time from the same cached list, and a new `requestId`.

Executing a query builds every field of the answer anew (about a hundred for ten courses with their reasons),
which costs more than finding the answer in the cache. So when a learner asks for their own recommendations with
a query document whose only root field is `recommendations`, and every field it selects below is read from its
object (no resolver of its own, no permission: nothing that reads the store or the caller at resolve time), the
response data is kept with the answer cache's entry (`LearnerCache.render`) under the document, the variables and
the caller. The same request later is answered from it (`use_cases.replayed`: the same question, counted as a
cached answer is, with a new request id) for as long as the entry lives: until the learner changes, a new model
or catalog is served, or the entry expires. Anything else — a partner asking for a learner (audited), another
root field beside it, a field with a resolver — is executed as usual. Authentication, rate limits and the query's
limits run before this, as for any request.

Like a response cache (GraphQL Yoga's `useResponseCache`, Apollo's response cache plugin), but scoped to one
answer: the cached list is the single source of truth, so nothing here needs invalidating of its own.
"""

import json
import logging
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.field import StrawberryField

from app.core.timestamps import utcnow
from resolvers.purposes import default_purposes
from resolvers.recommendations import recommend as use_cases
from schema.context import Context
from schema.recommendations.fields import learner_records_of

log = logging.getLogger("pathwise.recommendations")
ROOT_FIELD = "recommendations"
REQUEST_ID = "requestId"
MAX_DOCUMENTS = 256  # query documents whose shape was checked
MAX_PLANS = 20_000  # (document, variables, caller) -> the question it asks


@dataclass(frozen=True)
class Shape:
    """What a replayable document answers under: the root field's response key, and the keys of its requestId."""

    root: str
    request_ids: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    learner: str
    ask: use_cases.Ask
    shape: Shape


class ReplayPlans:
    """Shared by every request of a schema: documents' shapes and requests' questions, least recently used go."""

    def __init__(self) -> None:
        self.shapes: OrderedDict[tuple[str, str | None], Shape | None] = OrderedDict()
        self.plans: OrderedDict[tuple[Any, ...], Plan] = OrderedDict()

    def shape(self, schema: strawberry.Schema, query: str, operation: str | None, document: DocumentNode
              ) -> Shape | None:
        key = (query, operation)
        if key not in self.shapes:
            self.shapes[key] = replayable_shape(schema, document, operation)
            while len(self.shapes) > MAX_DOCUMENTS:
                self.shapes.popitem(last=False)
        return self.shapes[key]

    def plan(self, key: tuple[Any, ...]) -> Plan | None:
        plan = self.plans.get(key)
        if plan is not None:
            self.plans.move_to_end(key)
        return plan

    def keep(self, key: tuple[Any, ...], plan: Plan) -> None:
        self.plans[key] = plan
        self.plans.move_to_end(key)
        while len(self.plans) > MAX_PLANS:
            self.plans.popitem(last=False)


class AnswerReplay(SchemaExtension):
    """Answers a learner's repeated `recommendations` query from the response kept with its cached list (in
    asynchronous executions: a synchronous one, such as `introspect()`, runs without it)."""

    async_only = True

    def __init__(self, plans: ReplayPlans) -> None:
        self.plans = plans

    async def on_execute(self) -> Any:  # an async generator hook
        execution = self.execution_context
        context = execution.context
        key = self._key(context)
        if key is not None and context.recommendations is not None:
            plan = self.plans.plan(key)
            replayed = None
            if plan is not None:
                try:
                    replayed = await self._replayed(context, plan, key)
                except Exception:  # e.g. the store did not answer: execution gives the error its code
                    log.warning("replaying a cached answer failed; executing the query", exc_info=True)
                if replayed is not None:
                    execution.result = replayed
                    yield
                    return
        yield
        if key is not None:
            self._keep(context, key)

    def _key(self, context: Any) -> tuple[Any, ...] | None:
        """The request's key, if its document can be replayed and a learner asks for themself."""
        execution = self.execution_context
        if not isinstance(context, Context) or context.principal is None or execution.query is None:
            return None
        if execution.graphql_document is None:
            return None
        shape = self.plans.shape(execution.schema, execution.query, execution.operation_name,
                                 execution.graphql_document)
        if shape is None:
            return None
        variables = json.dumps(execution.variables or {}, sort_keys=True, default=str)
        principal = context.principal
        return (execution.query, execution.operation_name, variables, principal.user_id,
                tuple(sorted(principal.roles)))

    async def _replayed(self, context: Context, plan: Plan, key: tuple[Any, ...]) -> ExecutionResult | None:
        service, settings = context.recommendations, context.settings
        assert service is not None
        found = await use_cases.replayed(
            service, plan.learner, plan.ask, key, learner_records_of(context, plan.learner), utcnow(),
            settings.interest_half_life_days, default_purposes(settings.default_consents))
        if found is None:
            return None
        answer, data = found
        assert isinstance(data, dict)
        root = dict(data[plan.shape.root])
        for name in plan.shape.request_ids:
            root[name] = answer.request_id
        return ExecutionResult(data={plan.shape.root: root})

    def _keep(self, context: Context, key: tuple[Any, ...]) -> None:
        """After an execution: keep its response with the cached list it showed (the learner's own, no error)."""
        result = self.execution_context.result
        answered = context.answered
        if (not isinstance(result, ExecutionResult) or result.errors or not result.data or len(answered) != 1
                or context.recommendations is None):
            return
        learner, ask, found = answered[0]
        shape = self.plans.shape(self.execution_context.schema, key[0], key[1],
                                 self.execution_context.graphql_document)  # type: ignore[arg-type]
        if learner != key[3] or found.kept is None or shape is None:
            return
        self.plans.keep(key, Plan(learner, ask, shape))
        use_cases.keep_rendering(context.recommendations, learner, found, key, result.data)


# --- which documents can be replayed -------------------------------------------------------------------------

def replayable_shape(schema: strawberry.Schema, document: DocumentNode, operation: str | None) -> Shape | None:
    """The shape of a query whose only root selection is `recommendations` and whose every field below is read
    from its object; None for any other document."""
    chosen = _operation(document, operation)
    if chosen is None or chosen.operation != OperationType.QUERY or chosen.directives:
        return None
    selections = chosen.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    root = selections[0]
    if root.name.value != ROOT_FIELD or root.directives or root.selection_set is None:
        return None
    query_type = schema.get_type_by_name("Query")
    field = _field_named(query_type, ROOT_FIELD, schema)
    if field is None:
        return None
    fragments = {node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)}
    if not _plain(schema, field.type, root.selection_set, fragments, depth=0):
        return None
    keys = tuple(sorted({node.alias.value if node.alias else node.name.value
                         for node in _fields(root.selection_set, fragments) if node.name.value == REQUEST_ID}))
    return Shape(root.alias.value if root.alias else ROOT_FIELD, keys)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((node for node in operations if node.name is not None and node.name.value == name), None)


def _fields(selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode],
            seen: frozenset[str] = frozenset()) -> Iterator[FieldNode]:
    """The fields selected on one object, fragments spread in."""
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from _fields(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            fragment = fragments.get(node.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments, seen | {node.name.value})


def _plain(schema: strawberry.Schema, type_: Any, selection_set: SelectionSetNode | None,
           fragments: dict[str, FragmentDefinitionNode], depth: int) -> bool:
    """Whether every field selected on `type_` (and below) is read from its object, with no directive."""
    while isinstance(type_, (StrawberryOptional, StrawberryList)):
        type_ = type_.of_type
    if selection_set is None:
        return True
    definition = getattr(type_, "__strawberry_definition__", None)
    if definition is None or depth > 8 or any(node.directives for node in selection_set.selections):
        return False
    for node in _fields(selection_set, fragments):
        if node.name.value == "__typename":
            continue
        field = _field_named(definition, node.name.value, schema)
        if (field is None or node.directives or field.base_resolver is not None or field.permission_classes
                or field.extensions or not _plain(schema, field.type, node.selection_set, fragments, depth + 1)):
            return False
    return True


def _field_named(definition: Any, name: str, schema: strawberry.Schema) -> StrawberryField | None:
    if definition is None:
        return None
    definition = getattr(definition, "__strawberry_definition__", definition)
    converter = schema.config.name_converter
    return next((field for field in definition.fields if converter.get_graphql_name(field) == name), None)

