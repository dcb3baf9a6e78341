"""resolvers.experiments.assignment: sticky hashed variants, independence, shares, eligibility, the running copy."""

import hashlib
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from pymongo.errors import ServerSelectionTimeoutError

from app.core.documents import Experiment, ExperimentStatus, Population, Purpose, User, Variant
from app.core.documents.profiles import Onboarding
from resolvers.experiments.assignment import (
    RunningExperiments,
    assignment_for,
    eligible,
    in_population,
    position,
    variant_for,
)

pytestmark = pytest.mark.usefixtures("database")  # documents are bound to the test store

START = datetime(2026, 6, 1, tzinfo=UTC)
NOW = START + timedelta(days=3)
DEFAULTS = {Purpose.ESSENTIAL}
LEARNERS = [f"learner-{n}" for n in range(10_000)]


def experiment(experiment_id: str = "exp", shares: tuple[float, ...] = (0.5, 0.5),
               population: Population | None = None, started_at: datetime = START) -> Experiment:
    variants = [Variant(name=f"v{n}", strategy="popular", share=share) for n, share in enumerate(shares)]
    return Experiment(id=experiment_id, name=experiment_id, status=ExperimentStatus.RUNNING, variants=variants,
                      population=population or Population(), started_at=started_at, created_at=START)


def consenting(user_id: str = "ana", **changes: object) -> User:
    fields: dict[str, object] = {"id": user_id, "consents": {"personalization": True},
                                 "created_at": START - timedelta(days=30), **changes}
    return User(**fields)


def test_the_position_is_the_documented_hash() -> None:
    digest = hashlib.sha256(b"exp:ana").hexdigest()
    assert position("exp", "ana") == int(digest[:15], 16) / 16 ** 15
    assert 0.0 <= position("exp", "ana") < 1.0


def test_a_learner_keeps_their_variant() -> None:
    first = [variant_for(experiment(), learner).name for learner in LEARNERS[:500]]
    again = [variant_for(experiment(), learner).name for learner in LEARNERS[:500]]
    assert first == again
    assert len(set(first)) == 2


def test_shares_are_respected_within_tolerance() -> None:
    counts = Counter(variant_for(experiment(shares=(0.2, 0.3, 0.5)), learner).name for learner in LEARNERS)
    for name, share in (("v0", 0.2), ("v1", 0.3), ("v2", 0.5)):
        # 4 standard deviations of a binomial share over 10,000 learners: at most 0.02
        assert abs(counts[name] / len(LEARNERS) - share) < 4 * (share * (1 - share) / len(LEARNERS)) ** 0.5


def test_assignments_of_two_experiments_are_independent() -> None:
    one = np.array([variant_for(experiment("one"), learner).name == "v1" for learner in LEARNERS], dtype=float)
    two = np.array([variant_for(experiment("two"), learner).name == "v1" for learner in LEARNERS], dtype=float)
    correlation = float(np.corrcoef(one, two)[0, 1])
    assert abs(correlation) < 0.04  # 4 / sqrt(10,000): uncorrelated
    both = Counter(zip(one, two, strict=True))
    assert all(abs(count / len(LEARNERS) - 0.25) < 0.02 for count in both.values()) and len(both) == 4


def test_positions_are_uniform() -> None:
    places = np.array([position("exp", learner) for learner in LEARNERS])
    histogram, _ = np.histogram(places, bins=10, range=(0.0, 1.0))
    assert histogram.min() > 900 and histogram.max() < 1100


def test_shares_a_rounding_error_short_of_one_still_assign_everyone() -> None:
    short = experiment(shares=(0.3333333, 0.3333333, 0.3333333))
    assert {variant_for(short, learner).name for learner in LEARNERS[:3000]} == {"v0", "v1", "v2"}


def test_learners_without_personalization_are_never_eligible() -> None:
    running = experiment()
    assert eligible(running, consenting(), DEFAULTS, NOW, 30.0)
    assert not eligible(running, consenting(consents={}), DEFAULTS, NOW, 30.0)
    assert not eligible(running, consenting(consents={"personalization": False}), DEFAULTS | {Purpose.PERSONALIZATION},
                        NOW, 30.0)
    assert not eligible(running, consenting(personalization_enabled=False), DEFAULTS, NOW, 30.0)
    assert eligible(running, consenting(consents={}), DEFAULTS | {Purpose.PERSONALIZATION}, NOW, 30.0)  # by default
    assert not eligible(running, None, DEFAULTS | {Purpose.PERSONALIZATION}, NOW, 30.0)


def test_consent_exclusion_holds_over_many_learners() -> None:
    learners = [consenting(learner, consents={"personalization": n % 2 == 0}) for n, learner in
                enumerate(LEARNERS[:1000])]
    assigned = [user.id for user in learners if assignment_for([experiment()], user, DEFAULTS, NOW, 30.0)]
    assert len(assigned) == 500 and all(int(user_id.split("-")[1]) % 2 == 0 for user_id in assigned)


def test_new_and_returning_learners() -> None:
    new, returning = consenting(created_at=START + timedelta(days=1)), consenting()
    for wanted, user, expected in ((True, new, True), (True, returning, False), (False, new, False),
                                   (False, returning, True), (None, new, True), (None, returning, True)):
        assert in_population(Population(new_learners=wanted), user, START, {}) is expected


def test_the_segment_must_be_among_the_learners() -> None:
    english = consenting(languages=["EN"], onboarding=Onboarding(self_assessed_level="Beginner"))
    assert eligible(experiment(population=Population(segment={"language": "En"})), english, DEFAULTS, NOW, 30.0)
    assert eligible(experiment(population=Population(segment={"language": "en", "level": "beginner"})), english,
                    DEFAULTS, NOW, 30.0)
    assert not eligible(experiment(population=Population(segment={"language": "fr"})), english, DEFAULTS, NOW, 30.0)
    assert not eligible(experiment(population=Population(segment={"role": "analyst"})), english, DEFAULTS, NOW, 30.0)


def test_the_first_running_experiment_the_learner_is_eligible_for_applies() -> None:
    french_only = experiment("a-french", population=Population(segment={"language": "fr"}))
    everyone = experiment("b-everyone")
    found = assignment_for([french_only, everyone], consenting(languages=["en"]), DEFAULTS, NOW, 30.0)
    assert found is not None and found.experiment_id == "b-everyone"
    assert assignment_for([], consenting(), DEFAULTS, NOW, 30.0) is None


@pytest.mark.usefixtures("clean")
async def test_the_running_copy_is_read_at_most_every_few_seconds_in_start_order() -> None:
    clock = [100.0]
    running = RunningExperiments(seconds=5.0, clock=lambda: clock[0])
    await experiment("later", started_at=START + timedelta(hours=1)).insert()
    await experiment("earlier").insert()
    await Experiment(id="draft", name="d", variants=experiment().variants).insert()
    assert [e.id for e in await running.current()] == ["earlier", "later"]
    await experiment("newest", started_at=START + timedelta(days=1)).insert()
    clock[0] += 4.9
    assert [e.id for e in await running.current()] == ["earlier", "later"]  # not read again yet
    clock[0] += 0.2
    assert [e.id for e in await running.current()] == ["earlier", "later", "newest"]
    await Experiment.find_all().delete()
    running.invalidate()
    assert await running.current() == ()


@pytest.mark.usefixtures("clean")
async def test_the_last_copy_is_used_while_the_store_cannot_be_read(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [0.0]
    running = RunningExperiments(seconds=5.0, clock=lambda: clock[0])
    await experiment("known").insert()
    assert [e.id for e in await running.current()] == ["known"]

    def unreachable(*args: object, **kwargs: object) -> None:
        raise ServerSelectionTimeoutError("the store is away")

    monkeypatch.setattr(Experiment, "find", unreachable)
    clock[0] += 10
    assert [e.id for e in await running.current()] == ["known"]
