"""schema.experiments through the built schema: partners and admins only; the life cycle; refusals as payload
errors; the list and one experiment."""

from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from app.core.documents import User
from app.core.settings import Settings
from app.core.tokens import Principal, Role
from resolvers.courses.courses import upsert_courses
from resolvers.experiments.assignment import RUNNING_EXPERIMENTS
from resolvers.recommendations.service import RecommendationService
from resolvers.recommendations.training import train_recommenders
from schema.context import Context
from schema.schema import build_schema

pytestmark = pytest.mark.usefixtures("clean")

SETTINGS = Settings(recommenders=["hybrid", "content", "cf", "sequence", "popular"])
CREATE = """mutation($input: CreateExperimentInput!) { createExperiment(input: $input) {
  experiment { id status variants { id name strategy share diversity first } population { newLearners
  segment { name value } } primaryMetric guardrails startedAt } errors { code field index message } } }"""
INPUT = {"id": "hybrid-vs-popular", "name": "Hybrid against popular", "hypothesis": "More clicks",
         "variants": [{"name": "control", "strategy": "popular", "share": 0.5},
                      {"name": "hybrid", "strategy": "hybrid", "share": 0.5, "diversity": 0.2, "first": 5}],
         "population": {"newLearners": False, "segment": [{"name": "language", "value": "en"}]},
         "primaryMetric": "CLICK_THROUGH", "guardrails": ["ENROLMENT"]}


@pytest.fixture(autouse=True)
def fresh_running_copy() -> Iterator[None]:
    yield
    RUNNING_EXPERIMENTS.invalidate()


@cache
def schema() -> Any:
    return build_schema(SETTINGS)


def context(*roles: Role) -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Context(request=request, response=None, settings=SETTINGS,
                   principal=Principal("someone", frozenset(roles or {Role.LEARNER})))


async def run(document: str, *roles: Role, **variables: Any) -> Any:
    return await schema().execute(document, variable_values=variables, context_value=context(*roles))


async def change(verb: str, experiment_id: str = "hybrid-vs-popular", *roles: Role) -> dict[str, Any]:
    result = await run(f'mutation {{ {verb}Experiment(id: "{experiment_id}") {{ experiment {{ id status startedAt '
                       f'stoppedAt }} errors {{ code field message }} }} }}', *(roles or (Role.PARTNER,)))
    assert result.errors is None, result.errors
    payload: dict[str, Any] = result.data[f"{verb}Experiment"]
    return payload


@pytest.mark.parametrize("document", [
    'query { experiments { totalCount } }',
    'query { experiment(id: "x") { id } }',
    'mutation { startExperiment(id: "x") { errors { code } } }',
    'mutation { pauseExperiment(id: "x") { errors { code } } }',
    'mutation { stopExperiment(id: "x") { errors { code } } }',
])
async def test_a_learner_is_forbidden(document: str) -> None:
    result = await run(document, Role.LEARNER)
    assert result.errors is not None and result.errors[0].extensions["code"] == "FORBIDDEN"


async def test_a_learner_may_not_create_one() -> None:
    result = await run(CREATE, Role.LEARNER, input=INPUT)
    assert result.errors is not None and result.errors[0].extensions["code"] == "FORBIDDEN"


async def test_a_partner_creates_starts_pauses_and_stops_an_experiment() -> None:
    created = await run(CREATE, Role.PARTNER, input=INPUT)
    assert created.errors is None, created.errors
    payload = created.data["createExperiment"]
    assert payload["errors"] == []
    experiment = payload["experiment"]
    assert experiment["status"] == "DRAFT" and experiment["startedAt"] is None
    assert experiment["variants"][1] == {"id": "hybrid-vs-popular:hybrid", "name": "hybrid", "strategy": "hybrid",
                                         "share": 0.5, "diversity": 0.2, "first": 5}
    assert experiment["population"] == {"newLearners": False, "segment": [{"name": "language", "value": "en"}]}
    assert experiment["guardrails"] == ["ENROLMENT"]
    started = await change("start")
    assert started["errors"] == [] and started["experiment"]["status"] == "RUNNING"
    assert (await change("pause", "hybrid-vs-popular", Role.ADMIN))["experiment"]["status"] == "PAUSED"
    assert (await change("start"))["experiment"]["startedAt"] == started["experiment"]["startedAt"]
    stopped = await change("stop")
    assert stopped["experiment"]["status"] == "STOPPED" and stopped["experiment"]["stoppedAt"] is not None


async def test_an_invalid_transition_is_a_conflict_in_the_payload() -> None:
    await run(CREATE, Role.PARTNER, input=INPUT)
    paused = await change("pause")
    assert paused["experiment"] is None and [e["code"] for e in paused["errors"]] == ["CONFLICT"]
    await change("start")
    await change("stop")
    again = await change("start")
    assert again["experiment"] is None and again["errors"][0]["code"] == "CONFLICT"
    assert "STOPPED" in again["errors"][0]["message"]
    missing = await change("stop", "nope")
    assert missing["errors"][0]["code"] == "NOT_FOUND"


async def test_a_bad_experiment_comes_back_with_every_problem_by_field() -> None:
    bad = {**INPUT, "id": "$x", "variants": [{"name": "a", "strategy": "nope", "share": 0.5},
                                             {"name": "a", "strategy": "popular", "share": 0.7, "first": 0}]}
    result = await run(CREATE, Role.PARTNER, input=bad)
    assert result.errors is None
    payload = result.data["createExperiment"]
    assert payload["experiment"] is None
    fields = {(e["code"], e["field"], e["index"]) for e in payload["errors"]}
    assert {("BAD_USER_INPUT", "id", None), ("BAD_USER_INPUT", "variants.strategy", 0),
            ("BAD_USER_INPUT", "variants.name", 1), ("BAD_USER_INPUT", "variants.first", 1)} <= fields
    taken = await run(CREATE, Role.PARTNER, input=INPUT)
    assert taken.data["createExperiment"]["errors"] == []
    again = await run(CREATE, Role.PARTNER, input=INPUT)
    assert [e["code"] for e in again.data["createExperiment"]["errors"]] == ["CONFLICT"]


async def test_experiments_are_listed_and_read_by_id() -> None:
    for experiment_id in ("b", "a", "c"):
        await run(CREATE, Role.PARTNER, input={**INPUT, "id": experiment_id})
    await change("start", "b")
    page = await run('query { experiments(first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage '
                     'endCursor } } }', Role.PARTNER)
    assert page.errors is None
    listed = page.data["experiments"]
    assert [e["node"]["id"] for e in listed["edges"]] == ["a", "b"] and listed["totalCount"] == 3
    assert listed["pageInfo"]["hasNextPage"] is True
    rest = await run('query($after: String) { experiments(first: 2, after: $after) { edges { node { id } } } }',
                     Role.PARTNER, after=listed["pageInfo"]["endCursor"])
    assert [e["node"]["id"] for e in rest.data["experiments"]["edges"]] == ["c"]
    running = await run('query { experiments(status: RUNNING) { edges { node { id status } } } }', Role.ADMIN)
    assert running.data["experiments"]["edges"] == [{"node": {"id": "b", "status": "RUNNING"}}]
    one = await run('query { experiment(id: "c") { id name } }', Role.PARTNER)
    assert one.data["experiment"] == {"id": "c", "name": "Hybrid against popular"}
    missing = await run('query { experiment(id: "zzz") { id } }', Role.PARTNER)
    assert missing.errors is not None and missing.errors[0].extensions["code"] == "NOT_FOUND"
    too_many = await run('query { experiments(first: 101) { totalCount } }', Role.PARTNER)
    assert too_many.errors is not None and too_many.errors[0].extensions["code"] == "BAD_USER_INPUT"


async def test_recommendations_name_the_learners_experiment_and_variant(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    await upsert_courses([{"id": f"c{n}", "title": f"Course {n}"} for n in range(5)], 100)
    await User(id="in", consents={"personalization": True}).insert()
    await User(id="out").insert()  # personalization not granted: never assigned
    await train_recommenders(settings, ["popular"])
    service = RecommendationService(settings)
    await service.start(poll=False)
    both = {**INPUT, "population": None, "variants": [{"name": "a", "strategy": "popular", "share": 0.5},
                                                      {"name": "b", "strategy": "popular", "share": 0.5}]}
    await run(CREATE, Role.PARTNER, input=both)
    await change("start")
    query = '{ recommendations(first: 3) { strategy experiment variant } }'
    try:
        answers = {}
        for learner in ("in", "out"):
            result = await schema().execute(query, context_value=replace(
                context(Role.LEARNER), principal=Principal(learner, frozenset({Role.LEARNER})), recommendations=service))
            assert result.errors is None, result.errors
            answers[learner] = result.data["recommendations"]
    finally:
        await service.stop()
    assert answers["in"]["experiment"] == "hybrid-vs-popular" and answers["in"]["variant"] in ("a", "b")
    assert answers["out"]["experiment"] is None and answers["out"]["variant"] is None
