"""Fit recommenders on a split's train part and score their top k on its held-out items."""

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from statistics import fmean
from typing import Any

from recommenders.base import Interaction, Learner, RecommendationRequest, Recommender
from recommenders.evaluation.metrics import catalog_coverage, hit_at_k, ndcg_at_k, precision_at_k, recall_at_k
from recommenders.evaluation.protocols import Split

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Scores:
    recommender: str
    ndcg: float
    precision: float
    recall: float
    hit_rate: float
    coverage: float
    users: int
    fit_seconds: float
    recommend_seconds: float


@dataclass(frozen=True)
class Report:
    dataset: str
    protocol: str
    k: int
    train_interactions: int
    test_users: int
    catalog_size: int
    results: list[Scores]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def steps(recommenders: Sequence[Recommender], split: Split) -> int:
    """How many times `evaluate` calls `progress`: one fit plus one per test user, per recommender."""
    return len(recommenders) * (1 + len(split.test))


def evaluate(recommenders: Sequence[Recommender], split: Split, k: int, dataset: str = "", protocol: str = "",
             progress: Progress = lambda _: None) -> Report:
    scores = [_score(recommender, split, k, progress) for recommender in recommenders]
    return Report(dataset, protocol, k, len(split.train.interactions), len(split.test), len(split.train.items), scores)


def _score(recommender: Recommender, split: Split, k: int, progress: Progress) -> Scores:
    progress(f"fitting {recommender.name}")
    started = time.perf_counter()
    recommender.fit(split.train)
    fitted = time.perf_counter()
    lists = _recommend_all(recommender, split, k, progress)
    done = time.perf_counter()
    rows = [(lists[user], relevant) for user, relevant in split.test.items()]
    return Scores(recommender.name, fmean(ndcg_at_k(r, t, k) for r, t in rows),
                  fmean(precision_at_k(r, t, k) for r, t in rows), fmean(recall_at_k(r, t, k) for r, t in rows),
                  fmean(hit_at_k(r, t, k) for r, t in rows), catalog_coverage(lists.values(), len(split.train.items)),
                  len(rows), fitted - started, done - fitted)


def _recommend_all(recommender: Recommender, split: Split, k: int, progress: Progress) -> dict[str, list[str]]:
    history = _history(split.train.interactions)
    lists: dict[str, list[str]] = {}
    for user_id in split.test:
        progress(f"recommending with {recommender.name}")
        request = _request(user_id, history.get(user_id, []), split.train.segments, k, split.cuts.get(user_id))
        lists[user_id] = [r.item_id for r in recommender.recommend(request)]
    return lists


def _request(user_id: str, history: list[Interaction], segments: Mapping[str, Mapping[str, str]],
             k: int, now: datetime | None) -> RecommendationRequest:
    """What the learner is asked with: their train history, excluded from the answer, as of `now` (their cut in a
    temporal split, so time-aware recommenders see the moment the held-out items came; None: the present)."""
    learner = Learner(user_id=user_id, history=history, segments=segments.get(user_id, {}))
    return RecommendationRequest(learner, k=k, exclude=frozenset(i.item_id for i in history), now=now)


def _history(interactions: Sequence[Interaction]) -> dict[str, list[Interaction]]:
    by_user: defaultdict[str, list[Interaction]] = defaultdict(list)
    for interaction in interactions:
        by_user[interaction.user_id].append(interaction)
    for rows in by_user.values():
        rows.sort(key=lambda i: (i.at is not None, i.at))  # newest last
    return dict(by_user)
