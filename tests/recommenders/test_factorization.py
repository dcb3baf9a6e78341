from pathlib import Path

import numpy as np
from scipy import sparse

from recommenders.factorization import FACTORS_FILE, Factorization


def learners_by_items() -> sparse.csr_matrix:
    """30 learners x 8 items: the first half take items 0-3, the second half items 4-7, each skipping one."""
    rows, cols = [], []
    for learner in range(30):
        block = range(4) if learner < 15 else range(4, 8)
        skipped = block[learner % 4]
        for item in block:
            if item != skipped:
                rows.append(learner)
                cols.append(item)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(30, 8))


def fitted() -> Factorization:
    factorization = Factorization(factors=4, regularization=1.0, alpha=4.0, iterations=10)
    factorization.fit(learners_by_items())
    return factorization


def test_fit_keeps_one_row_of_factors_per_item() -> None:
    factorization = fitted()

    assert factorization.item_factors.shape == (8, 4)
    assert factorization.item_factors.dtype == np.float32


def test_fold_in_is_the_least_squares_step_implicit_takes_for_a_learner() -> None:
    from implicit.cpu.als import AlternatingLeastSquares

    factorization = fitted()
    rows, weights = np.array([0, 2, 5]), np.array([1.0, 1.0, 0.5], dtype=np.float32)
    reference = AlternatingLeastSquares(factors=4, regularization=1.0, alpha=4.0)
    reference.item_factors = factorization.item_factors
    history = sparse.csr_matrix((weights, (np.zeros(3, dtype=int), rows)), shape=(1, 8))

    user = reference.recalculate_user(0, history)

    np.testing.assert_allclose(factorization.fold_in(rows, weights).scores, factorization.item_factors @ user,
                               rtol=1e-4, atol=1e-6)


def test_history_shares_sum_to_the_score() -> None:
    folded = fitted().fold_in(np.array([0, 1, 6]), np.ones(3, dtype=np.float32))

    for item in range(8):
        assert folded.shares(item).shape == (3,)
        assert np.isclose(folded.shares(item).sum(), folded.scores[item], atol=1e-5)


def test_a_learner_scores_their_own_block_higher() -> None:
    scores = fitted().fold_in(np.array([0, 1]), np.ones(2, dtype=np.float32)).scores

    assert min(scores[2], scores[3]) > max(scores[4:])


def test_no_interactions_give_zero_factors_and_no_scores() -> None:
    factorization = Factorization(factors=4, regularization=1.0, alpha=4.0, iterations=10)
    factorization.fit(sparse.csr_matrix((3, 5)))

    assert factorization.item_factors.shape == (5, 4)
    assert not factorization.fold_in(np.array([1]), np.ones(1, dtype=np.float32)).scores.any()


def test_save_and_load_restore_the_factors(tmp_path: Path) -> None:
    factorization = fitted()
    factorization.save(tmp_path)
    restored = Factorization(factors=4, regularization=1.0, alpha=4.0, iterations=10)
    restored.load(tmp_path)
    rows, weights = np.array([3]), np.ones(1, dtype=np.float32)

    assert [p.name for p in tmp_path.iterdir()] == [FACTORS_FILE]
    np.testing.assert_array_equal(restored.fold_in(rows, weights).scores, factorization.fold_in(rows, weights).scores)
