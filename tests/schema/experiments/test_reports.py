"""`experimentReport` through GraphQL: partners and admins read it, a learner is FORBIDDEN, an unknown id is
NOT_FOUND, an unknown bound is null."""

from datetime import timedelta
from functools import cache
from typing import Any

import pytest
import strawberry
from starlette.requests import Request

from app.core.documents import Event, Experiment, ExperimentStatus, Variant
from app.core.settings import Settings
from app.core.timestamps import utcnow
from app.core.tokens import Principal, Role
from schema.context import Context
from schema.experiments.reports import Query

pytestmark = pytest.mark.usefixtures("clean")

QUERY = """query($id: ID!) { experimentReport(id: $id) {
  id name status primaryMetric metrics generatedAt excludedLearners mixedLearners
  variants { name strategy share control learners impressions clicks clickThroughRate
             metrics { metric learners rate comparison { lift liftLow liftHigh differenceLow pValue significant } } }
  sampleRatio { observed expectedShares pValue mismatch }
  daily { day variant learners controlLearners comparison { lift liftLow liftHigh } } } }"""


@cache
def schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query)  # the field on its own: schema/schema.py merges it with the rest


def context(*roles: Role) -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Context(request=request, response=None, settings=Settings(default_consents=["analytics"], analytics_min_group=1),
                   principal=Principal("someone", frozenset(roles)))


async def run(experiment_id: str, *roles: Role) -> Any:
    return await schema().execute(QUERY, variable_values={"id": experiment_id}, context_value=context(*roles))


async def seed() -> None:
    started = utcnow() - timedelta(days=1)
    await Experiment(id="exp", name="Hybrid against popular", status=ExperimentStatus.RUNNING,
                     variants=[Variant(name="control", strategy="popular", share=0.5),
                               Variant(name="hybrid", strategy="hybrid", share=0.5)],
                     started_at=started).insert()
    events = []
    for n, (user, variant, clicks) in enumerate([("a", "control", 1), ("b", "hybrid", 2)]):
        for k, kind in enumerate(["recommendation_impression"] * 4 + ["recommendation_click"] * clicks):
            events.append(Event(id=Event.key(user, f"e{k}"), user_id=user, event_id=f"e{k}", type=kind,
                                course_id="c1", server_timestamp=started + timedelta(hours=n),
                                properties={"experiment": "exp", "variant": variant}).model_dump(by_alias=True))
    await Event.get_pymongo_collection().insert_many(events)


async def test_a_partner_reads_the_report() -> None:
    await seed()
    result = await run("exp", Role.PARTNER)
    assert result.errors is None, result.errors
    report = result.data["experimentReport"]
    assert (report["id"], report["status"], report["primaryMetric"]) == ("exp", "RUNNING", "CLICK_THROUGH")
    assert [(v["name"], v["control"], v["learners"], v["impressions"], v["clicks"]) for v in report["variants"]] == [
        ("control", True, 1, 4, 1), ("hybrid", False, 1, 4, 2)]
    assert report["variants"][0]["metrics"][0]["comparison"] is None
    treatment = report["variants"][1]["metrics"][0]["comparison"]
    assert treatment["lift"] == pytest.approx(1.0)
    assert (treatment["liftLow"], treatment["liftHigh"], treatment["differenceLow"]) == (None, None, None)
    assert report["sampleRatio"] == {"observed": [1, 1], "expectedShares": [0.5, 0.5], "pValue": 1.0,
                                     "mismatch": False}
    assert {point["variant"] for point in report["daily"]} == {"hybrid"}


async def test_an_admin_reads_the_report() -> None:
    await seed()
    result = await run("exp", Role.ADMIN)
    assert result.errors is None, result.errors


async def test_a_learner_is_forbidden() -> None:
    await seed()
    result = await run("exp", Role.LEARNER)
    assert result.data is None
    assert [error.extensions["code"] for error in result.errors] == ["FORBIDDEN"]


async def test_an_unknown_experiment_is_not_found() -> None:
    result = await run("nope", Role.PARTNER)
    assert result.data is None
    assert [error.extensions["code"] for error in result.errors] == ["NOT_FOUND"]
