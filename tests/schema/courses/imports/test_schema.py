"""catalogImports through GraphQL: partners and admins read the latest runs, a learner is FORBIDDEN."""

from datetime import UTC, datetime
from typing import Any

import pytest
import strawberry
from starlette.requests import Request

from app.core.documents import CatalogImport
from app.core.settings import Settings
from app.core.tokens import Principal, Role
from schema.context import Context
from schema.courses.imports.schema import Query

pytestmark = pytest.mark.usefixtures("clean")
QUERY = "query($first: Int) { catalogImports(first: $first) { id kind source read created skipped problems } }"
SCHEMA = strawberry.Schema(query=Query)


async def run(role: Role, **variables: Any) -> Any:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    context = Context(request=request, response=None, settings=Settings(),
                      principal=Principal("someone", frozenset({role})))
    return await SCHEMA.execute(QUERY, variable_values=variables, context_value=context)


async def test_partners_read_the_runs_and_learners_are_forbidden() -> None:
    at = datetime(2026, 6, 1, tzinfo=UTC)
    await CatalogImport(id="import-a", kind="courses", source="c.csv", started_at=at, finished_at=at, read=3,
                        created=2, skipped=1, problems=["line 4: title: missing"]).insert()
    result = await run(Role.PARTNER, first=5)
    assert result.errors is None
    assert result.data["catalogImports"] == [{"id": "import-a", "kind": "courses", "source": "c.csv", "read": 3,
                                              "created": 2, "skipped": 1, "problems": ["line 4: title: missing"]}]
    refused = await run(Role.LEARNER)
    assert refused.data is None and refused.errors[0].extensions["code"] == "FORBIDDEN"
    bad = await run(Role.ADMIN, first=0)
    assert bad.errors[0].extensions["code"] == "BAD_USER_INPUT"
