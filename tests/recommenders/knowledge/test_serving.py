"""MasteryTracker: answers move mastery, decay relaxes it toward the prior, skill ids map to model numbers."""

import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recommenders.knowledge import LogisticKnowledge
from recommenders.knowledge.sequences import LearnerSequence
from recommenders.knowledge.serving import (
    Answer,
    DifficultyFeedback,
    Estimate,
    LearnerKnowledge,
    MasteryTracker,
    RecencyBeta,
    feedback_estimate,
    load_tracker,
    save_artifact,
)
from recommenders.knowledge.states import LearnerState

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def able_learners(count: int, seed: int = 3) -> list[LearnerSequence]:
    """Learners of varied ability on skills 1-4 who get better with each right answer on a skill."""
    chance = random.Random(seed)
    sequences = []
    for _ in range(count):
        ability, wins = chance.gauss(0, 1.5), {1: 0, 2: 0, 3: 0, 4: 0}
        skills = [chance.randint(1, 4) for _ in range(chance.randint(10, 30))]
        correct = []
        for skill in skills:
            correct.append(int(chance.random() < 1 / (1 + math.exp(1 - ability - 0.6 * wins[skill]))))
            wins[skill] += correct[-1]
        sequences.append(LearnerSequence(tuple(skills), tuple(correct)))
    return sequences


@pytest.fixture(scope="module")
def fitted() -> LogisticKnowledge:
    return LogisticKnowledge().fit(able_learners(400))


def run(tracker: MasteryTracker, learner: LearnerKnowledge, skill: str, outcomes: list[bool]) -> list[float]:
    return [tracker.apply(learner, Answer(skill, correct, NOW)).probability for correct in outcomes]


@pytest.mark.parametrize("trained", [False, True])
def test_right_answers_raise_mastery_and_wrong_ones_lower_it(trained: bool, fitted: LogisticKnowledge) -> None:
    tracker = MasteryTracker(fitted if trained else None, {"1": 1, "2": 2, "3": 3})
    learner = LearnerKnowledge()
    start = tracker.estimate(learner, "1").probability
    rising = run(tracker, learner, "1", [True] * 5)
    falling = run(tracker, learner, "1", [False] * 5)
    assert start < rising[0] and rising[-1] > rising[0]
    assert falling[-1] < falling[0] < rising[-1]
    assert tracker.estimate(learner, "1").confidence > 0.5


def test_an_answer_with_hints_or_retries_counts_as_wrong() -> None:
    tracker = MasteryTracker()
    helped, retried, plain = LearnerKnowledge(), LearnerKnowledge(), LearnerKnowledge()
    tracker.apply(helped, Answer("x", True, NOW, hints=1))
    tracker.apply(retried, Answer("x", True, NOW, attempts=2))
    tracker.apply(plain, Answer("x", True, NOW))
    assert tracker.estimate(helped, "x") == tracker.estimate(retried, "x")
    assert tracker.estimate(helped, "x").probability < 0.5 < tracker.estimate(plain, "x").probability


def test_an_unpractised_skill_is_the_prior_with_no_confidence(fitted: LogisticKnowledge) -> None:
    tracker = MasteryTracker(fitted, {"1": 1})
    assert tracker.estimate(LearnerKnowledge(), "1") == Estimate(tracker.prior("1"), 0.0)
    assert MasteryTracker().prior("anything") == 0.5


def test_a_skill_unknown_to_the_model_gets_the_learner_wide_features(fitted: LogisticKnowledge) -> None:
    tracker = MasteryTracker(fitted, {"1": 1})
    strong, weak = LearnerKnowledge(), LearnerKnowledge()
    run(tracker, strong, "1", [True] * 6)
    run(tracker, weak, "1", [False] * 6)
    tracker.apply(strong, Answer("new skill", True, NOW))
    tracker.apply(weak, Answer("new skill", True, NOW))
    assert strong.numbers["new skill"] < 0
    assert tracker.estimate(strong, "new skill").probability > tracker.estimate(weak, "new skill").probability


def test_decay_moves_toward_the_prior_by_half_each_half_life() -> None:
    tracker = MasteryTracker(half_life_days=90)
    held = Estimate(0.9, 0.8)
    assert tracker.decayed(held, 0.5, NOW, NOW) == held
    later = tracker.decayed(held, 0.5, NOW, NOW + timedelta(days=90))
    assert later.probability == pytest.approx(0.7) and later.confidence == pytest.approx(0.4)
    much_later = tracker.decayed(held, 0.5, NOW, NOW + timedelta(days=900))
    assert 0.5 < much_later.probability < later.probability
    assert tracker.decayed(Estimate(0.2, 0.5), 0.5, NOW, NOW + timedelta(days=90)).probability == pytest.approx(0.35)


def test_stored_states_are_renumbered_for_a_new_vocabulary(fitted: LogisticKnowledge) -> None:
    old = MasteryTracker(None, {})
    learner = LearnerKnowledge()
    run(old, learner, "Fractions", [True, True, False])
    run(old, learner, "2", [True])
    stored = (learner.state.to_dict(), dict(learner.numbers))
    new = MasteryTracker(fitted, {"2": 2})
    moved = new.learner(*stored)
    assert moved.numbers == {"fractions": -1, "2": 2}
    assert (moved.state.successes, moved.state.failures, moved.state.last_skill) == ({-1: 2, 2: 1}, {-1: 1}, 2)


def test_recency_beta_weights_recent_answers_more() -> None:
    model = RecencyBeta()
    improving, slipping = LearnerState(), LearnerState()
    for outcome in [0] * 5 + [1] * 5:
        improving.record(7, outcome)
    for outcome in [1] * 5 + [0] * 5:
        slipping.record(7, outcome)
    assert model.predict(improving, 7) > 0.5 > model.predict(slipping, 7)
    assert model.predict(LearnerState(), 7) == 0.5


def test_feedback_steps_mastery() -> None:
    held = Estimate(0.5, 0.0)
    assert feedback_estimate(held, DifficultyFeedback.ALREADY_KNOW) == Estimate(0.9, 0.3)
    assert feedback_estimate(Estimate(0.95, 0.6), DifficultyFeedback.ALREADY_KNOW) == Estimate(0.95, 0.6)
    assert 0.5 < feedback_estimate(held, DifficultyFeedback.TOO_EASY).probability < 0.9
    assert feedback_estimate(held, DifficultyFeedback.TOO_HARD).probability < 0.5


def test_an_artifact_round_trips(fitted: LogisticKnowledge, tmp_path: Path) -> None:
    save_artifact(tmp_path, fitted, {"1": 1, "Two": 2})
    tracker = load_tracker(tmp_path, 30)
    assert tracker.trained and tracker.half_life_days == 30
    assert tracker.vocabulary == {"1": 1, "two": 2}
    assert tracker.prior("two") == pytest.approx(MasteryTracker(fitted, {"2": 2}).prior("2"))
    (tmp_path / "vocabulary.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match="not a skill vocabulary"):
        load_tracker(tmp_path, 30)
