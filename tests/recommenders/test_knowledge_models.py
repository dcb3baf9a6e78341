import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from recommenders.knowledge.bkt import BktModel
from recommenders.knowledge.models import KnowledgeModel, LogisticKnowledge, PfaCounts
from recommenders.knowledge.serving import load_model
from recommenders.knowledge.states import LearnerState
from tests.recommenders.knowledge_data import learners

MODELS = [LogisticKnowledge, PfaCounts, BktModel]


@pytest.fixture(scope="module", params=MODELS, ids=lambda kind: kind.kind)
def fitted(request: pytest.FixtureRequest) -> KnowledgeModel:
    model: KnowledgeModel = request.param()
    return model.fit(learners(300))


def test_probability_rises_as_a_skill_is_mastered(fitted: KnowledgeModel) -> None:
    predictions = fitted.predict_sequence([1] * 6, [1] * 6)
    assert all(0.0 < p < 1.0 for p in predictions)
    assert all(later > earlier for earlier, later in itertools.pairwise(predictions[1:]))
    assert predictions[5] > predictions[0] + 0.25


def test_failures_keep_the_probability_low(fitted: KnowledgeModel) -> None:
    after_right = fitted.predict_sequence([2, 2, 2, 2], [1, 1, 1, 0])[-1]
    after_wrong = fitted.predict_sequence([2, 2, 2, 2], [0, 0, 0, 0])[-1]
    assert after_right > after_wrong


def test_predictions_use_only_earlier_responses(fitted: KnowledgeModel) -> None:
    first = fitted.predict_sequence([1, 2, 3, 1], [1, 0, 1, 1])
    changed_last = fitted.predict_sequence([1, 2, 3, 1], [1, 0, 1, 0])
    assert np.array_equal(first, changed_last)


def test_online_updates_match_the_offline_predictions(fitted: KnowledgeModel) -> None:
    skills, correct = [1, 2, 1, 3, 1, 2], [0, 1, 1, 1, 0, 1]
    state = LearnerState()
    online = []
    for skill, outcome in zip(skills, correct, strict=True):
        online.append(fitted.predict(state, skill))
        state = fitted.update(state, skill, outcome)
    assert np.allclose(online, fitted.predict_sequence(skills, correct))


def test_mastery_confidence_grows_with_practice(fitted: KnowledgeModel) -> None:
    state = LearnerState()
    before, no_evidence = fitted.mastery(state, 1)
    for _ in range(4):
        fitted.update(state, 1, True)
    after, confidence = fitted.mastery(state, 1)
    assert no_evidence == 0.0
    assert confidence > 0.4
    assert after > before


def test_an_answer_with_hints_counts_as_wrong(fitted: KnowledgeModel) -> None:
    helped, plain = LearnerState(), LearnerState()
    for _ in range(3):
        fitted.update(helped, 1, True, hints=1)
        fitted.update(plain, 1, False)
    assert fitted.mastery(helped, 1) == fitted.mastery(plain, 1)


def test_unknown_skills_get_a_prediction(fitted: KnowledgeModel) -> None:
    assert 0.0 < fitted.predict_sequence([999, 999], [1, 1])[1] < 1.0


def test_save_and_load_give_identical_predictions(fitted: KnowledgeModel, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    fitted.save(path)
    loaded = load_model(path)
    assert type(loaded) is type(fitted)
    skills, correct = [1, 2, 1, 3, 1, 1], [1, 0, 1, 1, 0, 1]
    assert np.array_equal(loaded.predict_sequence(skills, correct), fitted.predict_sequence(skills, correct))


def test_state_round_trips_through_json(fitted: KnowledgeModel) -> None:
    state = LearnerState()
    for skill, outcome in [(1, 1), (2, 0), (1, 1)]:
        fitted.update(state, skill, outcome)
    copy = LearnerState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert copy == state
    assert fitted.mastery(copy, 1) == fitted.mastery(state, 1)


def test_logistic_probability_decays_without_practice() -> None:
    model = LogisticKnowledge().fit(learners(300))
    model.weights[:] = 0.0
    gap = len(model.skills) * model.blocks + 10  # the "responses since last practice" feature
    model.weights[gap] = -1.0
    fresh, stale = LearnerState(), LearnerState()
    for state, others in ((fresh, 0), (stale, 20)):
        model.update(state, 1, True)
        for _ in range(others):
            model.update(state, 2, True)
    assert model.predict(stale, 1) < model.predict(fresh, 1)


def test_fitted_bkt_learns_the_skills() -> None:
    model = BktModel().fit(learners(300))
    _, learn, guess, slip, _ = model.params[1]
    assert learn > 0.0
    assert guess < 0.5
    assert slip < 0.3


def test_bkt_forgets_without_practice_when_fitted_to() -> None:
    model = BktModel()
    model.params[1] = (0.1, 0.3, 0.2, 0.1, 0.2)
    state = LearnerState()
    model.update(state, 1, True)
    mastered = state.beliefs[1]
    model.update(state, 1, False)
    assert state.beliefs[1] < mastered


@pytest.mark.parametrize(("artifact", "words"), [
    ({"format": "other"}, "not a knowledge model artifact"),
    ({"format": "pathwise.knowledge", "version": 99, "kind": "bkt"}, "version 99"),
    ({"format": "pathwise.knowledge", "version": 1, "kind": "magic"}, "unknown model kind"),
    ({"format": "pathwise.knowledge", "version": 1, "kind": "pfa", "regularization": 1.0, "skills": [1],
      "weights": [0.0], "intercept": 0.0}, "needs 3 weights"),
])
def test_load_rejects_other_artifacts(tmp_path: Path, artifact: dict[str, object], words: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(artifact), encoding="utf-8")
    with pytest.raises(ValueError, match=words):
        load_model(path)
