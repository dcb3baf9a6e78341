"""`courses(search: ...)` through the schema: relevance pages, filters, and oversized searches refused as
BAD_USER_INPUT before any work."""

import time
from functools import cache
from typing import Any

import pytest
from starlette.requests import Request

from app.core.settings import Settings
from app.core.tokens import Principal, Role
from resolvers.courses.courses import upsert_courses
from resolvers.courses.search import SEARCH
from schema.context import Context
from schema.schema import build_schema

pytestmark = pytest.mark.usefixtures("clean", "fresh_search_index")

QUERY = ("query($s: String, $after: String, $level: CourseLevel) { courses(search: $s, first: 2, after: $after, "
         "level: $level) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }")


@pytest.fixture
def fresh_search_index() -> None:
    SEARCH.forget()


def context() -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Context(request=request, response=None, settings=Settings(),
                   principal=Principal("learner-1", frozenset({Role.LEARNER})))


@cache
def schema() -> Any:
    return build_schema(Settings())


async def run(variables: dict[str, Any]) -> Any:
    return await schema().execute(QUERY, variable_values=variables, context_value=context())


async def test_search_pages_by_relevance_with_filters() -> None:
    await upsert_courses([
        {"id": "t1", "title": "SQL basics", "level": "beginner"},
        {"id": "t2", "title": "SQL joins", "level": "beginner"},
        {"id": "d1", "title": "Reporting", "description": "Some SQL.", "level": "beginner"},
        {"id": "x", "title": "Advanced SQL", "level": "advanced"},
    ], 1_000)
    first = await run({"s": "sql", "level": "BEGINNER"})
    assert first.errors is None
    page = first.data["courses"]
    assert page["totalCount"] == 3
    assert [e["node"]["id"] for e in page["edges"]] == ["t1", "t2"]
    second = (await run({"s": "sql", "level": "BEGINNER", "after": page["pageInfo"]["endCursor"]})).data["courses"]
    assert [e["node"]["id"] for e in second["edges"]] == ["d1"]
    assert second["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize("search", ["a " * 4_000, "a " * 50_000, "x" * 201, "python\x00"])
async def test_an_oversized_or_unprintable_search_is_bad_user_input(search: str) -> None:
    schema()
    started = time.perf_counter()
    result = await run({"s": search})
    assert time.perf_counter() - started < 1.0  # milliseconds here; a guard against doing the work, not a speed target
    assert result.data is None
    assert [error.extensions["code"] for error in result.errors] == ["BAD_USER_INPUT"]
    assert "`search` is at most" in result.errors[0].message or "NUL" in result.errors[0].message
