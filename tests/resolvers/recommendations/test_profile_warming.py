"""resolvers.recommendations.profile_warming: learners' profile texts embedded ahead of their requests."""

from pathlib import Path

import pytest

from app.core.documents import User
from app.core.timestamps import utcnow
from resolvers.recommendations.training import train_recommenders
from tests.resolvers.recommendations.test_recommend import seed, settings_in, started

pytestmark = pytest.mark.usefixtures("clean")


async def test_profiles_are_embedded_ahead_of_requests(tmp_path: Path) -> None:
    from recommenders.content import PROFILE_VECTORS

    await seed()
    goal = f"Become a {utcnow().timestamp()} data engineer"
    await User(id="warm", goals=[goal], consents={"personalization": True}).insert()
    settings = settings_in(tmp_path)
    await train_recommenders(settings, ["content"])
    service = await started(settings)
    try:
        assert await service.profiles.warm() >= 1
        assert PROFILE_VECTORS.warm([goal]) == 0  # already there
    finally:
        await service.stop()


async def test_a_profile_write_queues_its_embedding_before_the_next_request(tmp_path: Path) -> None:
    from recommenders.content import PROFILE_VECTORS
    from resolvers.profile.onboarding import OnboardingAnswers, submit_onboarding

    await seed()
    settings = settings_in(tmp_path)
    await train_recommenders(settings, ["content"])
    service = await started(settings)
    try:
        other = f"I want to query databases {utcnow().timestamp()}"
        await User(id="onboarder", consents={"personalization": True}).insert()
        await submit_onboarding("onboarder", OnboardingAnswers(interests=["SQL"], other=other))
        texts = [text for text in list(PROFILE_VECTORS._queued) + list(PROFILE_VECTORS._vectors) if other in text]
        assert texts, "the onboarding write did not queue the profile's text"
    finally:
        await service.stop()
