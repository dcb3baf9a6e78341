"""The profile fields of User in-process: connectedAccounts batches (one find for every learner of a query)."""

from collections import Counter
from datetime import UTC, datetime

import pytest
from starlette.requests import Request

from app.core.documents import ConnectedAccount, Provider, User
from app.core.documents.profiles import Provenance
from app.core.settings import Settings
from app.core.tokens import Principal, Role
from schema.context import Context
from schema.schema import build_schema
from tests.conftest import CommandCounter

pytestmark = pytest.mark.usefixtures("clean")
AT = datetime(2026, 3, 1, tzinfo=UTC)


def context(user_id: str, *roles: Role) -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Context(request=request, response=None, settings=Settings(),
                   principal=Principal(user_id, frozenset(roles or {Role.LEARNER})))


async def test_profile_fields_of_two_learners_take_two_finds(command_counter: CommandCounter) -> None:
    github = Provenance(source="github", at=AT)
    for user_id in ("u1", "u2"):
        await User(id=user_id, interests=["React"], provenance={"interests:react": github, "job_title": github},
                   job_title="Dev").insert()
        for provider in (Provider.GOOGLE, Provider.GITHUB):
            await ConnectedAccount(id=ConnectedAccount.key(user_id, provider), user_id=user_id, provider=provider,
                                   positions=[{"title": "Dev", "current": True}]).insert()
    fields = ("{ id connectedAccounts { provider positions { title current company } } "
              "provenance { field value source } preferences { followedTopics } onboarding { completedAt } }")
    query = f'{{ a: user(id: "u1") {fields} b: user(id: "u2") {fields} }}'
    command_counter.commands.clear()
    result = await build_schema(Settings()).execute(query, context_value=context("admin", Role.ADMIN))
    assert result.errors is None
    assert result.data is not None
    assert [a["provider"] for a in result.data["a"]["connectedAccounts"]] == ["GITHUB", "GOOGLE"]
    assert result.data["b"]["connectedAccounts"][0]["positions"] == [{"title": "Dev", "current": True, "company": None}]
    assert result.data["a"]["provenance"] == [{"field": "interests", "value": "react", "source": "github"},
                                              {"field": "jobTitle", "value": None, "source": "github"}]
    assert Counter(command_counter.commands) == Counter({"find": 2})  # the users, then all their accounts
