"""The skill graph and item bank over GraphQL: partner imports, reads for everyone, answers never shown."""

from collections import Counter

import httpx
import pytest
from starlette.requests import Request

from app.core.settings import Settings
from app.core.tokens import Principal, Role
from resolvers.practice.catalog import upsert_skills
from schema.context import Context
from schema.schema import build_schema
from tests.conftest import CommandCounter, LiveServer
from tests.schema.test_http import codes, gql

UPSERT_SKILLS = """mutation($s: [SkillInput!]!) { upsertSkills(skills: $s) {
  created updated unchanged skills { id } errors { index field code message } } }"""
UPSERT_EXERCISES = """mutation($e: [ExerciseInput!]!) { upsertExercises(exercises: $e) {
  created updated unchanged exercises { id choices } errors { index field code message } } }"""


@pytest.fixture(scope="module")
def graph(live_server: LiveServer) -> httpx.Client:
    partner = live_server.client("pc-platform", Role.PARTNER)
    skills = [{"id": "pc-ml", "name": "Machine Learning", "prerequisites": ["pc-analysis", "pc-linalg"]},
              {"id": "pc-analysis", "name": "Data Analysis", "prerequisites": ["pc-py"]},
              {"id": "pc-py", "name": "Python", "topics": ["Programming"]},
              {"id": "pc-linalg", "name": "Linear Algebra"}]
    body = gql(partner, UPSERT_SKILLS, {"s": skills})
    assert body["data"]["upsertSkills"]["errors"] == [], body  # type: ignore[index]
    exercises = [{"id": f"pc-py-{n}", "skills": ["pc-py"], "prompt": f"Question {n}", "format": "MULTIPLE_CHOICE",
                  "choices": ["yes", "no", f"secret-{n}"], "answers": [f"secret-{n}"], "difficulty": n - 1.0}
                 for n in range(3)]
    body = gql(partner, UPSERT_EXERCISES, {"e": exercises})
    assert body["data"]["upsertExercises"]["created"] == 3, body  # type: ignore[index]
    return partner


def test_learners_may_not_import_or_list_exercises(live_server: LiveServer, graph: httpx.Client) -> None:
    learner = live_server.client("pc-learner")
    skills = gql(learner, UPSERT_SKILLS, {"s": [{"id": "pc-hack", "name": "Hack"}]})
    assert codes(skills) == ["FORBIDDEN"] and skills["data"] is None
    exercises = gql(learner, UPSERT_EXERCISES, {"e": [{"id": "pc-x", "skills": ["pc-py"]}]})
    assert codes(exercises) == ["FORBIDDEN"]
    listed = gql(learner, '{ exercises(skill: "pc-py") { totalCount } }')
    assert codes(listed) == ["FORBIDDEN"]
    assert codes(gql(live_server.client(), '{ skill(id: "pc-py") { id } }')) == ["UNAUTHENTICATED"]
    body = gql(learner, '{ skills(ids: ["pc-hack"]) { totalCount } }')
    assert body["data"]["skills"]["totalCount"] == 0  # type: ignore[index]


def test_learners_read_skills_with_prerequisites(live_server: LiveServer, graph: httpx.Client) -> None:
    learner = live_server.client("pc-learner")
    body = gql(learner, '{ skill(id: "pc-ml") { name prerequisites { id name prerequisites { id } } } '
                        'missing: skill(id: "pc-none") { id } }')
    ml = body["data"]["skill"]  # type: ignore[index]
    assert ml["name"] == "Machine Learning"
    assert ml["prerequisites"] == [{"id": "pc-analysis", "name": "Data Analysis", "prerequisites": [{"id": "pc-py"}]},
                                   {"id": "pc-linalg", "name": "Linear Algebra", "prerequisites": []}]
    assert body["data"]["missing"] is None  # type: ignore[index]
    page = gql(learner, '{ skills(ids: ["pc-py", "pc-ml", "pc-linalg"], first: 2) '
                        '{ totalCount edges { node { id topics } } pageInfo { hasNextPage endCursor } } }')
    skills = page["data"]["skills"]  # type: ignore[index]
    assert skills["totalCount"] == 3 and skills["pageInfo"]["hasNextPage"]
    assert [e["node"]["id"] for e in skills["edges"]] == ["pc-linalg", "pc-ml"]
    assert codes(gql(learner, "{ skills(first: 101) { totalCount } }")) == ["BAD_USER_INPUT"]


def test_partner_import_reports_bad_items_by_index(graph: httpx.Client) -> None:
    body = gql(graph, UPSERT_SKILLS, {"s": [
        {"id": "pc-py", "name": "Python", "topics": ["Programming"]},
        {"id": "pc-stats", "name": "Statistics", "prerequisites": ["pc-probability"]},
        {"id": "pc-py", "name": "Python again"},
        {"id": "pc-linalg", "name": "Linear Algebra", "prerequisites": ["pc-ml"]},
    ]})
    result = body["data"]["upsertSkills"]  # type: ignore[index]
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 1)
    errors = {e["index"]: e for e in result["errors"]}
    assert errors[1]["code"] == "BAD_USER_INPUT" and "pc-probability" in errors[1]["message"]
    assert errors[2]["code"] == "DUPLICATE"
    assert errors[3]["field"] == "prerequisites" and "cycle" in errors[3]["message"]


def test_exercises_never_show_answers(live_server: LiveServer, graph: httpx.Client) -> None:
    body = gql(graph, '{ exercises(skill: "pc-py", first: 2) { totalCount edges { node { id skills prompt format '
                      'choices difficulty discrimination expectedSeconds courseId lessonId } } } }')
    page = body["data"]["exercises"]  # type: ignore[index]
    assert page["totalCount"] == 3 and [e["node"]["id"] for e in page["edges"]] == ["pc-py-0", "pc-py-1"]
    assert page["edges"][0]["node"]["format"] == "MULTIPLE_CHOICE"
    asked = gql(graph, '{ exercises(skill: "pc-py") { edges { node { answers } } } }')
    assert codes(asked) == ["GRAPHQL_VALIDATION_FAILED"]
    fields = gql(graph, '{ __type(name: "Exercise") { fields { name } } }')
    names = {f["name"] for f in fields["data"]["__type"]["fields"]}  # type: ignore[index]
    assert "answers" not in names and {"prompt", "choices", "difficulty"} <= names
    bad = gql(graph, UPSERT_EXERCISES, {"e": [{"id": "pc-bad", "skills": ["pc-py"], "choices": ["a", "b"],
                                               "answers": ["c"]}]})
    assert bad["data"]["upsertExercises"]["errors"][0]["field"] == "answers"  # type: ignore[index]


def _context() -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Context(request=request, response=None, settings=Settings(),
                   principal=Principal("u1", frozenset({Role.LEARNER})))


@pytest.mark.usefixtures("clean")
async def test_skill_page_with_prerequisites_is_three_commands(command_counter: CommandCounter) -> None:
    items = [{"id": f"s{i:02d}", "name": f"Skill {i}", "prerequisites": [f"s{i - 1:02d}"] if i else []}
             for i in range(12)]
    await upsert_skills(items, 100)
    query = "{ skills(first: 10) { totalCount edges { node { id prerequisites { id name } } } } }"
    command_counter.commands.clear()
    result = await build_schema(Settings()).execute(query, context_value=_context())
    assert result.errors is None
    assert len(result.data["skills"]["edges"]) == 10  # type: ignore[index]
    # count + page + one batched prerequisite load, whatever the page size
    assert Counter(command_counter.commands) == Counter({"aggregate": 1, "find": 2})
