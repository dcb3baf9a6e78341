"""Enrolment and rating mutations return what they changed: the entity with its id, the learner and the course."""

from typing import Any

import pytest

from app.core.documents import Course, User
from app.core.settings import Settings
from schema.schema import build_schema
from tests.schema.test_command_counts import context

pytestmark = pytest.mark.usefixtures("clean")


async def run(query: str, user_id: str = "u1") -> dict[str, Any]:
    result = await build_schema(Settings()).execute(query, context_value=context(user_id))
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def test_enroll_returns_the_enrolment_and_the_learner_with_it() -> None:
    await Course(id="c1", title="SQL").save()
    await User(id="u1").save()
    data = await run('mutation { enroll(courseId: "c1") { enrollment { id courseId status } '
                     'user { id enrollments { id progress } } errors { code } } }')
    assert data["enroll"] == {"enrollment": {"id": "u1:c1", "courseId": "c1", "status": "ACTIVE"},
                              "user": {"id": "u1", "enrollments": [{"id": "u1:c1", "progress": 0.0}]}, "errors": []}


async def test_a_learner_never_upserted_still_comes_back_with_the_enrolment() -> None:
    await Course(id="c1", title="SQL").save()
    data = await run('mutation { enroll(courseId: "c1") { user { id enrollments { id } } } }', "new")
    assert data["enroll"]["user"] == {"id": "new", "enrollments": [{"id": "new:c1"}]}


async def test_the_learner_is_read_again_after_an_earlier_read_in_the_same_document() -> None:
    await Course(id="c1", title="SQL").save()
    await Course(id="c2", title="Python").save()
    data = await run('mutation { a: enroll(courseId: "c1") { user { enrollments { id } } } '
                     'b: enroll(courseId: "c2") { user { enrollments { id } } } }')
    assert len(data["a"]["user"]["enrollments"]) == 1
    assert sorted(e["id"] for e in data["b"]["user"]["enrollments"]) == ["u1:c1", "u1:c2"]


async def test_update_progress_returns_the_completed_enrolment_under_the_same_id() -> None:
    await Course(id="c1", title="SQL").save()
    await run('mutation { enroll(courseId: "c1") { errors { code } } }')
    data = await run('mutation { updateProgress(courseId: "c1", progress: 1) { enrollment { id status } '
                     'user { enrollments { id status } } } }')
    assert data["updateProgress"] == {"enrollment": {"id": "u1:c1", "status": "COMPLETED"},
                                      "user": {"enrollments": [{"id": "u1:c1", "status": "COMPLETED"}]}}


async def test_rate_course_returns_the_rating_the_course_with_its_stats_and_the_learner() -> None:
    await Course(id="c1", title="SQL").save()
    await run('{ course(id: "c1") { stats { ratingCount } } }')
    data = await run('mutation { rateCourse(courseId: "c1", rating: 4) { rating { id rating } '
                     'course { id stats { ratingCount ratingAverage } } user { ratings { id } } errors { code } } }')
    assert data["rateCourse"] == {"rating": {"id": "u1:c1", "rating": 4},
                                  "course": {"id": "c1", "stats": {"ratingCount": 1, "ratingAverage": 4.0}},
                                  "user": {"ratings": [{"id": "u1:c1"}]}, "errors": []}


async def test_a_refused_mutation_returns_no_learner() -> None:
    data = await run('mutation { enroll(courseId: "missing") { enrollment { id } user { id } errors { code } } }')
    assert data["enroll"] == {"enrollment": None, "user": None, "errors": [{"code": "NOT_FOUND"}]}
