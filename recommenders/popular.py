"""`popular`: global, trending (time-decayed) and per-segment popularity — the cold-start answer.

Base ranking: `ranking="global"` (the default) ranks by summed interaction weight — this reproduces the published
MostPopular baseline — and `ranking="trending"` by weight decayed exponentially with `half_life_days` from the
newest interaction (global when no interaction has a time). Items in the trending top `trending_top` carry the
TRENDING reason, other base items POPULAR.

Segment rule: a learner's segment value (interest, job role, level, language) is used only when at least
`min_segment_learners` learners share it. Each usable segment's table and the base table are normalised to
[0, 1] by their top item; the score is `segment_weight` x the mean over usable segments + (1 - `segment_weight`)
x the base, and items carry POPULAR_WITH_SIMILAR. With no usable segment (thin or unknown), the base ranking
alone is returned.
"""

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from recommenders.base import (
    Reason,
    Recommendation,
    RecommendationRequest,
    Recommender,
    TrainingData,
    allowed,
)

ARTIFACT = "popular.json"
POPULAR = Reason("POPULAR", "Popular with learners")
TRENDING = Reason("TRENDING", "Trending now")
POPULAR_WITH_SIMILAR = Reason("POPULAR_WITH_SIMILAR", "Popular with learners like you")

RANKINGS = ("global", "trending")
RANKING_CACHE_SIZE = 1024  # rankings kept per combination of usable segments (computed once, then reused)

Table = dict[str, float]


class Popular(Recommender):
    name = "popular"
    version = "1"
    description = "Most popular items: global, trending (time-decayed) and per learner segment."

    def __init__(self, ranking: str = "global", half_life_days: float = 30.0, min_segment_learners: int = 5,
                 segment_weight: float = 0.7, trending_top: int = 20) -> None:
        if ranking not in RANKINGS:
            raise ValueError(f"ranking must be one of {', '.join(RANKINGS)}, not {ranking!r}")
        self.ranking = ranking
        self.trending_top = trending_top
        self.half_life_days = half_life_days
        self.min_segment_learners = min_segment_learners
        self.segment_weight = segment_weight
        self.global_weights: Table = {}
        self.trending_weights: Table = {}
        self.segments: dict[str, dict[str, Table]] = {}
        self.segment_sizes: dict[str, dict[str, int]] = {}
        self._rankings: dict[tuple[tuple[str, str], ...], list[tuple[str, float, Reason]]] = {}

    def fit(self, data: TrainingData) -> None:
        self._rankings = {}
        self.global_weights = _sum_weights((i.item_id, i.weight) for i in data.interactions)
        self.trending_weights = _trending(data, self.half_life_days)
        self.segments, self.segment_sizes = _segment_tables(data)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        state = {"ranking": self.ranking, "trending_top": self.trending_top, "half_life_days": self.half_life_days,
                 "min_segment_learners": self.min_segment_learners,
                 "segment_weight": self.segment_weight, "global": self.global_weights,
                 "trending": self.trending_weights, "segments": self.segments, "segment_sizes": self.segment_sizes}
        (directory / ARTIFACT).write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "Popular":
        state = json.loads((directory / ARTIFACT).read_text(encoding="utf-8"))
        popular = cls(state["ranking"], state["half_life_days"], state["min_segment_learners"],
                      state["segment_weight"], state["trending_top"])
        popular.global_weights = state["global"]
        popular.trending_weights = state["trending"]
        popular.segments = state["segments"]
        popular.segment_sizes = state["segment_sizes"]
        return popular

    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        usable = self._usable_segments(request.learner.segments)
        ranking = self._rankings.get(usable)
        if ranking is None:
            ranking = self._ranking(usable)
            if len(self._rankings) >= RANKING_CACHE_SIZE:
                self._rankings.clear()
            self._rankings[usable] = ranking
        picked: list[Recommendation] = []
        for item, score, reason in ranking:
            if len(picked) >= request.k:
                break
            if allowed(request, item):
                picked.append(Recommendation(item, score, (reason,)))
        return picked

    def _ranking(self, usable: tuple[tuple[str, str], ...]) -> list[tuple[str, float, Reason]]:
        """Every item, best first, with its score and reason, for learners in the `usable` segments."""
        use_trending = self.ranking == "trending" and self.trending_weights
        base = _normalised(self.trending_weights if use_trending else self.global_weights)
        if usable:
            tables = [_normalised(self.segments[name][value]) for name, value in usable]
            blended = _blend(base, tables, self.segment_weight)
            return [(item, blended[item], POPULAR_WITH_SIMILAR) for item in _ranked(blended)]
        trending = set(_ranked(self.trending_weights)[: self.trending_top])
        return [(item, base[item], TRENDING if item in trending else POPULAR) for item in _ranked(base)]

    def _usable_segments(self, learner_segments: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
        return tuple((name, value) for name, value in sorted(learner_segments.items())
                     if self.segment_sizes.get(name, {}).get(value, 0) >= self.min_segment_learners)


def _sum_weights(pairs: Iterable[tuple[str, float]]) -> Table:
    table: defaultdict[str, float] = defaultdict(float)
    for item_id, weight in pairs:
        table[item_id] += weight
    return dict(table)


def _trending(data: TrainingData, half_life_days: float) -> Table:
    times = [i.at for i in data.interactions if i.at is not None]
    if not times:
        return {}
    latest = max(times)
    return _sum_weights((i.item_id, i.weight * _decay(latest, i.at, half_life_days))
                        for i in data.interactions if i.at is not None)


def _decay(latest: datetime, at: datetime, half_life_days: float) -> float:
    age_days = (latest - at).total_seconds() / 86400
    return math.pow(0.5, age_days / half_life_days)


def _segment_tables(data: TrainingData) -> tuple[dict[str, dict[str, Table]], dict[str, dict[str, int]]]:
    tables: defaultdict[str, defaultdict[str, Table]] = defaultdict(lambda: defaultdict(dict))
    sizes: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for segments in data.segments.values():
        for name, value in segments.items():
            sizes[name][value] += 1
    for interaction in data.interactions:
        for name, value in data.segments.get(interaction.user_id, {}).items():
            table = tables[name][value]
            table[interaction.item_id] = table.get(interaction.item_id, 0.0) + interaction.weight
    return ({n: dict(v) for n, v in tables.items()}, {n: dict(v) for n, v in sizes.items()})


def _normalised(table: Table) -> Table:
    top = max(table.values(), default=0.0)
    return {item: weight / top for item, weight in table.items()} if top > 0 else dict(table)


def _blend(base: Table, segment_tables: list[Table], segment_weight: float) -> Table:
    items = set(base).union(*segment_tables)
    share = segment_weight / len(segment_tables)
    return {item: (1 - segment_weight) * base.get(item, 0.0) + share * sum(t.get(item, 0.0) for t in segment_tables)
            for item in items}


def _ranked(table: Table) -> list[str]:
    return [item for item, _ in sorted(table.items(), key=lambda pair: (-pair[1], pair[0]))]
