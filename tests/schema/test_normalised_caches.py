"""Apollo Client and urql (normalised caches) stay true after `enroll`: web/tests/normalised-caches.mjs runs both real
clients against a live server; a cache-only read of `recommendations` no longer shows the enrolled course."""

import json
import os
import shutil
import subprocess
from typing import Any

import pytest

from app.core.tokens import Role
from tests.conftest import LiveServer
from tests.schema.test_http import gql
from tests.web_scripts import WEB, unavailable

SCRIPT = "tests/normalised-caches.mjs"
LEARNER = "cache-learner"


def _catalog(server: LiveServer) -> None:
    """Twelve courses, so that a list of 5 has courses to move up when one leaves it."""
    courses = [{"id": f"cache-{n}", "title": f"Cache course {n}", "skills": ["Cache Skill"]} for n in range(1, 13)]
    with server.client("cache-partner", Role.PARTNER) as partner:
        body = gql(partner, "mutation($c: [CourseInput!]!) { upsertCourses(input: $c) { errors { message } } }",
                   {"c": courses})
        assert body["data"]["upsertCourses"]["errors"] == []  # type: ignore[index]
    with server.client(LEARNER) as learner:
        consent = gql(learner, "mutation { setConsent(purpose: PERSONALIZATION, granted: true) { errors { code } } }")
        assert consent["data"]["setConsent"]["errors"] == []  # type: ignore[index]


def _node() -> str:
    """node, with the client libraries `make web` installs, or skip (fail under PATHWISE_REQUIRE_BROWSER=1)."""
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed")
    if not (WEB / "node_modules" / "@urql" / "exchange-graphcache").is_dir():
        unavailable("web/node_modules lacks @apollo/client and urql: run `make web`")
    return node


def test_apollo_and_urql_drop_the_enrolled_course_from_their_cached_list(request: pytest.FixtureRequest) -> None:
    node = _node()
    server: LiveServer = request.getfixturevalue("live_server")  # started only when the test can run
    _catalog(server)
    env = {**os.environ, "PATHWISE_GRAPHQL_URL": f"{server.base_url}/graphql", "PATHWISE_TOKEN": server.token(LEARNER)}
    done = subprocess.run([node, SCRIPT], cwd=WEB, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    by_client = {report["client"]: report for report in result["clients"]}
    assert set(by_client) == {"apollo", "urql"}
    for report in by_client.values():
        assert report["enrolled"] in report["before"] and report["enrolled"] not in report["after"]
        assert report["after"] == report["payloadList"] and len(report["after"]) == 5  # a course moved up
        assert report["requestsForCacheReads"] == 0  # cache-only and cache-first were answered by the cache
        assert report["staleWithoutLearnerSelection"] is True  # the control: nothing else refreshes the list
