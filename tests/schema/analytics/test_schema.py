"""Learning analytics through GraphQL: partners and admins read funnels, struggles and popularity, a learner is
FORBIDDEN, bad arguments are BAD_USER_INPUT and an unknown course NOT_FOUND, suppressed numbers are null; and no
field of the analytics types can carry a learner's id."""

from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
import strawberry
from starlette.requests import Request

from app.core.documents import Course, Enrollment, Event, ServedCourse
from app.core.settings import Settings
from app.core.timestamps import utcnow
from app.core.tokens import Principal, Role
from schema.analytics.schema import Query
from schema.context import Context

pytestmark = pytest.mark.usefixtures("clean")

FUNNEL = """query($course: ID!, $since: DateTime) { courseFunnel(courseId: $course, since: $since) {
  courseId title since learners stages { stage suppressed learners shareOfPrevious shareOfFirst dropOff } } }"""
FUNNELS = "query($first: Int) { courseFunnels(first: $first) { courseId learners } }"
STRUGGLES = """query($first: Int, $items: Int) { skillStruggles(first: $first, items: $items) {
  skillId name suppressed learners meanMastery masteredShare answeringLearners answers failureRate meanHints
  items { itemId suppressed learners answers failureRate meanHints } } }"""
POPULARITY = """query($days: Int, $first: Int) { recommenderPopularity(days: $days, first: $first) {
  strategy answers servings coursesServed coverage gini popularityLift
  topCourses { courseId title servings share } } }"""


@cache
def schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query)  # the fields on their own: schema/schema.py merges them with the rest


def context(*roles: Role) -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Context(request=request, response=None,
                   settings=Settings(default_consents=["analytics"], analytics_min_group=3),
                   principal=Principal("someone", frozenset(roles)))


async def run(query: str, *roles: Role, **variables: Any) -> Any:
    return await schema().execute(query, variable_values=variables, context_value=context(*roles))


def codes(result: Any) -> list[str]:
    assert result.data is None
    return [error.extensions["code"] for error in result.errors]


async def seed() -> None:
    await Course(id="c1", title="Algebra I").insert()
    events = [Event(id=Event.key(user, "v"), user_id=user, event_id="v", type="course_view", course_id="c1",
                    server_timestamp=datetime(2026, 3, 2, tzinfo=UTC)).model_dump(by_alias=True)
              for user in ("a", "b", "c", "d")]
    await Event.get_pymongo_collection().insert_many(events)
    await Enrollment.insert_many([Enrollment(id=Enrollment.key(u, "c1"), user_id=u, course_id="c1", progress=0.5)
                                  for u in ("a", "b", "c")])
    day = utcnow().date().isoformat()
    await ServedCourse(id=f"{day}|popular|c1", day=day, strategy="popular", course_id="c1", answers=4).insert()


async def test_a_partner_reads_a_funnel_with_small_stages_null() -> None:
    await seed()
    result = await run(FUNNEL, Role.PARTNER, course="c1", since="2026-03-01T00:00:00Z")
    assert result.errors is None, result.errors
    funnel = result.data["courseFunnel"]
    assert (funnel["courseId"], funnel["title"], funnel["since"], funnel["learners"]) == (
        "c1", "Algebra I", "2026-03-01T00:00:00+00:00", 4)
    assert [(s["stage"], s["suppressed"], s["learners"], s["dropOff"]) for s in funnel["stages"]] == [
        ("VIEWED", False, 4, None), ("ENROLLED", False, 3, 1), ("PROGRESS_25", False, 3, 0),
        ("PROGRESS_50", False, 3, 0), ("PROGRESS_75", True, None, None), ("COMPLETED", True, None, None)]
    assert funnel["stages"][1]["shareOfPrevious"] == 0.75


async def test_an_admin_reads_every_analytics_query() -> None:
    await seed()
    for query in (FUNNELS, STRUGGLES, POPULARITY):
        result = await run(query, Role.ADMIN)
        assert result.errors is None, result.errors
    result = await run(POPULARITY, Role.ADMIN)
    (popular,) = result.data["recommenderPopularity"]
    assert (popular["strategy"], popular["servings"], popular["coverage"], popular["gini"]) == ("popular", 4, 1.0,
                                                                                               0.0)
    assert (await run(FUNNELS, Role.ADMIN)).data["courseFunnels"] == [{"courseId": "c1", "learners": 4}]


@pytest.mark.parametrize("query", [FUNNEL, FUNNELS, STRUGGLES, POPULARITY])
async def test_a_learner_is_forbidden(query: str) -> None:
    await seed()
    assert codes(await run(query, Role.LEARNER, course="c1")) == ["FORBIDDEN"]


async def test_an_unknown_course_is_not_found() -> None:
    assert codes(await run(FUNNEL, Role.PARTNER, course="nope")) == ["NOT_FOUND"]


@pytest.mark.parametrize(("query", "variables"), [
    (FUNNELS, {"first": 0}), (FUNNELS, {"first": 101}), (STRUGGLES, {"first": 101}), (STRUGGLES, {"items": 0}),
    (POPULARITY, {"days": 0}), (POPULARITY, {"first": 500})])
async def test_arguments_out_of_range_are_bad_user_input(query: str, variables: dict[str, Any]) -> None:
    result = await run(query, Role.PARTNER, **variables)
    assert codes(result) == ["BAD_USER_INPUT"]
    assert "must be between" in result.errors[0].message


def test_no_analytics_type_has_a_field_for_a_learner() -> None:
    names = {field.lower() for type_name in ("CourseFunnel", "FunnelStageResult", "SkillStruggle", "ItemStruggle",
                                              "RecommenderPopularity", "ServedShare")
             for field in schema()._schema.get_type(type_name).fields}  # type: ignore[union-attr]
    assert not {name for name in names if "user" in name or name in {"learner", "learnerid", "learnerids"}}
