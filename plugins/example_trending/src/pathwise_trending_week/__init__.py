"""`trending_week`: the items most engaged with in the 7 days up to the request's `now`.

An example Pathwise recommender plugin. `fit` sums interaction weight per item and UTC day (interactions
without a time are ignored); `recommend` sums the days from `request.now` - 6 days to `request.now`
(today when `now` is unset), best first, ties by item id. Unpublished catalog items are never returned.
The artifact is one JSON file.
"""

import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from plugins.hookspecs import hookimpl
from recommenders.base import (
    Reason,
    Recommendation,
    RecommendationRequest,
    Recommender,
    TrainingData,
    allowed,
)

ARTIFACT = "trending_week.json"
WINDOW_DAYS = 7
TRENDING = Reason("TRENDING", "Trending this week")

DailyWeights = dict[str, dict[str, float]]  # item id -> ISO day -> summed weight


def utc_day(moment: datetime) -> date:
    """The UTC calendar day of `moment` (naive datetimes are taken as UTC)."""
    return moment.astimezone(UTC).date() if moment.tzinfo else moment.date()


class TrendingThisWeek(Recommender):
    name = "trending_week"
    version = "1"
    description = "Trending this week: the items most engaged with in the last 7 days."

    def __init__(self, daily: DailyWeights | None = None) -> None:
        self.daily: DailyWeights = daily or {}

    def fit(self, data: TrainingData) -> None:
        daily: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
        for interaction in data.interactions:
            item = data.items.get(interaction.item_id)
            if interaction.at is None or (item is not None and not item.published):
                continue
            daily[interaction.item_id][utc_day(interaction.at).isoformat()] += interaction.weight
        self.daily = {item_id: dict(days) for item_id, days in daily.items()}

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        payload = {"version": self.version, "daily": self.daily}
        (directory / ARTIFACT).write_text(json.dumps(payload, sort_keys=True), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "TrendingThisWeek":
        payload = json.loads((directory / ARTIFACT).read_text(encoding="utf-8"))
        return cls({item: {day: float(w) for day, w in days.items()} for item, days in payload["daily"].items()})

    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        days = self._window(request.now or datetime.now(UTC))
        scores = {item: sum(by_day.get(day, 0.0) for day in days) for item, by_day in self.daily.items()}
        ranked = sorted(
            ((item, score) for item, score in scores.items() if score > 0 and allowed(request, item)),
            key=lambda pair: (-pair[1], pair[0]),
        )
        return [Recommendation(item, score, (TRENDING,)) for item, score in ranked[: request.k]]

    @staticmethod
    def _window(now: datetime) -> list[str]:
        today = utc_day(now)
        return [(today - timedelta(days=offset)).isoformat() for offset in range(WINDOW_DAYS)]


@hookimpl
def pathwise_recommenders() -> list[type[Recommender]]:
    """This plugin's recommenders."""
    return [TrendingThisWeek]
