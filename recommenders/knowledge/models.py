"""Knowledge tracing models: from a learner's past responses, the probability of answering the next question on
a skill correctly. All share one interface, used offline (`fit`, `predict_sequence`) and online (`update`,
`mastery`), and save to a versioned JSON artifact. `LogisticKnowledge` is the chosen model; `PfaCounts` (per-skill
success/failure counts) and `bkt.BktModel` are the baselines it is compared with."""

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
from scipy import sparse

from recommenders.knowledge.sequences import LearnerSequence
from recommenders.knowledge.states import LearnerState

ARTIFACT_FORMAT = "pathwise.knowledge"
ARTIFACT_VERSION = 1
CONFIDENCE_HALF = 5  # attempts on a skill at which confidence reaches 0.5

Probabilities = npt.NDArray[np.float64]


class KnowledgeModel(ABC):
    """Fitted offline on response sequences; predicts each response from the history before it."""

    kind: ClassVar[str]

    @abstractmethod
    def fit(self, sequences: Sequence[LearnerSequence]) -> Self: ...

    @abstractmethod
    def predict(self, state: LearnerState, skill: int) -> float:
        """P(the learner in `state` answers the next question on `skill` correctly)."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]: ...

    @classmethod
    @abstractmethod
    def from_dict(cls, data: dict[str, Any]) -> Self: ...

    def update(self, state: LearnerState, skill: int, correct: bool | int, hints: int = 0,
               attempts: int = 1) -> LearnerState:
        """Add a quiz answer to `state` (in place) and return it; an answer needing hints or retries counts as
        incorrect, as in the ASSISTments data the models are fitted on."""
        state.record(skill, int(bool(correct) and hints == 0 and attempts <= 1))
        return state

    def mastery(self, state: LearnerState, skill: int) -> tuple[float, float]:
        """(P(correct on the next question on `skill`), confidence in 0..1 growing with practice on it)."""
        practice = state.attempts(skill)
        return self.predict(state, skill), practice / (practice + CONFIDENCE_HALF)

    def predict_sequence(self, skills: Sequence[int], correct: Sequence[int]) -> Probabilities:
        """For each response, its probability given only the responses before it."""
        state = LearnerState()
        predictions = np.empty(len(skills))
        for position, (skill, outcome) in enumerate(zip(skills, correct, strict=True)):
            predictions[position] = self.predict(state, skill)
            self.update(state, skill, outcome)
        return predictions

    def predict_all(self, sequences: Sequence[LearnerSequence]) -> Probabilities:
        """`predict_sequence` of every sequence, concatenated."""
        parts = [self.predict_sequence(s.skills, s.correct) for s in sequences]
        return np.concatenate(parts) if parts else np.empty(0)

    def save(self, path: Path) -> None:
        artifact = {"format": ARTIFACT_FORMAT, "version": ARTIFACT_VERSION, "kind": self.kind, **self.to_dict()}
        path.write_text(json.dumps(artifact), encoding="utf-8")


class _LogisticModel(KnowledgeModel):
    """A logistic regression over per-skill one-hot blocks and shared features of the learner's history."""

    blocks: ClassVar[int]  # per-skill blocks: intercept, then one slope per per-skill value
    shared: ClassVar[int]  # shared features

    def __init__(self, regularization: float = 1.0) -> None:
        self.regularization = regularization
        self.skills: dict[int, int] = {}
        self.weights: Probabilities = np.zeros(0)
        self.intercept = 0.0

    @abstractmethod
    def _values(self, state: LearnerState, skill: int) -> tuple[list[float], list[float]]:
        """(per-skill slope values, shared feature values) for the next response on `skill`."""

    def _row(self, state: LearnerState, skill: int) -> tuple[list[int], list[float]]:
        per_skill, shared = self._values(state, skill)
        size = len(self.skills)
        columns, values = [], []
        index = self.skills.get(skill)
        if index is not None:
            columns = [index + size * block for block in range(self.blocks)]
            values = [1.0, *per_skill]
        start = size * self.blocks
        return columns + list(range(start, start + self.shared)), values + shared

    def _design(self, sequences: Sequence[LearnerSequence]) -> sparse.csr_matrix:
        columns: list[int] = []
        values: list[float] = []
        pointers = [0]
        for sequence in sequences:
            state = LearnerState()
            for skill, outcome in zip(sequence.skills, sequence.correct, strict=True):
                row_columns, row_values = self._row(state, skill)
                columns += row_columns
                values += row_values
                pointers.append(len(columns))
                state.record(skill, outcome)
        shape = (len(pointers) - 1, len(self.skills) * self.blocks + self.shared)
        return sparse.csr_matrix((values, columns, pointers), shape=shape)

    def fit(self, sequences: Sequence[LearnerSequence]) -> Self:
        from sklearn.linear_model import LogisticRegression

        self.skills = {skill: i for i, skill in enumerate(sorted({s for q in sequences for s in q.skills}))}
        outcomes = np.fromiter((c for q in sequences for c in q.correct), dtype=np.int8)
        regression = LogisticRegression(C=self.regularization, solver="liblinear", max_iter=500, random_state=0)
        regression.fit(self._design(sequences), outcomes)
        self.weights = regression.coef_[0].astype(np.float64)
        self.intercept = float(regression.intercept_[0])
        return self

    def predict(self, state: LearnerState, skill: int) -> float:
        columns, values = self._row(state, skill)
        return _sigmoid(self.intercept + float(np.dot(self.weights[columns], values)))

    def predict_all(self, sequences: Sequence[LearnerSequence]) -> Probabilities:
        scores = self._design(sequences) @ self.weights + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-scores)), dtype=np.float64)

    def predict_sequence(self, skills: Sequence[int], correct: Sequence[int]) -> Probabilities:
        return self.predict_all([LearnerSequence(tuple(skills), tuple(correct))])

    def to_dict(self) -> dict[str, Any]:
        return {"regularization": self.regularization, "skills": list(self.skills),
                "weights": self.weights.tolist(), "intercept": self.intercept}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        model = cls(float(data["regularization"]))
        model.skills = {int(skill): i for i, skill in enumerate(data["skills"])}
        model.weights = np.asarray(data["weights"], dtype=np.float64)
        model.intercept = float(data["intercept"])
        expected = len(model.skills) * cls.blocks + cls.shared
        if model.weights.shape != (expected,):
            raise ValueError(f"a {cls.kind} artifact needs {expected} weights, it has {model.weights.size}")
        return model


class PfaCounts(_LogisticModel):
    """Performance factors analysis: skill difficulty plus per-skill slopes on the learner's successes and
    failures on that skill (the plain "logistic on counts" baseline)."""

    kind = "pfa"
    blocks = 3
    shared = 0

    def _values(self, state: LearnerState, skill: int) -> tuple[list[float], list[float]]:
        return [float(state.successes.get(skill, 0)), float(state.failures.get(skill, 0))], []


class LogisticKnowledge(_LogisticModel):
    """PFA with log counts, plus learner-wide ability, recency and forgetting features ("Best-LR" style): the
    learner's log(1+successes) and log(1+failures) on the skill and overall, the success logit overall, the
    last outcomes on the skill and overall, the previous response and whether it was on the same skill, and the
    log of how many responses went by since the skill was last practised (forgetting without practice). Each
    shared feature has one weight; skill difficulty and eight of them also get a slope per skill."""

    kind = "logistic"
    shared = 12
    per_skill: ClassVar[tuple[int, ...]] = (0, 1, 4, 6, 7, 8, 10, 11)  # positions of the shared features
    blocks = 1 + len(per_skill)

    def _values(self, state: LearnerState, skill: int) -> tuple[list[float], list[float]]:
        wins, losses = state.successes.get(skill, 0), state.failures.get(skill, 0)
        recent = state.recent.get(skill, [])
        total_losses = state.responses - state.total_successes
        same = float(state.last_skill == skill)
        last = float(state.window[-1]) if state.window else 0.0
        gap = state.responses - state.last_seen[skill] if skill in state.last_seen else 0
        shared = [math.log1p(wins), math.log1p(losses), math.log1p(state.total_successes),
                  math.log1p(total_losses), _mean(recent), float(bool(recent)), _mean(state.window), last, same,
                  same * last, math.log1p(gap), math.log((state.total_successes + 1) / (total_losses + 1))]
        return [shared[i] for i in self.per_skill], shared


def _mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0.0


def _sigmoid(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-score)) if score >= 0 else math.exp(score) / (1.0 + math.exp(score))
