"""Experiments in resolvers.recommendations.recommend: an `auto` question of an eligible learner is answered by their
variant and names it; others get the normal answer; a cached variant answer never outlives a pause or stop."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from app.core.documents import Enrollment, Experiment, User, Variant
from app.core.timestamps import utcnow
from resolvers.experiments import definitions
from resolvers.experiments.assignment import RUNNING_EXPERIMENTS, RunningExperiments, variant_for
from resolvers.recommendations.recommend import Ask, LearnerRecords, RecommendationList, cached_recommendations
from resolvers.recommendations.service import RecommendationService
from resolvers.recommendations.training import train_recommenders
from tests.resolvers.recommendations.test_recommend import DEFAULTS, seed, settings_in, started

pytestmark = pytest.mark.usefixtures("clean")

STRATEGIES = ["auto", "hybrid", "content", "cf", "sequence", "popular"]
DRAFT = definitions.ExperimentDraft(id="exp", name="Shorter lists", variants=[
    Variant(name="control", strategy="popular", share=0.5),
    Variant(name="short", strategy="popular", share=0.5, first=2, diversity=0.0)])


@pytest.fixture(autouse=True)
def fresh_running_copy() -> Iterator[None]:
    yield
    RUNNING_EXPERIMENTS.invalidate()  # the next test's store is emptied: no copy of this one's may serve it


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[RecommendationService]:
    await seed()
    settings = settings_in(tmp_path, recommendation_budget_ms=10_000)
    await train_recommenders(settings, ["popular"])  # `auto` is hybrid, composed of popular alone
    found = await started(settings)
    yield found
    await found.stop()


def learner_in(variant: str) -> str:
    """A learner id the experiment puts in `variant`."""
    experiment = Experiment(id=DRAFT.id, name=DRAFT.name, variants=list(DRAFT.variants))
    return next(f"x{n}" for n in range(1000) if variant_for(experiment, f"x{n}").name == variant)


async def asked(service: RecommendationService, user_id: str, running: RunningExperiments, reads: list[str],
                ask: Ask = Ask(first=3)) -> RecommendationList:
    async def records() -> LearnerRecords:
        reads.append(user_id)
        return LearnerRecords(await User.get(user_id), await Enrollment.find({"user_id": user_id}).to_list(), [])

    return await cached_recommendations(service, user_id, ask, records, utcnow(), 30.0, DEFAULTS, running)


async def test_auto_serves_the_learners_variant_and_names_it(service: RecommendationService) -> None:
    running = RunningExperiments(seconds=3_600)
    await definitions.create_experiment(DRAFT, STRATEGIES)
    await definitions.start_experiment("exp", STRATEGIES, running)
    short, control = learner_in("short"), learner_in("control")
    for user_id in (short, control):
        await User(id=user_id, interests=["Python"]).insert()
    found = await asked(service, short, running, [])
    assert (found.experiment, found.variant) == ("exp", "short")
    assert len(found.items) == 2 and found.strategy == "popular" and not found.fallback  # the variant's first
    other = await asked(service, control, running, [])
    assert (other.experiment, other.variant) == ("exp", "control") and len(other.items) == 3


async def test_ineligible_learners_and_named_strategies_get_the_normal_answer(service: RecommendationService) -> None:
    running = RunningExperiments(seconds=3_600)
    await definitions.create_experiment(DRAFT, STRATEGIES)
    await definitions.start_experiment("exp", STRATEGIES, running)
    refused, switched_off = learner_in("short"), learner_in("short") + "-off"
    await User(id=refused, consents={"personalization": False}).insert()
    await User(id=switched_off, personalization_enabled=False).insert()
    for user_id in (refused, switched_off, "no-document"):
        found = await asked(service, user_id, running, [])
        assert found.experiment is None and found.variant is None and len(found.items) == 3
    await User(id="eligible", interests=["Python"]).insert()
    named = await asked(service, "eligible", running, [], Ask(strategy="popular", first=3))
    assert named.experiment is None and len(named.items) == 3


async def test_a_cached_variant_answer_does_not_outlive_a_pause_or_stop(service: RecommendationService) -> None:
    running, reads = RunningExperiments(seconds=3_600), list[str]()
    short = learner_in("short")
    await User(id=short, interests=["Python"]).insert()
    await definitions.create_experiment(DRAFT, STRATEGIES)
    await definitions.start_experiment("exp", STRATEGIES, running)
    first = await asked(service, short, running, reads)
    again = await asked(service, short, running, reads)
    assert again.variant == "short" and again.items == first.items and again.request_id != first.request_id
    assert len(service.cache) == 1  # served from the cache the second time
    await definitions.pause_experiment("exp", running)
    paused = await asked(service, short, running, reads)
    assert paused.experiment is None and len(paused.items) == 3
    await definitions.start_experiment("exp", STRATEGIES, running)
    resumed = await asked(service, short, running, reads)
    assert resumed.variant == "short" and len(resumed.items) == 2
    await definitions.stop_experiment("exp", running)
    stopped = await asked(service, short, running, reads)
    assert stopped.experiment is None and len(stopped.items) == 3


async def test_a_variant_whose_strategy_is_no_longer_served_is_not_applied(service: RecommendationService) -> None:
    running = RunningExperiments(seconds=3_600)
    gone = definitions.ExperimentDraft(id="gone", name="Gone", variants=[
        Variant(name="a", strategy="retired", share=0.5), Variant(name="b", strategy="retired", share=0.5)])
    await definitions.create_experiment(gone, [*STRATEGIES, "retired"])
    await definitions.start_experiment("gone", [*STRATEGIES, "retired"], running)  # served elsewhere
    await User(id="anyone", interests=["Python"]).insert()
    found = await asked(service, "anyone", running, [])
    assert found.experiment is None and len(found.items) == 3
