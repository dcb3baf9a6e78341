"""Bayesian knowledge tracing with forgetting: per skill, P(mastered) starts at `prior`, is updated by Bayes'
rule after each answer (`guess`: right without mastery, `slip`: wrong despite it), then moves by `learn`
(unmastered -> mastered) and `forget` (mastered -> unmastered). Parameters are grid-fitted per skill by
log-likelihood, all grid points at once with numpy."""

import itertools
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from recommenders.knowledge.models import KnowledgeModel
from recommenders.knowledge.sequences import LearnerSequence
from recommenders.knowledge.states import LearnerState

PARAMETERS = ("prior", "learn", "guess", "slip", "forget")
DEFAULTS = (0.5, 0.1, 0.2, 0.1, 0.0)  # for skills never seen in training
GRID = (
    (0.05, 0.2, 0.4, 0.6, 0.8, 0.95),
    (0.01, 0.05, 0.1, 0.2, 0.35),
    (0.05, 0.15, 0.25, 0.35),
    (0.05, 0.1, 0.2, 0.3),
    (0.0, 0.03, 0.1),
)
EPSILON = 1e-6

Array = npt.NDArray[np.float64]


class BktModel(KnowledgeModel):
    """Per-skill BKT (with forgetting); `params[skill]` is (prior, learn, guess, slip, forget)."""

    kind = "bkt"

    def __init__(self) -> None:
        self.params: dict[int, tuple[float, ...]] = {}

    def fit(self, sequences: Sequence[LearnerSequence]) -> Self:
        grid = np.array(list(itertools.product(*GRID)), dtype=np.float64).T  # (5, points)
        for skill, runs in _runs_by_skill(sequences).items():
            scores = _log_likelihoods(grid, runs)
            self.params[skill] = tuple(float(v) for v in grid[:, int(np.argmax(scores))])
        return self

    def predict(self, state: LearnerState, skill: int) -> float:
        prior, _, guess, slip, _ = self.params.get(skill, DEFAULTS)
        known = state.beliefs.get(skill, prior)
        return known * (1 - slip) + (1 - known) * guess

    def update(self, state: LearnerState, skill: int, correct: bool | int, hints: int = 0,
               attempts: int = 1) -> LearnerState:
        prior, learn, guess, slip, forget = self.params.get(skill, DEFAULTS)
        super().update(state, skill, correct, hints, attempts)
        outcome = state.recent[skill][-1]
        known = np.array([state.beliefs.get(skill, prior)])
        state.beliefs[skill] = float(_step(known, np.array([float(outcome)]), (learn, guess, slip, forget))[0])
        return state

    def mastery(self, state: LearnerState, skill: int) -> tuple[float, float]:
        """(P(skill mastered), confidence): BKT's belief itself, not the chance of a correct answer."""
        _, confidence = super().mastery(state, skill)
        return state.beliefs.get(skill, self.params.get(skill, DEFAULTS)[0]), confidence

    def to_dict(self) -> dict[str, Any]:
        return {"parameters": list(PARAMETERS), "skills": {str(k): list(v) for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        model = cls()
        for skill, values in data["skills"].items():
            if len(values) != len(PARAMETERS):
                raise ValueError(f"BKT skill {skill} needs {len(PARAMETERS)} parameters, it has {len(values)}")
            model.params[int(skill)] = tuple(float(v) for v in values)
        return model


def _step(known: Array, outcome: Array, params: Any) -> Array:
    """P(mastered) after observing `outcome` and one learning/forgetting transition (broadcasts over arrays)."""
    learn, guess, slip, forget = params
    right = known * (1 - slip) / (known * (1 - slip) + (1 - known) * guess)
    wrong = known * slip / (known * slip + (1 - known) * (1 - guess))
    posterior = np.where(outcome > 0, right, wrong)
    return np.asarray(posterior * (1 - forget) + (1 - posterior) * learn, dtype=np.float64)


def _runs_by_skill(sequences: Sequence[LearnerSequence]) -> dict[int, list[list[int]]]:
    runs: dict[int, list[list[int]]] = {}
    for sequence in sequences:
        mine: dict[int, list[int]] = {}
        for skill, outcome in zip(sequence.skills, sequence.correct, strict=True):
            mine.setdefault(skill, []).append(outcome)
        for skill, outcomes in mine.items():
            runs.setdefault(skill, []).append(outcomes)
    return runs


def _log_likelihoods(grid: Array, runs: list[list[int]]) -> Array:
    """The log-likelihood of the learners' runs on one skill under each grid point (columns of `grid`)."""
    runs = sorted(runs, key=len, reverse=True)
    lengths = np.array([len(run) for run in runs])
    outcomes = np.zeros((len(runs), int(lengths[0])))
    for row, run in enumerate(runs):
        outcomes[row, : len(run)] = run
    prior, learn, guess, slip, forget = (grid[i][:, None] for i in range(5))
    known = np.repeat(prior, len(runs), axis=1)
    total = np.zeros(grid.shape[1])
    for t in range(int(lengths[0])):
        active = int(np.count_nonzero(lengths > t))
        state, seen = known[:, :active], outcomes[None, :active, t]
        correct = np.clip(state * (1 - slip) + (1 - state) * guess, EPSILON, 1 - EPSILON)
        total += np.sum(seen * np.log(correct) + (1 - seen) * np.log(1 - correct), axis=1)
        known[:, :active] = _step(state, seen, (learn, guess, slip, forget))
    return total
