"""What is done to recommenders' lists after they answer: padding a short list from popularity, scores replaced
by rank, lists fused by weighted reciprocal rank, and similarity between courses (content vectors, else shared
skills and topics)."""

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np

from recommenders import reranking
from recommenders.base import Item, Reason, Recommendation, RecommendationRequest, Recommender
from recommenders.content import Content

Similarity = Callable[[str, str], float]


def padded(found: list[Recommendation], request: RecommendationRequest,
           popular: Recommender) -> list[Recommendation]:
    """`found` filled up to `request.k` from `popular` (below everything found), so filters and context never
    leave a short list while the catalog has courses that pass them."""
    if len(found) >= request.k:
        return found
    present = {rec.item_id for rec in found}
    more = popular.recommend(replace(request, exclude=request.exclude | present, k=request.k - len(found)))
    floor = min((rec.score for rec in found), default=1.0)
    return found + [Recommendation(rec.item_id, floor * 0.5 ** (rank + 1), rec.reasons, "popular")
                    for rank, rec in enumerate(more)]


def by_rank(found: list[Recommendation]) -> list[Recommendation]:
    """Scores replaced by rank relevance in (0.5, 1] (recommenders' scores are not comparable across them)."""
    size = max(len(found), 1)
    return [replace(rec, score=1.0 - 0.5 * rank / size) for rank, rec in enumerate(found)]


def fused_by_rank(lists: Mapping[str, list[Recommendation]], weights: Mapping[str, float], k: int, rrf_k: float,
                  max_reasons: int) -> list[Recommendation]:
    """The best `k` of `lists` (by source key) by weighted reciprocal rank: Σ weight / (`rrf_k` + rank), ranks
    from 1. Each item keeps the reasons of its top contributors (at most `max_reasons`); `source` names the top."""
    shares: defaultdict[str, list[tuple[float, str, Recommendation]]] = defaultdict(list)
    for key, found in lists.items():
        for rank, rec in enumerate(found, start=1):
            shares[rec.item_id].append((weights[key] / (rrf_k + rank), key, rec))
    scores = {item_id: sum(share for share, _, _ in parts) for item_id, parts in shares.items()}
    ranked = sorted(scores, key=lambda item_id: (-scores[item_id], item_id))[:k]
    return [_blended(item_id, scores[item_id], shares[item_id], max_reasons) for item_id in ranked]


def _blended(item_id: str, score: float, parts: list[tuple[float, str, Recommendation]],
             max_reasons: int) -> Recommendation:
    parts = sorted(parts, key=lambda part: (-part[0], part[1]))
    reasons: list[Reason] = []
    for _, _, rec in parts:
        reasons += [reason for reason in rec.reasons if reason not in reasons]
    return Recommendation(item_id, score, tuple(reasons[:max_reasons]), source=parts[0][1])


def similarity(content: Recommender | None, items: Mapping[str, Item]) -> Similarity:
    """Cosine of the courses' content vectors when `content` is a loaded `Content`, else their Jaccard
    similarity of skills and topics."""
    if isinstance(content, Content):
        positions, vectors = content.positions, content.vectors

        def cosine(a: str, b: str) -> float:
            if a in positions and b in positions:
                return float(np.dot(vectors[positions[a]], vectors[positions[b]]))
            return 0.0

        return cosine
    jaccard: Similarity = reranking.jaccard_similarity(items)
    return jaccard


def shared_labels(items: Mapping[str, Item], course_id: str, k: int,
                  exclude: frozenset[str]) -> list[Recommendation]:
    """The `k` published courses sharing most skills and topics with `course_id` (Jaccard), for when there are no
    content embeddings."""
    target = items.get(course_id)
    if target is None:
        return []
    labels = {label.casefold() for label in (*target.skills, *target.topics)}
    scored = []
    for other in items.values():
        if other.id == course_id or other.id in exclude or not other.published:
            continue
        mine = {label.casefold() for label in (*other.skills, *other.topics)}
        union = labels | mine
        if union and labels & mine:
            scored.append((len(labels & mine) / len(union), other.id))
    reason = Reason("SIMILAR_TO", f"Similar to {target.title}")
    best = sorted(scored, key=lambda pair: (-pair[0], pair[1]))[:k]
    return [Recommendation(item_id, score, (reason,)) for score, item_id in best]
