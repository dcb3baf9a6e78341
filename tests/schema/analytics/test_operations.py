"""servingMetrics and consentStatistics through GraphQL: partners and admins read them, a learner is FORBIDDEN,
a bad window is BAD_USER_INPUT, suppressed counts are null."""

from functools import cache
from typing import Any

import pytest
import strawberry
from starlette.requests import Request

from app.core.documents import ServedTally, User
from app.core.settings import Settings
from app.core.timestamps import utcnow
from app.core.tokens import Principal, Role
from schema.analytics.operations import Query
from schema.context import Context

pytestmark = pytest.mark.usefixtures("clean")
SERVING = """query($days: Int) { servingMetrics(days: $days) { day strategy answers cached fallbacks fallbackRate
  latencyMeanMs latencyP95Ms } }"""
CONSENTS = "{ consentStatistics { learners purposes { purpose granted refused undecided grantedByDefault suppressed } } }"


@cache
def schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query)


async def run(query: str, role: Role, **variables: Any) -> Any:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    context = Context(request=request, response=None, settings=Settings(analytics_min_group=3),
                      principal=Principal("someone", frozenset({role})))
    return await schema().execute(query, variable_values=variables, context_value=context)


@pytest.mark.parametrize("query", [SERVING, CONSENTS])
async def test_a_learner_is_forbidden(query: str) -> None:
    result = await run(query, Role.LEARNER)
    assert result.data is None and result.errors[0].extensions["code"] == "FORBIDDEN"


async def test_a_partner_reads_answers_per_day_and_strategy() -> None:
    today = utcnow().date().isoformat()
    await ServedTally(id=f"hybrid|{today}||", day=today, strategy="hybrid", answers=4, cached=1, fallbacks=1,
                      latency_ms_sum=20.0, latency_le10=4).insert()
    result = await run(SERVING, Role.PARTNER, days=1)
    assert result.errors is None
    assert result.data["servingMetrics"] == [{"day": today, "strategy": "hybrid", "answers": 4, "cached": 1,
                                              "fallbacks": 1, "fallbackRate": 0.25, "latencyMeanMs": 5.0,
                                              "latencyP95Ms": 10.0}]
    refused = await run(SERVING, Role.ADMIN, days=0)
    assert refused.errors[0].extensions["code"] == "BAD_USER_INPUT"


async def test_an_admin_reads_consent_counts_with_small_groups_null() -> None:
    await User.get_pymongo_collection().insert_many(
        [{"_id": f"c{n}", "consents": {"analytics": True}} for n in range(4)] + [{"_id": "x", "consents": {}}])
    result = await run(CONSENTS, Role.ADMIN)
    assert result.errors is None
    rows = {row["purpose"]: row for row in result.data["consentStatistics"]["purposes"]}
    assert result.data["consentStatistics"]["learners"] == 5
    assert rows["ANALYTICS"] == {"purpose": "ANALYTICS", "granted": None, "refused": None, "undecided": None,
                                 "grantedByDefault": False, "suppressed": True}
    assert rows["PERSONALIZATION"]["undecided"] == 5 and not rows["PERSONALIZATION"]["suppressed"]
