import math
from pathlib import Path

import numpy as np
import pytest

from recommenders.knowledge.evaluation import CHOSEN, auc, evaluate, score
from recommenders.knowledge.models import LogisticKnowledge
from recommenders.knowledge.sequences import SequenceFormatError
from tests.conftest import shared_data
from tests.recommenders.knowledge_data import as_text, learners, true_probabilities

CHOSEN_MODEL_AUC = 0.795  # the target is 0.78; LogisticKnowledge reaches 0.8012 on this split


def write_dataset(folder: Path, train: int = 200, test: int = 60) -> Path:
    (folder / "toy_train.csv").write_text(as_text(learners(train, seed=1)), encoding="utf-8")
    (folder / "toy_test.csv").write_text(as_text(learners(test, seed=2)), encoding="utf-8")
    return folder


def test_auc_counts_ordered_pairs_and_ties() -> None:
    outcomes = np.array([0.0, 0.0, 1.0, 1.0])
    assert auc(outcomes, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert auc(outcomes, np.array([0.9, 0.8, 0.2, 0.1])) == 0.0
    assert auc(outcomes, np.array([0.5, 0.5, 0.5, 0.5])) == 0.5
    assert auc(outcomes, np.array([0.1, 0.6, 0.6, 0.9])) == 0.875
    assert math.isnan(auc(np.array([1.0, 1.0]), np.array([0.2, 0.3])))


def test_score_gives_rmse_and_accuracy() -> None:
    scores = score(np.array([1.0, 0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.4, 0.5]))
    assert scores.rmse == pytest.approx(math.sqrt((0.36 + 0.25) / 4))
    assert scores.accuracy == 0.5
    assert scores.auc == 0.75


def test_score_needs_responses() -> None:
    with pytest.raises(ValueError, match="no test responses"):
        score(np.array([]), np.array([]))


def test_evaluate_fits_and_scores_every_model(tmp_path: Path) -> None:
    steps: list[str] = []
    evaluation = evaluate(write_dataset(tmp_path), progress=steps.append)
    assert [r.model for r in evaluation.results] == ["logistic", "pfa", "bkt"]
    assert [r.chosen for r in evaluation.results] == [True, False, False]
    assert evaluation.test_files == ["toy_test.csv"]
    assert evaluation.test_responses == sum(len(s) for s in learners(60, seed=2))
    assert steps[:2] == ["fitting logistic", "scoring logistic"]
    test = learners(60, seed=2)
    best = score(np.array([c for s in test for c in s.correct], dtype=float), np.array(true_probabilities(test)))
    for result in evaluation.results:
        assert result.scores.auc > best.auc - 0.03, result
        assert result.scores.rmse < best.rmse + 0.02, result
    assert evaluation.to_dict()["results"][0]["scores"]["auc"] == evaluation.results[0].scores.auc


def test_evaluate_reports_a_malformed_line(tmp_path: Path) -> None:
    write_dataset(tmp_path)
    (tmp_path / "toy_test.csv").write_text("2\n1,2\n1,1\n3\n1,2\n1,1,0\n", encoding="utf-8")
    with pytest.raises(SequenceFormatError, match=r"toy_test\.csv, line 5"):
        evaluate(tmp_path)


@pytest.mark.realdata
def test_chosen_model_reaches_the_target_on_assist2009() -> None:
    folder = shared_data("assist2009")
    evaluation = evaluate(folder, [LogisticKnowledge()])
    result = evaluation.results[0]
    assert result.model == CHOSEN
    assert evaluation.test_responses > 100_000
    assert result.scores.auc >= CHOSEN_MODEL_AUC
