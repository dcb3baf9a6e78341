import math

import pytest

from recommenders.evaluation.metrics import catalog_coverage, hit_at_k, ndcg_at_k, precision_at_k, recall_at_k


def test_ndcg_hand_computed() -> None:
    # hits at ranks 1 and 3 of 3; ideal has min(3, 2) = 2 hits at ranks 1 and 2
    expected = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["a", "x", "b"], {"a", "b"}, 3) == pytest.approx(expected)
    assert ndcg_at_k(["a", "b"], {"a", "b"}, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "a"], {"a"}, 1) == 0.0
    assert ndcg_at_k(["x", "a"], {"a"}, 2) == pytest.approx(1 / math.log2(3))
    assert ndcg_at_k(["a"], set(), 10) == 0.0


def test_ndcg_ideal_is_capped_at_k() -> None:
    # 5 relevant, k = 2, both top items relevant: perfect
    assert ndcg_at_k(["a", "b"], {"a", "b", "c", "d", "e"}, 2) == pytest.approx(1.0)


def test_precision_recall_hit() -> None:
    recommended = ["a", "x", "b", "y"]
    relevant = {"a", "b", "c"}
    assert precision_at_k(recommended, relevant, 4) == 0.5
    assert precision_at_k(recommended, relevant, 10) == 0.2  # divided by k, not by list length
    assert recall_at_k(recommended, relevant, 2) == pytest.approx(1 / 3)
    assert recall_at_k(recommended, relevant, 4) == pytest.approx(2 / 3)
    assert hit_at_k(recommended, relevant, 1) == 1.0
    assert hit_at_k(["x", "a"], relevant, 1) == 0.0


def test_catalog_coverage() -> None:
    assert catalog_coverage([["a", "b"], ["b", "c"]], 10) == 0.3
    assert catalog_coverage([], 0) == 0.0
