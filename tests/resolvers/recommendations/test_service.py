"""resolvers.recommendations.service: the serving rules — a time budget per call, `popular` as the fallback."""

from pathlib import Path

import pytest

from app.core.timestamps import utcnow
from recommenders.base import Recommendation, RecommendationRequest
from resolvers.recommendations.recommend import Ask, LearnerRecords, recommend_courses
from resolvers.recommendations.training import train_recommenders
from tests.resolvers.recommendations.test_recommend import DEFAULTS, seed, settings_in, started

pytestmark = pytest.mark.usefixtures("clean")


class Exploding:
    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        raise RuntimeError("boom")


class Sleepy:
    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        import time

        time.sleep(0.5)
        return [Recommendation("cook", 1.0)]


@pytest.mark.parametrize("broken", [Exploding(), Sleepy()])
async def test_a_failing_or_late_recommender_falls_back_to_popular(tmp_path: Path, broken: object) -> None:
    await seed()
    settings = settings_in(tmp_path, recommendation_budget_ms=100)
    await train_recommenders(settings)
    service = await started(settings)
    try:
        service.models.slots["cf"].model = broken  # type: ignore[assignment]
        found = await recommend_courses(service, LearnerRecords(None, [], []), Ask(strategy="cf"), utcnow(), 30.0,
                                        DEFAULTS)
        assert found.fallback is True and found.strategy == "popular" and found.items
    finally:
        await service.stop()
