"""The example plugin's own tests: the recommender's behaviour, its artifact, and its registration."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pathwise_trending_week as plugin
from pathwise_trending_week import TRENDING, TrendingThisWeek

from plugins.registry import Registry
from recommenders.base import Interaction, Item, Learner, RecommendationRequest, TrainingData

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def seen(item_id: str, days_ago: float, weight: float = 1.0, user: str = "u") -> Interaction:
    return Interaction(user, item_id, weight, NOW - timedelta(days=days_ago))


def fitted(*interactions: Interaction, items: dict[str, Item] | None = None) -> TrendingThisWeek:
    recommender = TrendingThisWeek()
    recommender.fit(TrainingData(items=items or {}, interactions=interactions))
    return recommender


def ask(recommender: TrendingThisWeek, **request: Any) -> list[str]:
    query = replace(RecommendationRequest(Learner("u"), now=NOW), **request)
    return [r.item_id for r in recommender.recommend(query)]


def test_ranks_by_engagement_in_the_last_seven_days_only() -> None:
    recommender = fitted(
        seen("a", 1), seen("b", 2), seen("b", 3), seen("old", 8), seen("old", 9), seen("old", 10), seen("future", -2)
    )
    assert ask(recommender) == ["b", "a"]


def test_window_is_relative_to_request_now() -> None:
    recommender = fitted(seen("a", 1), seen("old", 10))
    assert ask(recommender, now=NOW - timedelta(days=8)) == ["old"]


def test_weights_ties_k_exclude_and_allowed() -> None:
    recommender = fitted(seen("a", 1, 3.0), seen("b", 1), seen("c", 1), seen("d", 1))
    assert ask(recommender) == ["a", "b", "c", "d"]
    assert ask(recommender, k=2) == ["a", "b"]
    assert ask(recommender, exclude=frozenset({"a"})) == ["b", "c", "d"]
    assert ask(recommender, allowed=frozenset({"c", "d"})) == ["c", "d"]


def test_unpublished_items_and_untimed_interactions_are_ignored() -> None:
    items = {"hidden": Item("hidden", published=False), "shown": Item("shown")}
    recommender = fitted(seen("hidden", 1), seen("shown", 1), Interaction("u", "untimed"), items=items)
    assert ask(recommender) == ["shown"]


def test_recommendations_carry_the_trending_reason_and_score() -> None:
    recommendation = fitted(seen("a", 1, 2.0), seen("a", 2, 0.5)).recommend(RecommendationRequest(Learner(), now=NOW))
    assert [(r.item_id, r.score, r.reasons) for r in recommendation] == [("a", 2.5, (TRENDING,))]
    assert TRENDING.code == "TRENDING"
    assert TRENDING.text == "Trending this week"


def test_naive_times_are_utc_and_now_defaults_to_today() -> None:
    recommender = fitted(Interaction("u", "a", 1.0, datetime.now(UTC).replace(tzinfo=None)))
    assert [r.item_id for r in recommender.recommend(RecommendationRequest(Learner()))] == ["a"]


def test_save_and_load_round_trip_as_json(tmp_path: Path) -> None:
    recommender = fitted(seen("a", 1), seen("b", 2, 2.0))
    recommender.save(tmp_path)
    assert (tmp_path / plugin.ARTIFACT).read_text(encoding="utf-8").startswith("{")
    assert ask(TrendingThisWeek.load(tmp_path)) == ask(recommender) == ["b", "a"]


def test_the_hook_registers_the_recommender_by_name() -> None:
    registry = Registry.build(entry_points=False)
    registry.register(plugin, name="trending_week")
    assert registry.select(["trending_week", "popular"])[0] is TrendingThisWeek
    assert plugin.pathwise_recommenders() == [TrendingThisWeek]
