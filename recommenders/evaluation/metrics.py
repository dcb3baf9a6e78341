"""Top-k ranking metrics with binary relevance."""

import math
from collections.abc import Iterable, Sequence, Set


def ndcg_at_k(recommended: Sequence[str], relevant: Set[str], k: int) -> float:
    """DCG of the top k (log2 discount) over the ideal DCG of min(k, |relevant|) hits."""
    dcg = sum(1 / math.log2(rank + 2) for rank, item in enumerate(recommended[:k]) if item in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(k, len(relevant))))
    return dcg / ideal if ideal > 0 else 0.0


def hits_at_k(recommended: Sequence[str], relevant: Set[str], k: int) -> int:
    return sum(1 for item in recommended[:k] if item in relevant)


def precision_at_k(recommended: Sequence[str], relevant: Set[str], k: int) -> float:
    return hits_at_k(recommended, relevant, k) / k


def recall_at_k(recommended: Sequence[str], relevant: Set[str], k: int) -> float:
    return hits_at_k(recommended, relevant, k) / len(relevant) if relevant else 0.0


def hit_at_k(recommended: Sequence[str], relevant: Set[str], k: int) -> float:
    """1 when any of the top k is relevant: averaged over users, the hit rate."""
    return 1.0 if hits_at_k(recommended, relevant, k) else 0.0


def catalog_coverage(recommended_lists: Iterable[Sequence[str]], catalog_size: int) -> float:
    """Distinct items recommended to anyone over the catalog size."""
    distinct = {item for items in recommended_lists for item in items}
    return len(distinct) / catalog_size if catalog_size else 0.0
