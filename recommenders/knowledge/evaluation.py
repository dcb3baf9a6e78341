"""Offline evaluation of knowledge tracing: fit each model on a dataset folder's train files, predict every
test response from the history before it, and score AUC, RMSE and accuracy."""

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from recommenders.knowledge.bkt import BktModel
from recommenders.knowledge.models import KnowledgeModel, LogisticKnowledge, PfaCounts
from recommenders.knowledge.sequences import LearnerSequence, read_all, split_files

CHOSEN = LogisticKnowledge.kind

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Scores:
    auc: float  # NaN when the test responses are all right or all wrong
    rmse: float
    accuracy: float  # predictions >= 0.5 count as "correct"


@dataclass(frozen=True)
class ModelResult:
    model: str
    chosen: bool
    scores: Scores
    fit_seconds: float
    predict_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Evaluation:
    train_files: list[str]
    test_files: list[str]
    train_responses: int
    test_responses: int
    results: list[ModelResult]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_models() -> list[KnowledgeModel]:
    """The chosen model first, then the baselines."""
    return [LogisticKnowledge(), PfaCounts(), BktModel()]


def evaluate(directory: Path, models: Sequence[KnowledgeModel] | None = None,
             progress: Progress | None = None) -> Evaluation:
    """Fit and score each model on `directory` (ValueError for a missing folder or file, or a malformed line)."""
    train_files, test_files = split_files(directory)
    train, test = read_all(train_files), read_all(test_files)
    outcomes = np.fromiter((c for s in test for c in s.correct), dtype=np.float64)
    results = [_evaluate_model(model, train, test, outcomes, progress) for model in models or default_models()]
    return Evaluation([p.name for p in train_files], [p.name for p in test_files],
                      sum(map(len, train)), len(outcomes), results)


def _evaluate_model(model: KnowledgeModel, train: Sequence[LearnerSequence], test: Sequence[LearnerSequence],
                    outcomes: npt.NDArray[np.float64], progress: Progress | None) -> ModelResult:
    if progress:
        progress(f"fitting {model.kind}")
    started = time.perf_counter()
    model.fit(train)
    fitted = time.perf_counter()
    if progress:
        progress(f"scoring {model.kind}")
    predictions = model.predict_all(test)
    scored = time.perf_counter()
    return ModelResult(model.kind, model.kind == CHOSEN, score(outcomes, predictions), fitted - started,
                       scored - fitted)


def score(outcomes: npt.NDArray[np.float64], predictions: npt.NDArray[np.float64]) -> Scores:
    """AUC, RMSE and accuracy of `predictions` for 0/1 `outcomes`."""
    if outcomes.size == 0:
        raise ValueError("there are no test responses to score")
    rmse = float(np.sqrt(np.mean((outcomes - predictions) ** 2)))
    accuracy = float(np.mean((predictions >= 0.5) == (outcomes > 0)))
    return Scores(auc(outcomes, predictions), rmse, accuracy)


def auc(outcomes: npt.NDArray[np.float64], predictions: npt.NDArray[np.float64]) -> float:
    """Area under the ROC curve (the Mann-Whitney statistic, ties counted half); NaN with a single class."""
    positives = int(np.count_nonzero(outcomes > 0))
    negatives = outcomes.size - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(predictions, kind="mergesort")
    ranks = np.empty(outcomes.size)
    ranks[order] = np.arange(1, outcomes.size + 1)
    values = predictions[order]
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    ends = np.r_[starts[1:], values.size]
    for start, end in zip(starts[(ends - starts) > 1], ends[(ends - starts) > 1], strict=True):
        ranks[order[start:end]] = (start + end + 1) / 2  # mean rank of a tie
    rank_sum = float(ranks[outcomes > 0].sum())
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
