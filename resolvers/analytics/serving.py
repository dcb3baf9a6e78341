"""How the servers answered, day by day and per strategy, from their counts (`ServedTally`: per UTC day, strategy
and experiment arm the answers, cached answers, fallbacks and latency histogram). No learner is in these counts.

Per (day, strategy), experiment arms summed: answers, cached, fallbacks, the fallback rate (fallbacks / answers),
the mean latency and the 95th percentile (the upper bound of its histogram bucket; None beyond the last bound).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.core.documents import ServedTally, latency_keys
from app.core.timestamps import as_utc
from resolvers.analytics.limits import MAX_DAYS, within
from resolvers.experiments.shown import served_arm


@dataclass(frozen=True)
class ServingDay:
    """One strategy's answers on one UTC day."""

    day: date
    strategy: str
    answers: int
    cached: int
    fallbacks: int
    fallback_rate: float
    latency_mean_ms: float
    latency_p95_ms: float | None


async def serving_metrics(days: int, now: datetime) -> list[ServingDay]:
    """Every (day, strategy) the servers counted in the last `days` UTC days up to `now`'s, by day then strategy;
    BAD_USER_INPUT when `days` is not 1–366."""
    within("days", days, 1, MAX_DAYS)
    last = as_utc(now).date()
    first = (last - timedelta(days=days - 1)).isoformat()
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    latency: dict[tuple[str, str], float] = defaultdict(float)
    found = ServedTally.get_pymongo_collection().find({"day": {"$gte": first, "$lte": last.isoformat()}})
    async for row in found:
        key = (str(row.get("day")), str(row.get("strategy")))
        counts[key].update({name: int(row.get(name, 0)) for name in ("answers", "cached", "fallbacks",
                                                                         *latency_keys())})
        latency[key] += float(row.get("latency_ms_sum", 0.0))
    return [_day(day, strategy, counts[(day, strategy)], latency[(day, strategy)])
            for day, strategy in sorted(counts) if first <= day <= last.isoformat()]


def _day(day: str, strategy: str, counts: Counter[str], latency_ms_sum: float) -> ServingDay:
    arm = served_arm(counts, latency_ms_sum)
    return ServingDay(date.fromisoformat(day), strategy, arm.answers, arm.cached, arm.fallbacks, arm.fallback_rate,
                      arm.latency_mean_ms, arm.latency_p95_ms)
