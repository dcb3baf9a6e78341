"""resolvers.analytics.serving: the servers' counts per UTC day and strategy, experiment arms summed."""

from datetime import UTC, date, datetime

import pytest

from app.core.documents import ServedTally
from resolvers.analytics.serving import serving_metrics
from resolvers.errors import UseCaseError

pytestmark = pytest.mark.usefixtures("clean")
NOW = datetime(2026, 5, 10, 15, tzinfo=UTC)


def tally(day: str, strategy: str, answers: int, fallbacks: int = 0, ms: float = 0.0, experiment: str = "",
          variant: str = "", **buckets: int) -> ServedTally:
    return ServedTally(id=f"{strategy}|{day}|{experiment}|{variant}", day=day, strategy=strategy,
                       experiment=experiment, variant=variant, answers=answers, fallbacks=fallbacks,
                       latency_ms_sum=ms, **buckets)


async def test_days_and_strategies_in_the_window_with_arms_summed() -> None:
    await ServedTally.insert_many([
        tally("2026-05-10", "hybrid", 8, ms=40.0, latency_le5=8),
        tally("2026-05-10", "hybrid", 2, fallbacks=0, ms=60.0, experiment="x", variant="b", latency_le50=2),
        tally("2026-05-10", "popular", 4, fallbacks=4, ms=4.0, latency_le5=4),
        tally("2026-05-09", "hybrid", 1, ms=3000.0, latency_inf=1),
        tally("2026-05-02", "hybrid", 5, ms=5.0, latency_le5=5),  # outside a 7-day window
    ])
    rows = await serving_metrics(7, NOW)
    assert [(r.day, r.strategy, r.answers, r.fallbacks) for r in rows] == [
        (date(2026, 5, 9), "hybrid", 1, 0), (date(2026, 5, 10), "hybrid", 10, 0), (date(2026, 5, 10), "popular", 4, 4)]
    hybrid = rows[1]
    assert (hybrid.latency_mean_ms, hybrid.latency_p95_ms) == (10.0, 50.0)
    assert rows[2].fallback_rate == 1.0
    assert rows[0].latency_p95_ms is None  # slower than the last bucket
    assert len(await serving_metrics(9, NOW)) == 4


@pytest.mark.parametrize("days", [0, 367])
async def test_a_window_out_of_range_is_bad_input(days: int) -> None:
    with pytest.raises(UseCaseError, match="days"):
        await serving_metrics(days, NOW)
