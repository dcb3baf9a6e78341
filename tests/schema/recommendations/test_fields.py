"""Recommendation lists as cache entities: a stable id per learner and question, the same list through
`User.recommendations`, and a mutation payload that refreshes it (issue 10, item 5)."""

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.core.documents import User
from app.core.settings import Settings
from app.core.tokens import Principal, Role
from resolvers.errors import ErrorCode
from resolvers.recommendations.service import RecommendationService
from resolvers.recommendations.training import train_recommenders
from schema.errors import ApiError
from schema.permissions import ParentIsSelfOrPlatform
from schema.schema import build_schema
from tests.schema.test_command_counts import context, seed

pytestmark = pytest.mark.usefixtures("clean")

LIST = "id requestId items { id course { id } }"


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[RecommendationService]:
    await seed()  # 12 courses; u1 is enrolled in c00–c07
    await User(id="u2").save()
    settings = Settings(data_dir=tmp_path)
    await train_recommenders(settings, ["popular"])
    found = RecommendationService(settings)
    await found.start(poll=False)
    yield found
    await found.stop()


async def run(service: RecommendationService, query: str, user_id: str = "u1", role: Role = Role.LEARNER
              ) -> dict[str, Any]:
    base = context(user_id)
    ctx = replace(base, recommendations=service, principal=Principal(user_id, frozenset({role})))
    result = await build_schema(service.settings).execute(query, context_value=ctx)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def test_the_same_question_gets_the_same_list_id_and_a_new_request_id(service: RecommendationService) -> None:
    query = f'{{ recommendations(strategy: "popular", first: 3) {{ {LIST} }} }}'
    first, second = (await run(service, query))["recommendations"], (await run(service, query))["recommendations"]
    assert first["id"] == second["id"] and first["requestId"] != second["requestId"]
    assert [item["id"] for item in first["items"]] == [f"{first['id']}:{item['course']['id']}"
                                                        for item in first["items"]]


async def test_another_question_or_learner_gets_another_list_id(service: RecommendationService) -> None:
    ids = set()
    for args, user in (('first: 3', "u1"), ('first: 2', "u1"), ('first: 3, diversity: 0.5', "u1"),
                       ('first: 3, filters: {maxMinutes: 30}', "u1"), ('first: 3', "u2")):
        ids.add((await run(service, f'{{ recommendations(strategy: "popular", {args}) {{ id }} }}', user))
                ["recommendations"]["id"])
    assert len(ids) == 5


async def test_a_learners_recommendations_are_the_same_list_as_the_query(service: RecommendationService) -> None:
    data = await run(service, f'{{ recommendations(strategy: "popular", first: 3) {{ {LIST} }} '
                              f'me {{ id recommendations(strategy: "popular", first: 3) {{ {LIST} }} }} }}')
    via_query, via_learner = data["recommendations"], data["me"]["recommendations"]
    assert via_learner["id"] == via_query["id"] and via_learner["items"] == via_query["items"]


async def test_enroll_can_refresh_the_cached_list_through_the_learner(service: RecommendationService) -> None:
    before = (await run(service, f'{{ recommendations(strategy: "popular", first: 3) {{ {LIST} }} }}'))
    listed = before["recommendations"]["items"][0]["course"]["id"]
    data = await run(service, f'mutation {{ enroll(courseId: "{listed}") {{ enrollment {{ id }} '
                              f'user {{ id recommendations(strategy: "popular", first: 3) {{ {LIST} }} }} }} }}')
    after = data["enroll"]["user"]["recommendations"]
    assert after["id"] == before["recommendations"]["id"]  # the cache updates the same entity
    assert listed not in [item["course"]["id"] for item in after["items"]]


async def test_admins_may_read_any_learners_recommendations(service: RecommendationService) -> None:
    data = await run(service, '{ user(id: "u2") { recommendations(strategy: "popular", first: 2) { id } } }',
                     "admin", Role.ADMIN)
    assert data["user"]["recommendations"]["id"].startswith("recommendations:")


def _info(user_id: str, role: Role) -> Any:
    return SimpleNamespace(context=replace(context(user_id), principal=Principal(user_id, frozenset({role}))))


def test_a_learner_may_not_read_another_learners_recommendations() -> None:
    with pytest.raises(ApiError) as raised:
        ParentIsSelfOrPlatform().has_permission(User(id="u2"), _info("u1", Role.LEARNER))
    assert raised.value.extensions == {"code": ErrorCode.FORBIDDEN.value}
    assert ParentIsSelfOrPlatform().has_permission(User(id="u1"), _info("u1", Role.LEARNER))
    assert ParentIsSelfOrPlatform().has_permission(User(id="u2"), _info("p", Role.PARTNER))


async def test_similar_courses_have_ids_per_question(service: RecommendationService) -> None:
    query = '{ similarCourses(courseId: "c10", first: 2) { id course { id } } }'
    first, second = (await run(service, query))["similarCourses"], (await run(service, query))["similarCourses"]
    assert first == second and all(item["id"].endswith(f":{item['course']['id']}") for item in first)
