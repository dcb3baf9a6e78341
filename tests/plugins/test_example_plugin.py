"""The example plugin under plugins/example_trending: listed through the registry, packaged for the entry point."""

import importlib
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from plugins.hookspecs import ENTRY_POINT_GROUP
from plugins.registry import Registry
from recommenders.base import Interaction, Learner, RecommendationRequest, TrainingData

PACKAGE = Path(__file__).resolve().parents[2] / "plugins" / "example_trending"
NOW = datetime(2026, 11, 27, tzinfo=UTC)


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(PACKAGE / "src"))
    return importlib.import_module("pathwise_trending_week")


def test_the_example_is_listed_with_its_metadata(example: ModuleType) -> None:
    registry = Registry.build(entry_points=False)
    registry.register(example, name="pathwise-trending-week")
    info = next(info for info in registry.describe() if info.name == "trending_week")
    assert info.version == "1"
    assert info.description.startswith("Trending this week")
    assert info.source == "pathwise-trending-week"


def test_the_example_recommends_this_weeks_most_engaged_items(example: ModuleType) -> None:
    registry = Registry.build(entry_points=False)
    registry.register(example)
    recommender = registry.select(["trending_week"])[0]()
    at = [NOW - timedelta(days=days) for days in (1, 2, 2, 9, 9, 9)]
    interactions = [Interaction("u", item, 1.0, when) for item, when in zip("abbccc", at, strict=True)]
    recommender.fit(TrainingData(items={}, interactions=interactions))
    recommended = recommender.recommend(RecommendationRequest(Learner("u"), now=NOW))
    assert [(r.item_id, r.reasons[0].code) for r in recommended] == [("b", "TRENDING"), ("a", "TRENDING")]


def test_the_package_declares_the_entry_point() -> None:
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"][ENTRY_POINT_GROUP] == {"trending_week": "pathwise_trending_week"}
    assert (PACKAGE / "src" / "pathwise_trending_week" / "__init__.py").is_file()
    assert (PACKAGE / "README.md").is_file()
