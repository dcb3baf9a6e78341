"""Re-ranking the serving layer applies to a candidate list (longer than k) before cutting it to k.

- `fit_to_context`: on a phone (device "mobile" or "phone") with `available_minutes` free, each score is
  multiplied by fit(d) = 1 / (1 + max(0, d / m − 1)²), d the item's duration and m the free minutes: 1 for an
  item that fits (d ≤ m), 0.5 at twice the time, 0.2 at three times, smooth where it starts. Items without a
  duration are left as they are; items that fit get the reason FITS_YOUR_TIME. Scores are assumed ≥ 0.
- `mmr`: maximal marginal relevance. Greedily picks the item maximising
  (1 − diversity) x relevance − diversity x (its highest similarity to an item already picked), relevance being
  the score min-max normalised to [0, 1]; diversity 0 keeps the order, 1 picks by dissimilarity alone (ties by
  the original order). Scores are left as they were.
- `favour_declared`: items whose skills or topics the learner declared as goals or interests (explicit
  preferences) have their score multiplied by `boost` (1.25): what the learner said weighs with what they did.
- `jaccard_similarity`: Jaccard similarity of two items' skill and topic labels, for MMR when no content
  vectors are loaded.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from recommenders.base import Item, Reason, Recommendation

PHONES = frozenset({"mobile", "phone"})
DECLARED_BOOST = 1.25
FITS_YOUR_TIME = "FITS_YOUR_TIME"

Similarity = Callable[[str, str], float]


def time_fit(duration_minutes: int | None, available_minutes: float) -> float:
    """The factor an item's score is multiplied by: 1 when it fits, falling smoothly the longer it runs over."""
    if duration_minutes is None or available_minutes <= 0:
        return 1.0
    over = max(0.0, duration_minutes / available_minutes - 1.0)
    return 1.0 / (1.0 + over * over)


def fit_to_context(recs: Sequence[Recommendation], items: Mapping[str, Item], available_minutes: int | None,
                   device: str | None) -> list[Recommendation]:
    """`recs` re-scored for a phone with `available_minutes` free (unchanged otherwise), best first."""
    if available_minutes is None or available_minutes <= 0 or (device or "").casefold() not in PHONES:
        return list(recs)
    fits = Reason(FITS_YOUR_TIME, f"Fits in your {available_minutes} free minutes")
    rescored = [_fitted(rec, items.get(rec.item_id), available_minutes, fits) for rec in recs]
    return sorted(rescored, key=lambda rec: -rec.score)


def _fitted(rec: Recommendation, item: Item | None, available_minutes: int, fits: Reason) -> Recommendation:
    duration = item.duration_minutes if item is not None else None
    if duration is None:
        return rec
    reasons = (*rec.reasons, fits) if duration <= available_minutes else rec.reasons
    return Recommendation(rec.item_id, rec.score * time_fit(duration, available_minutes), reasons, rec.source)


def favour_declared(recs: Sequence[Recommendation], items: Mapping[str, Item], declared: frozenset[str],
                    boost: float = DECLARED_BOOST) -> list[Recommendation]:
    """`recs` with the scores of items labelled with a declared label (casefolded) multiplied by `boost`, best
    first (a stable sort: ties keep their order)."""
    if not declared:
        return list(recs)

    def said(item: Item | None) -> bool:
        return item is not None and any(label.casefold() in declared for label in (*item.skills, *item.topics))

    return favour_items(recs, frozenset(rec.item_id for rec in recs if said(items.get(rec.item_id))), boost)


def favour_items(recs: Sequence[Recommendation], chosen: frozenset[str],
                 boost: float = DECLARED_BOOST) -> list[Recommendation]:
    """`recs` with the scores of the `chosen` items multiplied by `boost`, best first (stable: ties keep their
    order); `favour_declared` with the labelled items found beforehand."""
    if not chosen:
        return list(recs)
    rescored = [replace(rec, score=rec.score * boost) if rec.item_id in chosen else rec for rec in recs]
    return sorted(rescored, key=lambda rec: -rec.score)


def mmr(recs: Sequence[Recommendation], similarity: Similarity, k: int, diversity: float) -> list[Recommendation]:
    """At most `k` of `recs` in maximal-marginal-relevance order (`diversity` in [0, 1]; 0 = unchanged)."""
    if not 0.0 <= diversity <= 1.0:
        raise ValueError(f"diversity must be within [0, 1], not {diversity}")
    if diversity == 0.0 or k <= 0:
        return list(recs[: max(k, 0)])
    relevance = _normalised([rec.score for rec in recs])
    remaining = list(range(len(recs)))
    closest = [0.0] * len(recs)  # each candidate's highest similarity to a picked item
    picked: list[int] = []
    while remaining and len(picked) < k:
        best = max(remaining, key=lambda i: ((1 - diversity) * relevance[i] - diversity * closest[i], -i))
        remaining.remove(best)
        picked.append(best)
        for i in remaining:
            closest[i] = max(closest[i], similarity(recs[i].item_id, recs[best].item_id))
    return [recs[i] for i in picked]


def _normalised(scores: list[float]) -> list[float]:
    low, high = min(scores, default=0.0), max(scores, default=0.0)
    if high == low:
        return [1.0] * len(scores)
    return [(score - low) / (high - low) for score in scores]


def jaccard_similarity(items: Mapping[str, Item]) -> Similarity:
    """similarity(a, b): Jaccard of the two items' case-folded skills and topics (0 for unknown or unlabelled)."""
    labels: dict[str, frozenset[str]] = {}

    def _labels(item_id: str) -> frozenset[str]:
        if item_id not in labels:
            item = items.get(item_id)
            found = (*item.skills, *item.topics) if item is not None else ()
            labels[item_id] = frozenset(label.casefold() for label in found)
        return labels[item_id]

    def similarity(a: str, b: str) -> float:
        first, second = _labels(a), _labels(b)
        union = first | second
        return len(first & second) / len(union) if union else 0.0

    return similarity
