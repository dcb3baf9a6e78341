"""Schemathesis over the whole GraphQL schema: every Query and Mutation field, fuzzed against a live
`pathwise serve` on a seeded database, answers with coded errors and never an internal error.

Bounded for `make test` (fixed seed, derandomized); PATHWISE_FUZZ_EXAMPLES scales the cases per operation
for a long run by hand, e.g. `PATHWISE_FUZZ_EXAMPLES=80 pytest tests/schema/test_fuzz.py -s` (PATHWISE_FUZZ_SEED
and PATHWISE_FUZZ_MODES=positive,negative vary it)."""

import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from graphql import NameNode, ObjectFieldNode, ValueNode
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from app.core.settings import Settings
from app.core.tokens import Role, issue_token
from schema.schema import build_schema
from tests.conftest import REPO, _free_port, _wait_ready

EXAMPLES = int(os.environ.get("PATHWISE_FUZZ_EXAMPLES", "5"))
SEED = int(os.environ.get("PATHWISE_FUZZ_SEED", "20261202"))
ADMIN, LEARNER, OTHER = "fuzz-admin", "fuzz-learner", "fuzz-other"
SKILLS = ("fuzz-sql", "fuzz-python")
COURSES = ("fuzz-course-1", "fuzz-course-2", "fuzz-course-3")
EXERCISES = tuple(f"{skill}-ex{k}" for skill in SKILLS for k in range(3))
# Ids the fuzzer mixes with random text, so that operations reach stored documents, not only "not found"
KNOWN_IDS = (ADMIN, LEARNER, OTHER, *SKILLS, *COURSES, *EXERCISES, "SQL", "Python")
# What a learner may call on their own behalf (the rest is refused as FORBIDDEN, which the admin pass covers)
LEARNER_OPERATIONS = [
    "Query.me", "Query.consents", "Query.recommendations", "Query.nextExercises", "Query.learningPath",
    "Query.reviewQueue", "Query.mastery", "Query.nextProfileQuestion", "Query.myData",
    "Mutation.trackEvents", "Mutation.setInterests", "Mutation.answerProfileQuestion", "Mutation.enroll",
    "Mutation.updateProgress", "Mutation.setConsent", "Mutation.startPlacementTest",
    "Mutation.answerPlacementItem", "Mutation.rateCourse", "Mutation.markNotInterested",
]


def _field(name: str, value: ValueNode) -> ObjectFieldNode:
    return ObjectFieldNode(name=NameNode(value=name), value=value)


_JSON_LEAVES = st.one_of(st.just(nodes.Null), st.booleans().map(nodes.Boolean), st.integers().map(nodes.Int),
                         st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
                         st.text(max_size=20).map(nodes.String))
JSON_VALUES = st.recursive(_JSON_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4).map(nodes.List),
    st.dictionaries(st.from_regex(r"\A[_A-Za-z][_0-9A-Za-z]{0,10}\Z"), inner, max_size=4).map(
        lambda d: nodes.Object([_field(k, v) for k, v in d.items()]))), max_leaves=12).filter(
    lambda node: node is not nodes.Null)  # null itself comes from the field's nullability (JSON! refuses it)

schemathesis.graphql.scalar("JSON", JSON_VALUES)
schemathesis.graphql.scalar("ID", st.one_of(st.sampled_from(KNOWN_IDS), st.text(max_size=40)).map(nodes.String))
schema = schemathesis.graphql.from_dict(build_schema(Settings()).introspect())
# Valid queries reach the resolvers; PATHWISE_FUZZ_MODES=positive,negative adds invalid ones (validation only)
schema.config.generation.update(modes=os.environ.get("PATHWISE_FUZZ_MODES", "positive").split(","),  # type: ignore[arg-type]
                                unique_inputs=True)
fuzz_settings = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))


class FuzzServer:
    def __init__(self, base_url: str, settings: Settings) -> None:
        self.base_url = base_url
        self.outcomes: Counter[str] = Counter()  # cases per status and error code, printed at the end (-s)
        self.headers = {role: {"authorization": f"Bearer {issue_token(settings, user, [role], timedelta(hours=2))}"}
                        for user, role in ((ADMIN, Role.ADMIN), (LEARNER, Role.LEARNER))}


@pytest.fixture(scope="module")
def fuzz_server(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzServer]:
    """`pathwise serve` on a database of its own, without per-minute limits (the fuzzer is one busy client)."""
    data_dir = tmp_path_factory.mktemp("fuzz")
    database, port = f"fuzz_{uuid.uuid4().hex[:8]}", _free_port()
    env = {**os.environ, "PATHWISE_MONGODB_URI": mongo_uri, "PATHWISE_DATABASE": database,
           "PATHWISE_DATA_DIR": str(data_dir), "PATHWISE_RATE_LIMIT_PER_MINUTE": "0",
           "PATHWISE_RATE_LIMIT_ANONYMOUS_PER_MINUTE": "0", "PATHWISE_COST_BUDGET_PER_MINUTE": "0",
           "PATHWISE_INTROSPECTION_BUDGET_PER_MINUTE": "0"}
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)], env=env, cwd=REPO,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base, process, log_path)
            server = FuzzServer(base, Settings(data_dir=data_dir, mongodb_uri=mongo_uri, database=database))
            _seed(server)
            yield server
            print(f"\nfuzz: {server.outcomes.total()} cases, {dict(server.outcomes.most_common())}")
        finally:
            process.terminate()
            process.wait(timeout=20)
    _print_internal_errors(log_path)


def _seed(server: FuzzServer) -> None:
    """Skills, courses, exercises and two learners, stored through the API itself."""
    skills = [{"id": s, "name": s.removeprefix("fuzz-").upper(), "prerequisites": list(SKILLS[:i])}
              for i, s in enumerate(SKILLS)]
    courses = [{"id": c, "title": f"Course {c}", "skills": list(SKILLS), "topics": ["Data"], "durationMinutes": 60}
               for c in COURSES]
    exercises = [{"id": e, "skills": [e.rsplit("-ex", 1)[0]], "prompt": f"Q {e}", "format": "MULTIPLE_CHOICE",
                  "choices": ["yes", "no"], "answers": ["yes"], "difficulty": 0.0} for e in EXERCISES]
    calls = [("mutation($v: [SkillInput!]!) { upsertSkills(skills: $v) { errors { code } } }", skills),
             ("mutation($v: [CourseInput!]!) { upsertCourses(input: $v) { errors { code } } }", courses),
             ("mutation($v: [ExerciseInput!]!) { upsertExercises(exercises: $v) { errors { code } } }", exercises),
             *[("mutation($v: UserInput!) { upsertUser(input: $v) { errors { code } } }",
                {"id": u, "displayName": u, "interests": ["Data"]}) for u in (LEARNER, OTHER)]]
    with httpx.Client(base_url=server.base_url, headers=server.headers[Role.ADMIN], timeout=30) as client:
        for query, value in calls:
            body = client.post("/graphql", json={"query": query, "variables": {"v": value}}).json()
            assert "errors" not in body and all(not p["errors"] for p in body["data"].values()), body


def _print_internal_errors(log_path: Path) -> None:
    text = log_path.read_text(errors="replace")
    if "Traceback" in text:
        print(text[-20_000:])  # the server's side of a failure, shown by pytest with the failing test


def assert_handled(response: Any) -> None:
    """JSON; no 5xx but the documented 503 UNAVAILABLE; every error coded, none INTERNAL_SERVER_ERROR."""
    content_type = (response.headers.get("content-type") or [""])[0]  # schemathesis keeps every value of a header
    assert content_type.startswith("application/json"), response.text[:500]
    body = response.json()
    errors = body.get("errors") or []
    codes = [(error.get("extensions") or {}).get("code") for error in errors]
    assert None not in codes, body
    assert "INTERNAL_SERVER_ERROR" not in codes, body
    assert response.status_code < 500 or (response.status_code == 503 and set(codes) == {"UNAVAILABLE"}), body


def _outcome(response: Any) -> str:
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return f"{response.status_code} not JSON"
    return f"{response.status_code} {(errors[0].get('extensions') or {}).get('code') if errors else 'data'}"


def _call(case: Any, server: FuzzServer, role: Role) -> None:
    response = case.call(base_url=f"{server.base_url}/graphql", headers=server.headers[role], timeout=120)
    server.outcomes[_outcome(response)] += 1
    assert_handled(response)


@seed(SEED)
@schema.parametrize()
@fuzz_settings
def test_no_operation_fails_inside_for_an_admin(case: Any, fuzz_server: FuzzServer) -> None:
    _call(case, fuzz_server, Role.ADMIN)


@seed(SEED + 1)
@schema.include(name=LEARNER_OPERATIONS).parametrize()
@fuzz_settings
def test_no_operation_fails_inside_for_a_learner(case: Any, fuzz_server: FuzzServer) -> None:
    _call(case, fuzz_server, Role.LEARNER)


def test_the_fuzzer_covers_every_query_and_mutation() -> None:
    graphql = build_schema(Settings())._schema
    assert graphql.query_type and graphql.mutation_type
    fields = {f"Query.{name}" for name in graphql.query_type.fields}
    fields |= {f"Mutation.{name}" for name in graphql.mutation_type.fields}
    labels = {result.ok().label for result in schema.get_all_operations()}  # type: ignore[union-attr]
    assert labels == fields
    assert set(LEARNER_OPERATIONS) <= fields


class _Response:
    """What assert_handled reads of a schemathesis response."""

    def __init__(self, status_code: int, body: Any, content_type: str = "application/json") -> None:
        self.status_code, self.body = status_code, body
        self.headers = {"content-type": [content_type]}
        self.text = str(body)

    def json(self) -> Any:
        return self.body


@pytest.mark.parametrize("response", [
    _Response(200, {"errors": [{"message": "x", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}),
    _Response(200, {"errors": [{"message": "uncoded"}]}),
    _Response(500, {"errors": [{"message": "x", "extensions": {"code": "BAD_USER_INPUT"}}]}),
    _Response(503, {"errors": [{"message": "x", "extensions": {"code": "BAD_USER_INPUT"}}]}),
    _Response(500, "Internal Server Error", "text/plain"),
], ids=["internal", "uncoded", "500", "503-not-unavailable", "not-json"])
def test_the_check_catches_what_the_fuzzer_looks_for(response: _Response) -> None:
    with pytest.raises(AssertionError):
        assert_handled(response)


def test_the_check_accepts_data_coded_errors_and_unavailable() -> None:
    assert_handled(_Response(200, {"data": {"me": None}}))
    assert_handled(_Response(200, {"errors": [{"message": "x", "extensions": {"code": "FORBIDDEN"}}]}))
    assert_handled(_Response(503, {"errors": [{"message": "x", "extensions": {"code": "UNAVAILABLE"}}]}))
