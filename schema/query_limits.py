"""Limits checked before a GraphQL request runs: tokens, depth, cost, introspection, and each client's budget.

One Strawberry extension parses (with a cache and the token limit) and, before validation, measures the
document (`schema.cost`): too long, too deep or too costly is `QUERY_TOO_COMPLEX`; a client that spent its
budget of the minute gets HTTP 429 with `Retry-After` and `RATE_LIMITED`.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FloatValueNode,
    GraphQLError,
    GraphQLSyntaxError,
    IntValueNode,
    Source,
    TokenKind,
    Visitor,
    parse,
    visit,
)
from graphql.language.lexer import Lexer
from strawberry.extensions import SchemaExtension

from app.core.http.token_buckets import TokenBuckets
from app.core.settings import Settings
from schema.cost import Cost, CostModel

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
RATE_LIMITED = "RATE_LIMITED"
MAX_NUMBER_CHARS = 40  # longer than any 64-bit integer or double literal needs


@dataclass(frozen=True)
class QueryLimits:
    """The limits of one schema, and the per-client budgets they spend from (in this process)."""

    max_tokens: int
    max_depth: int
    max_cost: int
    introspection_anonymous: bool
    costs: TokenBuckets | None  # None: no budget
    introspection: TokenBuckets | None

    @classmethod
    def from_settings(cls, settings: Settings) -> "QueryLimits":
        return cls(settings.max_query_tokens, settings.max_query_depth, settings.max_query_cost,
                   settings.introspection_anonymous, _buckets(settings.cost_budget_per_minute),
                   _buckets(settings.introspection_budget_per_minute))


class QueryLimiter(SchemaExtension):
    """Parses and measures each request before validation; refuses what is over a limit."""

    def __init__(self, limits: QueryLimits, model: CostModel) -> None:
        super().__init__()
        self.limits = limits
        self.model = model

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            try:
                context.graphql_document = _parse(context.query, self.limits.max_tokens)
            except GraphQLSyntaxError as error:
                if _tokens_over(context.query, self.limits.max_tokens):
                    raise _too_complex(f"the query is longer than {self.limits.max_tokens} tokens",
                                       maxTokens=self.limits.max_tokens) from error
                raise
            if _LONG_NUMBER.search(context.query):
                _refuse_huge_numbers(context.graphql_document)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            variables = context.variables if isinstance(context.variables, dict) else None
            self.check(self.model.measure(context.graphql_document, variables), context.context)
        yield

    def check(self, cost: Cost, request_context: Any) -> None:
        """Raise the coded error for the first limit `cost` is over, else charge the client's budgets."""
        limits = self.limits
        if cost.depth > limits.max_depth:
            raise _too_complex(f"the query is {cost.depth} levels deep; the limit is {limits.max_depth}",
                               depth=cost.depth, maxDepth=limits.max_depth)
        if cost.total > limits.max_cost:
            raise _too_complex(f"the query costs {cost.total}; the limit is {limits.max_cost} (see the README, "
                               "\"Limits\")", cost=cost.total, maxCost=limits.max_cost)
        principal = getattr(request_context, "principal", None)
        if cost.introspection and principal is None and not limits.introspection_anonymous:
            raise GraphQLError("introspection needs a bearer token here", extensions={"code": "UNAUTHENTICATED"})
        client = _client(request_context)
        for buckets, amount, what in ((limits.costs, cost.total, "query cost"),
                                      (limits.introspection, cost.introspection, "introspection cost")):
            wait = buckets.take(client, amount) if buckets is not None and amount else 0
            if wait:
                _answer_429(request_context, wait)
                raise GraphQLError(f"this client spent its {what} budget of the minute; retry in {wait} s",
                                   extensions={"code": RATE_LIMITED, "retryAfter": wait, "cost": amount})


def _buckets(per_minute: int) -> TokenBuckets | None:
    return TokenBuckets(per_minute) if per_minute > 0 else None


@lru_cache(maxsize=256)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def _tokens_over(query: str, limit: int) -> bool:
    """Whether the query has more than `limit` tokens (read again only after a parse failed)."""
    lexer = Lexer(Source(query))
    try:
        for _ in range(limit + 1):
            if lexer.advance().kind == TokenKind.EOF:
                return False
    except GraphQLSyntaxError:
        return False
    return True


_LONG_NUMBER = re.compile(r"\d{20}")  # a number this long in the text: look at the literals before validation


def _refuse_huge_numbers(document: DocumentNode) -> None:
    """BAD_USER_INPUT for an Int or Float literal no 64-bit value holds (graphql-core's own coercion would
    raise a plain ValueError past 4,300 digits)."""

    class Numbers(Visitor):
        def enter_int_value(self, node: IntValueNode, *_: Any) -> None:
            _check_length(node.value)

        def enter_float_value(self, node: FloatValueNode, *_: Any) -> None:
            _check_length(node.value)

    visit(document, Numbers())


def _check_length(value: str) -> None:
    if len(value) > MAX_NUMBER_CHARS:
        raise GraphQLError(f"a number of {len(value)} characters is out of range",
                           extensions={"code": "BAD_USER_INPUT"})


def _too_complex(message: str, **details: int) -> GraphQLError:
    return GraphQLError(message, extensions={"code": QUERY_TOO_COMPLEX, **details})


def _client(request_context: Any) -> str:
    """The budget's owner: the token's subject, else the client's IP."""
    principal = getattr(request_context, "principal", None)
    if principal is not None:
        return f"user:{principal.user_id}"
    request = getattr(request_context, "request", None)
    client = getattr(request, "client", None)
    return f"ip:{client.host}" if client is not None else "ip:unknown"


def _answer_429(request_context: Any, wait: int) -> None:
    response = getattr(request_context, "response", None)
    if response is not None:
        response.status_code = 429
        response.headers["Retry-After"] = str(wait)
