"""What each variant of an experiment showed and how it was served: catalog coverage and concentration of its
impressions (from the events), answers, fallbacks and latency (from the servers' tallies, `ServedTally`).

- coverage: distinct courses with an impression / published courses (1.0 = every course was shown to someone);
- concentration: the Gini coefficient of impressions over the published catalog (0 = every course shown equally
  often, 1 = one course only); `1 - concentration` is the aggregate diversity of what was shown;
- fallback rate: answers `popular` gave because the variant's recommender failed, was late or had nothing / answers;
- latency: the mean and the 95th percentile (upper bound of its histogram bucket) of the server's time per answer,
  cached answers included.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.core.documents import LATENCY_BOUNDS_MS, Course, Event, ServedTally, latency_keys
from resolvers.analytics.popularity import gini
from resolvers.experiments.outcomes import IMPRESSION

_SEPARATOR = "\x1f"


def shown_courses_pipeline(experiment_id: str) -> list[dict[str, Any]]:
    """The experiment's impressions per (variant, course), keyed `variant \\x1f course_id`."""
    return [
        {"$match": {"properties.experiment": experiment_id, "type": IMPRESSION}},
        {"$project": {"_id": 0, "key": {"$concat": ["$properties.variant", _SEPARATOR, "$course_id"]}}},
        {"$group": {"_id": "$key", "impressions": {"$sum": 1}}},
    ]


@dataclass(frozen=True)
class Shown:
    """What one variant showed: impressions, distinct courses, coverage and concentration (Gini)."""

    impressions: int
    courses: int
    coverage: float
    concentration: float


@dataclass(frozen=True)
class ServedArm:
    """How one variant was served, over the experiment's days."""

    answers: int
    cached: int
    fallbacks: int
    fallback_rate: float
    latency_mean_ms: float
    latency_p95_ms: float | None  # None: slower than the last bucket's bound, or no answers


async def shown_by_variant(experiment_id: str) -> dict[str, Shown]:
    """variant -> what it showed (every learner's impressions tagged with it), against the published catalog: for
    an interleaving experiment, whose learners see both variants' items."""
    per_variant: dict[str, Counter[str]] = defaultdict(Counter)
    rows = await Event.get_pymongo_collection().aggregate(shown_courses_pipeline(experiment_id), batchSize=10_000)
    async for row in rows:
        variant, separator, course = str(row["_id"]).partition(_SEPARATOR)
        if separator and course:
            per_variant[variant][course] += int(row["impressions"])
    return await shown_of(per_variant)


async def shown_of(per_variant: Mapping[str, Counter[str]]) -> dict[str, Shown]:
    """variant -> what it showed, from its impressions per course, against the published catalog."""
    published = await Course.find({"published": True}).count()
    return {variant: _shown(counts, published) for variant, counts in per_variant.items()}


def _shown(counts: Mapping[str, int], published: int) -> Shown:
    catalog = max(published, len(counts))
    impressions = sum(counts.values())
    return Shown(impressions, len(counts), len(counts) / catalog if catalog else 0.0,
                 gini(np.array([*counts.values(), *([0] * (catalog - len(counts)))], dtype=np.float64)) or 0.0)


async def served_by_variant(experiment_id: str) -> dict[str, ServedArm]:
    """variant -> answers, fallbacks and latency the servers counted for it (every day and strategy summed)."""
    sums: dict[str, Counter[str]] = defaultdict(Counter)
    latency: dict[str, float] = defaultdict(float)
    async for row in ServedTally.get_pymongo_collection().find({"experiment": experiment_id}):
        variant = str(row.get("variant", ""))
        sums[variant].update({"answers": int(row.get("answers", 0)), "cached": int(row.get("cached", 0)),
                              "fallbacks": int(row.get("fallbacks", 0))})
        sums[variant].update({key: int(row.get(key, 0)) for key in latency_keys()})
        latency[variant] += float(row.get("latency_ms_sum", 0.0))
    return {variant: served_arm(counts, latency[variant]) for variant, counts in sums.items()}


def served_arm(counts: Counter[str], latency_ms_sum: float) -> ServedArm:
    """The arm's numbers from its summed counters (`ServedTally` fields) and latency sum."""
    answers = counts["answers"]
    return ServedArm(answers, counts["cached"], counts["fallbacks"], counts["fallbacks"] / answers if answers else 0.0,
                     latency_ms_sum / answers if answers else 0.0,
                     percentile([counts[key] for key in latency_keys()], 0.95))


def percentile(buckets: list[int], share: float) -> float | None:
    """The upper bound (ms) of the bucket holding the `share` quantile; None beyond the last bound or when empty."""
    total = sum(buckets)
    if total == 0:
        return None
    reached = 0
    for bound, count in zip([*LATENCY_BOUNDS_MS, None], buckets, strict=True):
        reached += count
        if reached >= share * total:
            return None if bound is None else float(bound)
    return None
