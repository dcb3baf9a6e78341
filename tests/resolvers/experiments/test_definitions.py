"""resolvers.experiments.definitions: creation checked whole, the life cycle, reading and listing."""

from collections.abc import Iterator

import pytest

from app.core.documents import Experiment, ExperimentMetric, ExperimentStatus, Population, Variant
from app.core.settings import Settings
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.experiments import definitions
from resolvers.experiments.assignment import RUNNING_EXPERIMENTS, RunningExperiments
from resolvers.experiments.definitions import ExperimentDraft

pytestmark = pytest.mark.usefixtures("clean")

STRATEGIES = ["auto", "hybrid", "popular"]


@pytest.fixture(autouse=True)
def fresh_running_copy() -> Iterator[None]:
    yield
    RUNNING_EXPERIMENTS.invalidate()  # the next test's store is emptied: no copy of this one's may serve it


def draft(experiment_id: str = "hybrid-vs-popular", **changes: object) -> ExperimentDraft:
    given: dict[str, object] = {
        "id": experiment_id, "name": "Hybrid against popular",
        "variants": [Variant(name="control", strategy="popular", share=0.5),
                     Variant(name="hybrid", strategy="hybrid", share=0.5, diversity=0.3, first=5)],
        "hypothesis": "Hybrid lifts clicks", "guardrails": [ExperimentMetric.ENROLMENT, ExperimentMetric.ENROLMENT],
        **changes}
    return ExperimentDraft(**given)  # type: ignore[arg-type]


async def test_a_created_experiment_is_a_stored_draft() -> None:
    created = await definitions.create_experiment(draft(), STRATEGIES)
    stored = await Experiment.get("hybrid-vs-popular")
    assert stored is not None and stored.status == ExperimentStatus.DRAFT and stored.started_at is None
    assert [v.name for v in stored.variants] == ["control", "hybrid"] and stored.variants[1].first == 5
    assert stored.guardrails == [ExperimentMetric.ENROLMENT]  # once
    assert created.id == stored.id


@pytest.mark.parametrize(("changes", "field"), [
    ({"experiment_id": "$bad"}, "id"),
    ({"experiment_id": ""}, "id"),
    ({"name": "  "}, "name"),
    ({"variants": [Variant(name="only", strategy="popular", share=1.0)]}, "variants"),
    ({"variants": [Variant(name=f"v{n}", strategy="popular", share=1 / 6) for n in range(6)]}, "variants"),
    ({"variants": [Variant(name="a", strategy="popular", share=0.5), Variant(name="a", strategy="hybrid",
                                                                             share=0.5)]}, "variants.name"),
    ({"variants": [Variant(name="a", strategy="popular", share=0.5), Variant(name="b", strategy="hybrid",
                                                                             share=0.4)]}, "variants.share"),
    ({"variants": [Variant(name="a", strategy="popular", share=1.0), Variant(name="b", strategy="hybrid",
                                                                             share=0.0)]}, "variants.share"),
    ({"variants": [Variant(name="a", strategy="popular", share=0.5), Variant(name="b", strategy="nope",
                                                                             share=0.5)]}, "variants.strategy"),
    ({"variants": [Variant(name="a", strategy="popular", share=0.5, diversity=1.5),
                   Variant(name="b", strategy="hybrid", share=0.5)]}, "variants.diversity"),
    ({"variants": [Variant(name="a", strategy="popular", share=0.5, first=0),
                   Variant(name="b", strategy="hybrid", share=0.5)]}, "variants.first"),
    ({"variants": [Variant(name="a", strategy="popular", share=0.5, first=101),
                   Variant(name="b", strategy="hybrid", share=0.5)]}, "variants.first"),
    ({"population": Population(segment={"language": ""})}, "population.segment"),
    ({"population": Population(segment={"$where": "x"})}, "population.segment"),
])
async def test_a_bad_draft_is_refused_with_the_field_at_fault(changes: dict[str, object], field: str) -> None:
    experiment_id = str(changes.pop("experiment_id", "exp"))
    with pytest.raises(UseCaseError) as raised:
        await definitions.create_experiment(draft(experiment_id, **changes), STRATEGIES)
    assert raised.value.code == ErrorCode.BAD_USER_INPUT
    assert field in [problem.field for problem in raised.value.problems]
    assert await Experiment.count() == 0


async def test_shares_summing_to_one_within_the_tolerance_are_accepted() -> None:
    thirds = [Variant(name=f"v{n}", strategy="popular", share=0.3333333) for n in range(3)]
    await definitions.create_experiment(draft(variants=thirds), STRATEGIES)  # 0.9999999: within 1e-6


async def test_a_taken_id_is_a_conflict() -> None:
    await definitions.create_experiment(draft(), STRATEGIES)
    with pytest.raises(UseCaseError) as raised:
        await definitions.create_experiment(draft(name="Again"), STRATEGIES)
    assert raised.value.code == ErrorCode.CONFLICT


async def test_the_life_cycle_keeps_the_first_start() -> None:
    running = RunningExperiments()
    await definitions.create_experiment(draft(), STRATEGIES)
    started = await definitions.start_experiment("hybrid-vs-popular", STRATEGIES, running)
    assert started.status == ExperimentStatus.RUNNING and started.started_at is not None
    paused = await definitions.pause_experiment("hybrid-vs-popular", running)
    assert paused.status == ExperimentStatus.PAUSED
    again = await definitions.start_experiment("hybrid-vs-popular", STRATEGIES, running)
    assert again.started_at == started.started_at
    stopped = await definitions.stop_experiment("hybrid-vs-popular", running)
    assert stopped.status == ExperimentStatus.STOPPED and stopped.stopped_at is not None
    stored = await Experiment.get("hybrid-vs-popular")
    assert stored is not None and stored.status == ExperimentStatus.STOPPED
    assert stored.started_at == started.started_at and stored.started_at.tzinfo is not None


@pytest.mark.parametrize(("steps", "refused"), [
    ([], "pause"), ([], "stop"), (["start", "stop"], "start"), (["start", "stop"], "pause"),
    (["start", "stop"], "stop"), (["start"], "start"), (["start", "pause"], "pause"),
])
async def test_an_invalid_transition_is_a_conflict(steps: list[str], refused: str) -> None:
    await definitions.create_experiment(draft(), STRATEGIES)
    actions = {"start": lambda: definitions.start_experiment("hybrid-vs-popular", STRATEGIES),
               "pause": lambda: definitions.pause_experiment("hybrid-vs-popular"),
               "stop": lambda: definitions.stop_experiment("hybrid-vs-popular")}
    for step in steps:
        await actions[step]()
    before = await Experiment.get("hybrid-vs-popular")
    with pytest.raises(UseCaseError) as raised:
        await actions[refused]()
    assert raised.value.code == ErrorCode.CONFLICT
    assert await Experiment.get("hybrid-vs-popular") == before


async def test_starting_checks_the_strategies_again() -> None:
    await definitions.create_experiment(draft(), STRATEGIES)
    with pytest.raises(UseCaseError) as raised:
        await definitions.start_experiment("hybrid-vs-popular", ["auto", "popular"])  # hybrid is gone
    assert raised.value.code == ErrorCode.BAD_USER_INPUT
    assert [problem.field for problem in raised.value.problems] == ["variants.strategy"]


async def test_an_unknown_experiment_is_not_found() -> None:
    for action in (definitions.get_experiment("nope"), definitions.pause_experiment("nope"),
                   definitions.start_experiment("nope", STRATEGIES), definitions.get_experiment("$x")):
        with pytest.raises(UseCaseError) as raised:
            await action
        assert raised.value.code == ErrorCode.NOT_FOUND


async def test_a_change_is_seen_at_once_by_serving() -> None:
    running = RunningExperiments(seconds=3_600)
    await definitions.create_experiment(draft(), STRATEGIES)
    assert await running.current() == ()
    await definitions.start_experiment("hybrid-vs-popular", STRATEGIES, running)
    assert [e.id for e in await running.current()] == ["hybrid-vs-popular"]
    await definitions.pause_experiment("hybrid-vs-popular", running)
    assert await running.current() == ()


async def test_the_list_pages_in_id_order_and_filters_by_status() -> None:
    for name in ("e3", "e1", "e2", "e4"):
        await definitions.create_experiment(draft(name), STRATEGIES)
    await definitions.start_experiment("e2", STRATEGIES)
    first = await definitions.experiment_page(None, 3, None)
    assert [e.id for e in first.items] == ["e1", "e2", "e3"] and first.total_count == 4 and first.has_next_page
    rest = await definitions.experiment_page(None, 3, first.cursors[-1])
    assert [e.id for e in rest.items] == ["e4"] and not rest.has_next_page and rest.has_previous_page
    running = await definitions.experiment_page(ExperimentStatus.RUNNING, 10, None)
    assert [e.id for e in running.items] == ["e2"] and running.total_count == 1
    with pytest.raises(UseCaseError):
        await definitions.experiment_page(None, 101, None)
    with pytest.raises(UseCaseError):
        await definitions.experiment_page(None, 10, "not-a-cursor")


def test_configured_strategies_are_auto_and_the_enabled_recommenders() -> None:
    assert definitions.configured_strategies(Settings(recommenders=["hybrid", "popular"])) == [
        "auto", "hybrid", "popular"]
