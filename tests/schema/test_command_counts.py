"""How many MongoDB commands representative queries send: relation fields must batch (no N+1)."""

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.requests import Request

from app.core.documents import Course, Enrollment, User
from app.core.settings import Settings
from app.core.tokens import Principal, Role
from resolvers.recommendations.service import RecommendationService
from resolvers.recommendations.training import train_recommenders
from schema.context import Context
from schema.schema import build_schema
from tests.conftest import CommandCounter

pytestmark = pytest.mark.usefixtures("clean")


def context(user_id: str) -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Context(request=request, response=None, settings=Settings(),
                   principal=Principal(user_id, frozenset({Role.LEARNER})))


async def seed() -> None:
    base = [Course(id=f"c{i:02d}", title=f"Course {i}", prerequisites=[f"c{i - 1:02d}", "skill:x"] if i else [])
            for i in range(12)]
    await Course.insert_many(base)
    await User(id="u1").save()
    for course in base[:8]:
        await Enrollment(id=Enrollment.key("u1", course.id), user_id="u1", course_id=course.id).save()


async def test_course_list_with_prerequisites_is_three_commands(command_counter: CommandCounter) -> None:
    await seed()
    query = "{ courses(first: 10) { totalCount edges { node { id prerequisites { id title } } } } }"
    command_counter.commands.clear()
    result = await build_schema(Settings()).execute(query, context_value=context("u1"))
    assert result.errors is None
    assert len(result.data["courses"]["edges"]) == 10  # type: ignore[index]
    # count + page + one batched prerequisite load, whatever the page size
    assert Counter(command_counter.commands) == Counter({"aggregate": 1, "find": 2})


async def test_me_with_enrollments_and_courses_is_four_finds(command_counter: CommandCounter) -> None:
    await seed()
    query = "{ me { id enrollments { progress course { id prerequisites { id } } } } }"
    command_counter.commands.clear()
    result = await build_schema(Settings()).execute(query, context_value=context("u1"))
    assert result.errors is None
    assert len(result.data["me"]["enrollments"]) == 8  # type: ignore[index]
    # user + enrollments + their courses + one batch for the prerequisite ids not yet cached
    # ("skill:x" is a skill id, not a course); course prerequisites among the enrolled come from the cache
    assert command_counter.commands == ["find", "find", "find", "find"]


async def test_recommendations_read_the_learner_then_serve_the_cached_list(command_counter: CommandCounter,
                                                                           tmp_path: Path) -> None:
    await seed()
    settings = Settings(data_dir=tmp_path)
    await train_recommenders(settings, ["popular"])
    service = RecommendationService(settings)
    await service.start(poll=False)
    query = '{ recommendations(strategy: "popular", first: 3) { fallback requestId items { course { id } } } }'
    try:
        answers = []
        for _ in range(2):
            command_counter.commands.clear()
            result = await build_schema(settings).execute(query, context_value=replace(context("u1"),
                                                                                          recommendations=service))
            assert result.errors is None and result.data is not None
            answers.append((result.data["recommendations"], list(command_counter.commands)))
    finally:
        await service.stop()
    (first, first_commands), (second, second_commands) = answers
    assert first["fallback"] is False and len(first["items"]) == 3
    # the learner, their enrolments and ratings, and their mastery (there is no skill graph to read more of)
    assert first_commands == ["find", "find", "find"]
    assert second_commands == [] and second["items"] == first["items"]
    assert second["requestId"] != first["requestId"]


async def test_an_event_on_a_served_course_reads_the_learner_but_not_the_course(command_counter: CommandCounter,
                                                                              tmp_path: Path) -> None:
    """The course facts come from the catalog the server holds; a course added since its last poll is read."""
    await seed()
    settings = Settings(data_dir=tmp_path)
    service = RecommendationService(settings)
    await service.start(poll=False)
    mutation = ('mutation($e: [EventInput!]!) { trackEvents(events: $e) { accepted results { status code } } }')
    try:
        calls = []
        await Course(id="late", title="Added after the snapshot").insert()
        for n, course_id in enumerate(["c03", "late", "gone"]):
            command_counter.commands.clear()
            result = await build_schema(settings).execute(mutation, context_value=replace(
                context("u1"), recommendations=service), variable_values={"e": [
                    {"eventId": f"e{n}", "type": "rate", "courseId": course_id, "properties": {"rating": 5}}]})
            assert result.errors is None and result.data is not None
            calls.append((result.data["trackEvents"]["results"][0], Counter(command_counter.commands)))
    finally:
        await service.stop()
    assert calls[0] == ({"status": "ACCEPTED", "code": None}, Counter({"find": 1, "insert": 1, "update": 1}))
    assert calls[1] == ({"status": "ACCEPTED", "code": None}, Counter({"find": 2, "insert": 1, "update": 1}))
    assert calls[2] == ({"status": "REJECTED", "code": "NOT_FOUND"}, Counter({"find": 2}))
