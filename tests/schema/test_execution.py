"""schema.execution: a request's execution is freed when it ends, not left to the cycle collector."""

import asyncio
import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.requests import Request

from app.core.settings import Settings
from app.core.tokens import Principal, Role
from schema import execution
from schema.context import Context
from schema.schema import build_schema

pytestmark = pytest.mark.usefixtures("clean")


@pytest.fixture
def no_cycle_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list["weakref.ref[Any]"]:
    made: list[weakref.ref[Any]] = []
    init = execution.ExecutionContext.__init__

    def recording(self: execution.ExecutionContext, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        made.append(weakref.ref(self))

    monkeypatch.setattr(execution.ExecutionContext, "__init__", recording)
    return made


def _context(user_id: str) -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Context(request=request, response=None, settings=Settings(),
                   principal=Principal(user_id, frozenset({Role.LEARNER})))


@pytest.mark.usefixtures("no_cycle_collector")
async def test_a_request_and_its_variables_are_freed_when_it_ends(executions: list["weakref.ref[Any]"]) -> None:
    """With the collector off, the execution, its context and the events sent are gone once the answer is:
    graphql-core's executor referred to itself, which kept all of it until a full collection."""
    schema = build_schema(Settings())
    events = [{"eventId": f"e{i}", "type": "follow", "properties": {"topic": f"Topic {i % 5}"}}
              for i in range(50)]
    context = _context("learner-1")
    context_ref = weakref.ref(context)
    result = await schema.execute(
        "mutation($e: [EventInput!]!) { trackEvents(events: $e) { accepted user { id } } }",
        variable_values={"e": events}, context_value=context)
    assert result.errors is None and result.data == {"trackEvents": {"accepted": 50, "user": {"id": "learner-1"}}}
    query = await schema.execute("{ me { id insights { events } } }", context_value=_context("learner-1"))
    assert query.errors is None and query.data == {"me": {"id": "learner-1", "insights": {"events": 50}}}
    del result, query, context
    await asyncio.sleep(0)  # the tasks of the execution finish
    assert len(executions) == 2 and [made() for made in executions] == [None, None]
    assert context_ref() is None


class _Executor:
    def __init__(self) -> None:
        self.tracked: list[Any] = []

    def track_async_work(self, values: Any) -> None:
        self.tracked.extend(values)


async def test_track_reaches_the_executor_while_it_lives_and_settles_work_alone_after() -> None:
    executor = _Executor()
    track = execution._tracker(executor)  # type: ignore[arg-type]
    track([1, "a"])
    assert executor.tracked == [1, "a"]
    del executor
    ran: list[str] = []

    async def work() -> None:
        ran.append("done")
        raise RuntimeError("observed, not reported as never retrieved")

    track([work(), 2])
    for _ in range(3):
        await asyncio.sleep(0)
    assert ran == ["done"]


async def test_gather_is_graphql_cores() -> None:
    async def value(number: int) -> int:
        await asyncio.sleep(0)
        return number

    assert await execution._gather([value(1), value(2)]) == [1, 2]
