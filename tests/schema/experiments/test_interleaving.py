"""An INTERLEAVING experiment through the built schema: created with its kind, served as one list merged from both
rankers with each item's variant, and counted by the servers' tallies."""

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.core.documents import ServedCourse, ServedTally, User
from app.core.settings import Settings
from app.core.tokens import Principal, Role
from resolvers.courses.courses import upsert_courses
from resolvers.recommendations.service import RecommendationService
from resolvers.recommendations.training import train_recommenders
from tests.schema.experiments.test_schema import CREATE, INPUT, change, context, fresh_running_copy, run, schema

pytestmark = pytest.mark.usefixtures("clean")
__all__ = ["fresh_running_copy"]
INTERLEAVED = {**INPUT, "kind": "INTERLEAVING", "population": None,
               "variants": [{"name": "a", "strategy": "popular", "share": 0.5},
                            {"name": "b", "strategy": "popular", "share": 0.5, "first": 3}]}


async def test_an_interleaving_experiment_needs_exactly_two_variants_and_ignores_shares() -> None:
    three = {**INTERLEAVED, "variants": [*INTERLEAVED["variants"], {"name": "c", "strategy": "popular", "share": 1}]}
    refused = (await run(CREATE, Role.PARTNER, input=three)).data["createExperiment"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("BAD_USER_INPUT", "variants")]
    uneven = {**INTERLEAVED, "variants": [{**v, "share": 0.9} for v in INTERLEAVED["variants"]]}
    created = await run(CREATE.replace("experiment { id", "experiment { kind id"), Role.PARTNER, input=uneven)
    assert created.errors is None and created.data["createExperiment"]["errors"] == []
    assert created.data["createExperiment"]["experiment"]["kind"] == "INTERLEAVING"


async def test_every_eligible_learner_gets_both_rankers_merged_and_each_item_names_its_ranker(
        tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    await upsert_courses([{"id": f"il{n}", "title": f"Course {n}"} for n in range(12)], 100)
    await User(id="in", consents={"personalization": True}).insert()
    await train_recommenders(settings, ["popular"])
    service = RecommendationService(settings)
    await service.start(poll=False)
    await run(CREATE, Role.PARTNER, input=INTERLEAVED)
    await change("start")
    query = '{ recommendations(first: 6) { strategy experiment variant items { course { id } variant } } }'
    try:
        lists = [await _ask(query, service) for _ in range(2)]
        await service.tallies.flush()
    finally:
        await service.stop()
    answer = lists[0]
    assert (answer["strategy"], answer["experiment"], answer["variant"]) == ("interleaved", "hybrid-vs-popular",
                                                                            "interleaved")
    teams = Counter(item["variant"] for item in answer["items"])
    assert len(answer["items"]) == 6 and set(teams) == {"a", "b"} and abs(teams["a"] - teams["b"]) <= 1
    assert len({item["course"]["id"] for item in answer["items"]}) == 6
    tally = await ServedTally.find({"experiment": "hybrid-vs-popular"}).to_list()
    assert [(t.strategy, t.variant, t.answers, t.cached) for t in tally] == [("interleaved", "interleaved", 2, 1)]
    courses = await ServedCourse.find({"course_id": {"$in": [f"il{n}" for n in range(12)]}}).to_list()
    assert {row.strategy for row in courses} == {"popular"} and sum(row.answers for row in courses) == 12


async def _ask(query: str, service: RecommendationService) -> Any:
    result = await schema().execute(query, context_value=replace(
        context(Role.LEARNER), principal=Principal("in", frozenset({Role.LEARNER})), recommendations=service))
    assert result.errors is None, result.errors
    return result.data["recommendations"]
