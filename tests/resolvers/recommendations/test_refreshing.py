"""resolvers.recommendations.refreshing: new artifacts and catalog changes served without a restart."""

from pathlib import Path

import pytest

from resolvers.courses.courses import upsert_courses
from resolvers.recommendations.recommend import similar_courses
from resolvers.recommendations.training import train_recommenders
from tests.resolvers.recommendations.test_recommend import seed, settings_in, started

pytestmark = pytest.mark.usefixtures("clean")


async def test_a_newer_artifact_is_picked_up_without_restart(tmp_path: Path) -> None:
    await seed()
    settings = settings_in(tmp_path)
    await train_recommenders(settings, ["popular"])
    service = await started(settings)
    try:
        first = service.models.slots["popular"].manifest
        assert first is not None
        await train_recommenders(settings, ["popular"])
        await service.refresher.refresh_artifacts()
        second = service.models.slots["popular"].manifest
        assert second is not None and second.version != first.version
    finally:
        await service.stop()


async def test_new_courses_are_embedded_when_the_catalog_changes(tmp_path: Path) -> None:
    await seed()
    settings = settings_in(tmp_path)
    await train_recommenders(settings, ["content"])
    service = await started(settings)
    try:
        await upsert_courses([{"id": "py3", "title": "Advanced Python", "summary": "Concurrency and packaging.",
                               "skills": ["Python"]}], 100)
        await service.refresher.refresh_catalog()
        similar = [item.course.id for item in similar_courses(service, "py3", 3, None)]
        assert similar and set(similar) <= {"py1", "py2", "ml"}
    finally:
        await service.stop()


async def test_a_poll_that_serves_nothing_new_keeps_the_cached_answers(tmp_path: Path) -> None:
    await seed()
    settings = settings_in(tmp_path)
    await train_recommenders(settings, ["popular"])  # the other configured recommenders are never trained
    service = await started(settings)
    try:
        service.cache.put("u1", "question", "answer", service.cache.clock())
        await service.refresher.refresh_artifacts()  # looks for the untrained ones again: nothing new served
        assert service.cache.get("u1", "question") == "answer"
        await train_recommenders(settings, ["popular"])
        await service.refresher.refresh_artifacts()  # a new version served: answers of the old one go
        assert service.cache.get("u1", "question") is None
    finally:
        await service.stop()
