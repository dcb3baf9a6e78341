"""Strawberry's execution context without graphql-core's reference cycle, so that a request's data is freed when
the request ends instead of by the cycle collector.

graphql-core 3.3's executor keeps `async_helpers`, a tuple of two of its own bound methods: the executor refers to
itself. Every execution was therefore cyclic garbage, and with it everything it holds — the variables as sent and
as coerced, the context with its dataloaders, the result. For a `trackEvents` batch of 500 events that is ~1,000
dicts a request that lived on through the young generations until a full collection freed them: in the served
process those collections took ~13 µs of CPU an event of ~141 (bench/README.md, "Server CPU per event in batches of
500", fifth session). Here the helpers hold no strong reference to the executor: `gather` never needed one
(graphql-core's own is a plain call of `gather_with_cancel`), and `track` reaches the executor through a weak
reference. The executor is alive while anything can call them: its resolvers run inside its execution.
"""

import asyncio
import weakref
from collections.abc import Awaitable, Sequence
from typing import Any

from graphql.pyutils import gather_with_cancel
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


def _gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
    """graphql-core's `gather_async_work`, which uses nothing of its executor."""
    return gather_with_cancel(*values)


def _tracker(executor: StrawberryGraphQLCoreExecutionContext) -> Any:
    """The executor's `track_async_work`, through a weak reference."""
    reference = weakref.ref(executor)

    def track(values: Sequence[Any]) -> None:
        alive = reference()
        if alive is not None:
            alive.track_async_work(values)
            return
        for value in values:  # no execution left to settle them in: settled on their own, errors observed
            if isinstance(value, Awaitable):
                asyncio.ensure_future(value).add_done_callback(_observed)

    return track


def _observed(future: "asyncio.Future[Any]") -> None:
    if not future.cancelled():
        future.exception()


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context whose async helpers do not keep it alive."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = GraphQLResolveInfoHelpers(gather=_gather, track=_tracker(self))
