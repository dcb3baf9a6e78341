"""How many MongoDB commands representative queries send: relation fields must batch (no N+1)."""

from collections import Counter

import pytest
from starlette.requests import Request

from app.documents import Course, Enrollment, User
from app.settings import Settings
from app.tokens import Principal, Role
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
