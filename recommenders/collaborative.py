"""Collaborative filtering from implicit feedback: EASE and item-kNN over an item × item matrix, and ALS above
a catalog size.

Both models learn one dense item × item float32 matrix W from X, the learner × item matrix of interaction
weights (a learner's repeated signals on one item keep the strongest). A learner is scored at request time
from their own `learner.history`: scores = h · W, with h their history row built the same way. So a learner
unknown at training time is served, and events sent a moment ago count at once; a learner with no (known)
history gets [] (cold start is the fallback's job). Items the model never saw are skipped.

- `Ease` (name "cf"): EASE (Steck 2019), W = I − P · diag(1/diag(P)), P = (XᵀX + λI)⁻¹; binarised X, λ = 300.
  When it learns from `als_threshold` items or more (20,000) it fits ALS instead (`factorization.py`: 64
  factors, λ = 30, alpha = 4, 15 iterations), which keeps items x 64 factors where EASE needs items²: EASE on
  15,000 items takes 216 s of CPU, 7.3 GB and puts an 803 MB W in every server process (bench/growth.py);
  ~10 min and ~13 GB at 20,000. ALS on 100,000 items and 10M interactions: 169 s, 3.4 GB with the data, 28 MB.
  ML-100K NDCG@10: ALS 0.4457, EASE 0.4464 (IBM: 0.527, 0.542). The artifact's `model` says which was fitted.
- `ItemKnn` (name "item_knn"): cosine similarity XᵀX / (‖xᵢ‖‖xⱼ‖ + shrink), top-k neighbours per item (k = 200,
  shrink = 10); weighted X (interaction weights, e.g. ratings).

Chosen by `bench/cf_eval.py --sweep` (ML-100K random 80/20, implicit, seed 42; popular 0.218): EASE NDCG@10
0.446 at λ = 300 (binarised; rating-weighted X at best 0.427, λ = 1000), item-kNN 0.405 (weighted; binarised
0.392), so EASE is "cf". On the IBM Skills Network ratings both beat popular (0.368) by > 40%.
Memory: W is n² float32 (1,682 items: 11 MB; 10,000 items: 400 MB) and EASE inverts an n × n float64 matrix
while fitting (O(n³)); item-kNN keeps a dense W too (10,000 items: 32 s of CPU, 3.5 GB), so it is for catalogs of
up to ~10,000 items.
Artifacts: `matrix.npz` (W, no pickle; `factors.npy` for ALS) and `model.json` (item ids, titles, parameters,
version, model).
"""

import json
from abc import abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol, Self

import numpy as np
import numpy.typing as npt
from scipy import sparse

from recommenders.base import (
    Interaction,
    Reason,
    Recommendation,
    RecommendationRequest,
    Recommender,
    TrainingData,
)
from recommenders.engagement import because_you, strongest_kinds
from recommenders.factorization import Factorization

Matrix = npt.NDArray[np.float32]
MATRIX_FILE = "matrix.npz"
MODEL_FILE = "model.json"
BECAUSE_YOU_ENGAGED = "BECAUSE_YOU_ENGAGED"
EASE, ALS = "ease", "als"


class Scoring(Protocol):
    """One learner scored: every item's score, and each history item's share of one item's score."""

    @property
    def scores(self) -> Matrix: ...

    def shares(self, item: int) -> Matrix: ...


class MatrixScoring:
    """Scores h · W of a history row against an item × item matrix W."""

    def __init__(self, matrix: Matrix, rows: npt.NDArray[np.intp], weights: Matrix) -> None:
        self._matrix, self._rows, self._weights = matrix, rows, weights
        self.scores: Matrix = weights @ matrix[rows]

    def shares(self, item: int) -> Matrix:
        shares: Matrix = self._weights * self._matrix[self._rows, item]
        return shares


def strongest_signals(interactions: Iterable[Interaction], binary: bool) -> dict[tuple[str, str], float]:
    """(user, item) -> the strongest weight among that user's signals on that item (1.0 when `binary`)."""
    signals: dict[tuple[str, str], float] = {}
    for signal in interactions:
        if signal.weight <= 0:
            continue
        key = (signal.user_id, signal.item_id)
        weight = 1.0 if binary else signal.weight
        signals[key] = max(weight, signals.get(key, 0.0))
    return signals


def interaction_matrix(signals: Mapping[tuple[str, str], float], item_index: Mapping[str, int]) -> sparse.csr_matrix:
    """The learner × item matrix of `signals` (rows in first-seen learner order)."""
    users: dict[str, int] = {}
    rows = [users.setdefault(user, len(users)) for user, _ in signals]
    cols = [item_index[item] for _, item in signals]
    shape = (len(users), len(item_index))
    return sparse.csr_matrix((list(signals.values()), (rows, cols)), shape=shape, dtype=np.float64)


class ItemItemRecommender(Recommender):
    """Shared fit/save/load/recommend of models that score a history row against an item × item matrix."""

    name: ClassVar[str] = "item_item"

    def __init__(self, binary: bool = True) -> None:
        self.binary = binary
        self.item_ids: list[str] = []
        self.titles: dict[str, str] = {}
        self.matrix: Matrix = np.zeros((0, 0), dtype=np.float32)
        self._index: dict[str, int] = {}

    def parameters(self) -> dict[str, Any]:
        return {"binary": self.binary}

    @property
    def model(self) -> str:
        """Which model was fitted (the artifact's `model`)."""
        return self.name

    @abstractmethod
    def item_matrix(self, x: sparse.csr_matrix) -> Matrix:
        """The item × item matrix learnt from the learner × item matrix `x`."""

    def fit(self, data: TrainingData) -> None:
        signals = strongest_signals(data.interactions, self.binary)
        ids = sorted({item for _, item in signals} - _unpublished(data))
        self._set_items(ids, {i: data.items[i].title for i in ids if i in data.items and data.items[i].title})
        signals = {key: weight for key, weight in signals.items() if key[1] in self._index}
        self._learn(interaction_matrix(signals, self._index))

    def _learn(self, x: sparse.csr_matrix) -> None:
        self.matrix = self.item_matrix(x).astype(np.float32)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._save_arrays(directory)
        meta = {"name": self.name, "version": self.version, "model": self.model, "parameters": self.parameters()}
        meta |= {"item_ids": self.item_ids, "titles": self.titles}
        (directory / MODEL_FILE).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Self:
        meta = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
        if meta["name"] != cls.name or meta["version"] != cls.version:
            raise ValueError(f"{directory} holds {meta['name']} v{meta['version']}, not {cls.name} v{cls.version}")
        model = cls(**meta["parameters"])
        model._set_items(meta["item_ids"], meta["titles"])
        model._load_arrays(directory, meta.get("model", model.model))
        return model

    def _save_arrays(self, directory: Path) -> None:
        np.savez_compressed(directory / MATRIX_FILE, matrix=self.matrix)

    def _load_arrays(self, directory: Path, model: str) -> None:
        with np.load(directory / MATRIX_FILE, allow_pickle=False) as arrays:
            self.matrix = arrays["matrix"].astype(np.float32)

    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        rows, weights = self._history_row(request.learner.history)
        if rows.size == 0 or request.k <= 0:
            return []
        scoring = self._scoring(rows, weights)
        scores = scoring.scores
        scores[~self._candidates(request)] = 0.0
        kinds = strongest_kinds(request.learner.history)
        return [self._recommendation(int(i), float(scores[i]), rows, scoring, kinds) for i in _top(scores, request.k)]

    def _scoring(self, rows: npt.NDArray[np.intp], weights: Matrix) -> Scoring:
        return MatrixScoring(self.matrix, rows, weights)

    def _set_items(self, ids: Sequence[str], titles: Mapping[str, str]) -> None:
        self.item_ids = list(ids)
        self.titles = dict(titles)
        self._index = {item: i for i, item in enumerate(self.item_ids)}

    def _history_row(self, history: Sequence[Interaction]) -> tuple[npt.NDArray[np.intp], Matrix]:
        signals = strongest_signals((s for s in history if s.item_id in self._index), self.binary)
        rows = np.array([self._index[item] for _, item in signals], dtype=np.intp)
        return rows, np.array(list(signals.values()), dtype=np.float32)

    def _candidates(self, request: RecommendationRequest) -> npt.NDArray[np.bool_]:
        if request.allowed is None:
            mask = np.ones(len(self.item_ids), dtype=np.bool_)
        else:
            mask = np.zeros(len(self.item_ids), dtype=np.bool_)
            mask[[self._index[i] for i in request.allowed if i in self._index]] = True
        mask[[self._index[i] for i in request.exclude if i in self._index]] = False
        return mask

    def _recommendation(self, item: int, score: float, rows: npt.NDArray[np.intp], scoring: Scoring,
                        kinds: Mapping[str, str | None]) -> Recommendation:
        contributor = self.item_ids[int(rows[np.argmax(scoring.shares(item))])]
        title = self.titles.get(contributor, contributor)
        reason = Reason(BECAUSE_YOU_ENGAGED, because_you(kinds.get(contributor), title))
        return Recommendation(self.item_ids[item], score, (reason,))


class Ease(ItemItemRecommender):
    name: ClassVar[str] = "cf"
    description: ClassVar[str] = ("Collaborative filtering (EASE; ALS for large catalogs): learners who took what you "
                                  "took also took these.")

    def __init__(self, l2: float = 300.0, binary: bool = True, als_threshold: int = 20_000, als_factors: int = 64,
                 als_regularization: float = 30.0, als_alpha: float = 4.0, als_iterations: int = 15) -> None:
        super().__init__(binary)
        self.l2 = l2
        self.als_threshold, self.als_factors, self.als_regularization = als_threshold, als_factors, als_regularization
        self.als_alpha, self.als_iterations = als_alpha, als_iterations
        self._factorization: Factorization | None = None

    def parameters(self) -> dict[str, Any]:
        return {"l2": self.l2, "binary": self.binary, "als_threshold": self.als_threshold,
                "als_factors": self.als_factors, "als_regularization": self.als_regularization,
                "als_alpha": self.als_alpha, "als_iterations": self.als_iterations}

    @property
    def model(self) -> str:
        """"ease", or "als" when the catalog had at least `als_threshold` items."""
        return ALS if self._factorization is not None else EASE

    def _learn(self, x: sparse.csr_matrix) -> None:
        if len(self.item_ids) < self.als_threshold:
            self._factorization = None
            super()._learn(x)
            return
        self._factorization = self._new_factorization()
        self._factorization.fit(x)
        self.matrix = np.zeros((0, 0), dtype=np.float32)

    def _new_factorization(self) -> Factorization:
        return Factorization(self.als_factors, self.als_regularization, self.als_alpha, self.als_iterations)

    def _save_arrays(self, directory: Path) -> None:
        if self._factorization is None:
            super()._save_arrays(directory)
        else:
            self._factorization.save(directory)

    def _load_arrays(self, directory: Path, model: str) -> None:
        if model != ALS:
            super()._load_arrays(directory, model)
            return
        self._factorization = self._new_factorization()
        self._factorization.load(directory)

    def _scoring(self, rows: npt.NDArray[np.intp], weights: Matrix) -> Scoring:
        if self._factorization is None:
            return super()._scoring(rows, weights)
        return self._factorization.fold_in(rows, weights)

    def item_matrix(self, x: sparse.csr_matrix) -> Matrix:
        gram: npt.NDArray[np.float64] = (x.T @ x).toarray()
        gram[np.diag_indices_from(gram)] += self.l2
        precision = np.linalg.inv(gram)
        weights = -precision / np.diag(precision)
        np.fill_diagonal(weights, 0.0)
        return weights.astype(np.float32)


class ItemKnn(ItemItemRecommender):
    name: ClassVar[str] = "item_knn"
    description: ClassVar[str] = "Item-kNN: courses most often taken together (cosine) with those you took."

    def __init__(self, neighbours: int = 200, shrink: float = 10.0, binary: bool = False) -> None:
        super().__init__(binary)
        self.neighbours = neighbours
        self.shrink = shrink

    def parameters(self) -> dict[str, Any]:
        return {"neighbours": self.neighbours, "shrink": self.shrink, "binary": self.binary}

    def item_matrix(self, x: sparse.csr_matrix) -> Matrix:
        gram: npt.NDArray[np.float64] = (x.T @ x).toarray()
        norms = np.sqrt(np.diag(gram))
        similarity = gram / (np.outer(norms, norms) + self.shrink + 1e-12)
        np.fill_diagonal(similarity, 0.0)
        return _keep_top_per_column(similarity, self.neighbours).astype(np.float32)


def _keep_top_per_column(matrix: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.float64]:
    """`matrix` with all but the k largest entries of each column (each item's neighbours) set to 0."""
    if k >= matrix.shape[0]:
        return matrix
    cutoff = np.partition(matrix, -k, axis=0)[-k]
    return np.where(matrix >= cutoff, matrix, 0.0)


def _unpublished(data: TrainingData) -> set[str]:
    return {item.id for item in data.items.values() if not item.published}


def _top(scores: Matrix, k: int) -> list[int]:
    """Indices of the (at most) k highest positive scores, best first (ties by index)."""
    positive = np.flatnonzero(scores > 0)
    if positive.size > k:
        positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
    return sorted(positive.tolist(), key=lambda i: (-scores[i], i))
