"""Implicit-feedback matrix factorisation (ALS): collaborative filtering for catalogs too large for a dense
item × item matrix.

Fitting runs `implicit`'s conjugate-gradient ALS on the CPU (Hu, Koren & Volinsky 2008; Takács et al. 2011)
over the learner × item matrix X with confidence c = `alpha` x weight, and keeps only the item factors Y
(items × `factors`, float32): memory, artifact and scoring grow with items x factors, not items². A learner is
folded in at request time from their own history with the least-squares step ALS takes for a learner:
u = A⁻¹ Σⱼ cⱼ yⱼ with A = YᵀY + λI + Σⱼ (cⱼ − 1) yⱼyⱼᵀ over their history items j, and scores = Y u. So a
learner unknown at training time is served and events sent a moment ago count. History item j's share of
item i's score is cⱼ yᵢᵀ A⁻¹ yⱼ (Hu et al. §5): the reason names the largest. Serving needs numpy only;
`implicit` is imported when fitting. Artifact: `factors.npy` (Y, no pickle).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse

from recommenders.progress import report

Matrix = npt.NDArray[np.float32]
FACTORS_FILE = "factors.npy"


@dataclass(frozen=True)
class FoldedIn:
    """A learner folded into the factor space: every item's score and each history item's share of it."""

    item_factors: Matrix  # n × f
    weighted_history: Matrix  # f × h: cⱼ A⁻¹ yⱼ per history item j
    scores: Matrix  # n: Y u, u = the sum of weighted_history's columns

    def shares(self, item: int) -> Matrix:
        """Each history item's part of `item`'s score (they sum to it)."""
        shares: Matrix = self.item_factors[item] @ self.weighted_history
        return shares


class Factorization:
    """Item factors learnt by ALS, and learners folded in from their history."""

    def __init__(self, factors: int, regularization: float, alpha: float, iterations: int, seed: int = 0) -> None:
        self.factors, self.regularization, self.alpha = factors, regularization, alpha
        self.iterations, self.seed = iterations, seed
        self.item_factors: Matrix = np.zeros((0, factors), dtype=np.float32)
        self._gram = regularization * np.eye(factors)

    def fit(self, x: sparse.csr_matrix) -> None:
        """Learn the item factors from the learner × item matrix `x` (one column per item)."""
        if x.nnz == 0:
            self.set_item_factors(np.zeros((x.shape[1], self.factors), dtype=np.float32))
            return
        from implicit.cpu.als import AlternatingLeastSquares  # type: ignore[import-untyped]
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

        with threadpool_limits(1, "blas"):  # implicit parallelises itself; a threaded BLAS only slows it
            als = AlternatingLeastSquares(factors=self.factors, regularization=self.regularization, alpha=self.alpha,
                                          iterations=self.iterations, random_state=self.seed)
            als.fit(x.astype(np.float32), show_progress=False,
                    callback=lambda done, _seconds, _loss: report("factorising", done + 1, self.iterations))
        self.set_item_factors(np.asarray(als.item_factors, dtype=np.float32))

    def set_item_factors(self, item_factors: Matrix) -> None:
        self.item_factors = item_factors
        y = item_factors.astype(np.float64)
        self._gram = y.T @ y + self.regularization * np.eye(self.factors)

    def fold_in(self, rows: npt.NDArray[np.intp], weights: Matrix) -> FoldedIn:
        """The learner whose history is items `rows` with interaction `weights`."""
        history = self.item_factors[rows].astype(np.float64)  # h × f
        confidence = self.alpha * weights.astype(np.float64)
        system = self._gram + (history.T * (confidence - 1.0)) @ history
        weighted = np.linalg.solve(system, history.T * confidence).astype(np.float32)
        return FoldedIn(self.item_factors, weighted, self.item_factors @ weighted.sum(axis=1))

    def save(self, directory: Path) -> None:
        np.save(directory / FACTORS_FILE, self.item_factors, allow_pickle=False)

    def load(self, directory: Path) -> None:
        self.set_item_factors(np.load(directory / FACTORS_FILE, allow_pickle=False).astype(np.float32, copy=False))
