import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from recommenders.base import Interaction, Item, Learner, RecommendationRequest, Recommender, TrainingData
from recommenders.collaborative import (
    BECAUSE_YOU_ENGAGED,
    Ease,
    ItemItemRecommender,
    ItemKnn,
    _keep_top_per_column,
    _top,
    interaction_matrix,
    strongest_signals,
)

BLOCK_A = [f"a{i}" for i in range(6)]
BLOCK_B = [f"b{i}" for i in range(6)]
ARRAYS = {"ease": "matrix.npz", "item_knn": "matrix.npz", "als": "factors.npy"}


def scalable_cf() -> Ease:
    """`cf` forced onto ALS (threshold 0), with few factors and little regularisation for a 12-course catalog."""
    return Ease(als_threshold=0, als_factors=4, als_regularization=1.0)


MODELS: list[Callable[[], ItemItemRecommender]] = [Ease, ItemKnn, scalable_cf]


def block_data() -> TrainingData:
    """Ten learners take block-A courses only, ten block-B only; each skips one course of their block."""
    interactions = []
    for block, prefix in ((BLOCK_A, "ua"), (BLOCK_B, "ub")):
        for user in range(10):
            skipped = block[user % len(block)]
            interactions += [Interaction(f"{prefix}{user}", item) for item in block if item != skipped]
    items = {i: Item(i, title=f"Course {i.upper()}") for i in BLOCK_A + BLOCK_B}
    items["hidden"] = Item("hidden", published=False)
    interactions.append(Interaction("ua0", "hidden"))
    return TrainingData(items=items, interactions=interactions)


def fitted(model_class: Callable[[], ItemItemRecommender]) -> ItemItemRecommender:
    model = model_class()
    model.fit(block_data())
    return model


def ask(model: Recommender, history: list[str], **options: object) -> list[str]:
    learner = Learner("new-learner", tuple(Interaction("new-learner", item) for item in history))
    request = RecommendationRequest(learner, **options)  # type: ignore[arg-type]
    return [r.item_id for r in model.recommend(request)]


@pytest.mark.parametrize("model_class", MODELS)
def test_learner_of_block_a_gets_block_a_items(model_class: Callable[[], ItemItemRecommender]) -> None:
    model = fitted(model_class)

    recommended = ask(model, ["a0", "a1"], k=4, exclude=frozenset({"a0", "a1"}))

    assert len(recommended) == 4
    assert set(recommended) <= set(BLOCK_A) - {"a0", "a1"}


@pytest.mark.parametrize("model_class", MODELS)
def test_request_time_history_of_an_unknown_learner_counts(model_class: Callable[[], ItemItemRecommender]) -> None:
    model = fitted(model_class)

    assert set(ask(model, ["b3"], k=3)) <= set(BLOCK_B)
    assert set(ask(model, ["a3"], k=3)) <= set(BLOCK_A)


@pytest.mark.parametrize("model_class", MODELS)
def test_exclude_allowed_and_k_are_respected(model_class: Callable[[], ItemItemRecommender]) -> None:
    model = fitted(model_class)

    recommended = ask(model, ["a0"], k=20, exclude=frozenset({"a1", "a2"}))
    assert {"a3", "a4", "a5"} <= set(recommended)
    assert not {"a1", "a2"} & set(recommended)
    assert len(ask(model, ["a0"], k=2)) == 2
    assert ask(model, ["a0"], k=5, allowed=frozenset({"a2", "b1", "unknown"})) == ["a2"]
    assert ask(model, ["a0"], k=0) == []


@pytest.mark.parametrize("model_class", MODELS)
def test_unknown_items_and_empty_history_give_nothing(model_class: Callable[[], ItemItemRecommender]) -> None:
    model = fitted(model_class)

    assert ask(model, []) == []
    assert ask(model, ["never-seen"]) == []
    assert "never-seen" not in model.item_ids


@pytest.mark.parametrize("model_class", MODELS)
def test_unpublished_items_are_never_recommended(model_class: Callable[[], ItemItemRecommender]) -> None:
    model = fitted(model_class)

    assert "hidden" not in ask(model, ["a1", "a2"], k=20)


@pytest.mark.parametrize("model_class", MODELS)
def test_save_and_load_give_identical_scores(model_class: Callable[[], ItemItemRecommender], tmp_path: Path) -> None:
    model = fitted(model_class)
    model.save(tmp_path)
    restored = type(model).load(tmp_path)
    request = RecommendationRequest(Learner("x", (Interaction("x", "a0"), Interaction("x", "b2", 0.5))), k=20)

    assert restored.recommend(request) == model.recommend(request)
    assert restored.parameters() == model.parameters()
    assert restored.model == model.model
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([ARRAYS[model.model], "model.json"])


def test_load_refuses_another_models_artifacts(tmp_path: Path) -> None:
    fitted(Ease).save(tmp_path)

    with pytest.raises(ValueError, match="not item_knn"):
        ItemKnn.load(tmp_path)


@pytest.mark.parametrize("model_class", MODELS)
def test_reason_names_the_history_item_that_contributed_most(model_class: Callable[[], ItemItemRecommender]) -> None:
    model = fitted(model_class)
    learner = Learner("x", (Interaction("x", "a0", kind="complete"), Interaction("x", "b0", kind="course_view")))
    said = {"a": "completed", "b": "looked at"}  # what the learner did, never more

    for recommendation in model.recommend(RecommendationRequest(learner, k=6)):
        (reason,) = recommendation.reasons
        block = recommendation.item_id[0]
        assert reason.code == BECAUSE_YOU_ENGAGED
        assert reason.text == f"Because you {said[block]} Course {block.upper()}0"


def test_cf_fits_als_from_the_threshold_on_and_the_artifact_says_so(tmp_path: Path) -> None:
    below, at = Ease(als_threshold=13), Ease(als_threshold=12, als_factors=4)  # block_data has 12 published items
    below.fit(block_data())
    at.fit(block_data())
    at.save(tmp_path)

    assert (below.model, below.matrix.shape) == ("ease", (12, 12))
    assert (at.model, at.matrix.shape) == ("als", (0, 0))
    assert json.loads((tmp_path / "model.json").read_text())["model"] == "als"
    assert np.load(tmp_path / "factors.npy").shape == (12, 4)  # items x factors, no items x items matrix


def test_an_artifact_without_a_model_is_ease(tmp_path: Path) -> None:
    model = fitted(Ease)
    model.save(tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text())
    del meta["model"]
    (tmp_path / "model.json").write_text(json.dumps(meta))

    assert Ease.load(tmp_path).model == "ease"


def test_scalable_cf_answers_follow_a_new_event_at_once() -> None:
    model = scalable_cf()
    model.fit(block_data())

    before = ask(model, ["a0"], k=3, exclude=frozenset({"a0"}))
    after = ask(model, ["a0", "b1", "b2", "b3"], k=3, exclude=frozenset({"a0", "b1", "b2", "b3"}))

    assert set(before) <= set(BLOCK_A)
    assert set(after) & set(BLOCK_B)


def test_strongest_signals_keep_the_max_weight_or_binarise() -> None:
    signals = [Interaction("u", "i", 1.0), Interaction("u", "i", 3.0), Interaction("u", "j", 0.0)]

    assert strongest_signals(signals, binary=False) == {("u", "i"): 3.0}
    assert strongest_signals(signals, binary=True) == {("u", "i"): 1.0}


def test_interaction_matrix_places_weights_by_learner_and_item() -> None:
    x = interaction_matrix({("u", "j"): 2.0, ("v", "i"): 1.0}, {"i": 0, "j": 1})

    assert isinstance(x, sparse.csr_matrix)
    assert x.toarray().tolist() == [[0.0, 2.0], [1.0, 0.0]]


def test_ease_matrix_has_a_zero_diagonal_and_float32() -> None:
    matrix = fitted(Ease).matrix

    assert matrix.dtype == np.float32
    assert np.all(np.diag(matrix) == 0)


def test_keep_top_per_column_keeps_each_items_k_nearest() -> None:
    matrix = np.array([[0.0, 0.9, 0.1], [0.9, 0.0, 0.5], [0.1, 0.5, 0.0]])

    assert _keep_top_per_column(matrix, 1).tolist() == [[0.0, 0.9, 0.0], [0.9, 0.0, 0.5], [0.0, 0.0, 0.0]]


def test_top_returns_positive_scores_best_first() -> None:
    scores = np.array([0.2, 0.0, 0.9, -1.0, 0.5], dtype=np.float32)

    assert _top(scores, 2) == [2, 4]
    assert _top(scores, 10) == [2, 4, 0]
