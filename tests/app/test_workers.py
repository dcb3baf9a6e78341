"""Several server processes on one store agree: a write through one changes the other's next answer within 1 s
(the change feed), with both answering from their caches before; and `pathwise serve --workers 2` serves."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient

from tests.app.core.store.test_outages import Server, start_server, stop_server
from tests.conftest import REPO

RECOMMENDED = "{ recommendations(first: 3) { requestId items { course { id } } } }"
ENROLL = "mutation($c: ID!, $u: ID) { enroll(courseId: $c, userId: $u) { errors { code } } }"
CACHE = "{ recommendationCache { hits misses } }"
SEEN_WITHIN_S = 1.0


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    """`pathwise serve` on its embedded store, and a second process on the same store and data dir."""
    data_dir = tmp_path_factory.mktemp("workers")
    fast = {"PATHWISE_CATALOG_POLL_SECONDS": "0.2", "PATHWISE_ARTIFACT_POLL_SECONDS": "0.2",
            "PATHWISE_RECOMMENDERS": '["popular"]'}
    first = start_server(data_dir, **fast)
    second = None
    try:
        with MongoClient(first.store_uri()) as client:
            client["pathwise"]["courses"].insert_many(
                [{"_id": f"c{n}", "title": f"Course {n}", "enrollment_count": 100 - n, "published": True}
                 for n in range(8)])
        environment = {**{k: v for k, v in os.environ.items() if not k.startswith("PATHWISE_")}, **fast,
                       "PATHWISE_MONGODB_URI": first.store_uri(), "PATHWISE_DATA_DIR": str(data_dir)}
        subprocess.run([sys.executable, "-m", "app", "train"], env=environment, cwd=REPO, check=True,
                       capture_output=True)  # popular: so that answers are cached
        second = start_server(data_dir, PATHWISE_MONGODB_URI=first.store_uri(), **fast)
        yield first, second
    finally:
        if second is not None:
            stop_server(second)
        stop_server(first)


def recommended(server: Server, learner: str) -> list[str]:
    body = server.http.post("/graphql", json={"query": RECOMMENDED},
                            headers={"authorization": f"Bearer {learner_token(server, learner)}"}).json()
    assert "errors" not in body, body
    return [item["course"]["id"] for item in body["data"]["recommendations"]["items"]]


def learner_token(server: Server, learner: str) -> str:
    from datetime import timedelta

    from app.core.settings import Settings
    from app.core.tokens import Role, issue_token

    return issue_token(Settings(data_dir=server.data_dir), learner, [Role.LEARNER], timedelta(hours=1))


def cache_hits(server: Server) -> int:
    return int(server.http.post("/graphql", json={"query": CACHE}).json()["data"]["recommendationCache"]["hits"])


def until_trained(server: Server, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = server.http.post("/graphql", json={"query": "{ recommenders { name status } }"}).json()
        if {"name": "popular", "status": "READY"} in body["data"]["recommenders"]:
            return
        time.sleep(0.2)
    pytest.fail("popular was never served")


def until_listed(server: Server, learner: str, timeout_s: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if found := recommended(server, learner):
            return found
        time.sleep(0.2)
    pytest.fail("the catalog never reached the server")


def test_a_write_through_one_process_changes_the_others_next_answer_within_a_second(
        two_servers: tuple[Server, Server]) -> None:
    writer, reader = two_servers
    until_trained(writer)
    until_listed(writer, "learner-x")
    before = until_listed(reader, "learner-x")
    hits = cache_hits(reader)
    assert recommended(reader, "learner-x") == before and cache_hits(reader) == hits + 1  # cached in the reader
    body = writer.http.post("/graphql", json={"query": ENROLL, "variables": {"c": before[0], "u": "learner-x"}}).json()
    assert body["data"]["enroll"]["errors"] == []
    written = time.monotonic()
    while before[0] in (now := recommended(reader, "learner-x")):
        assert time.monotonic() - written < SEEN_WITHIN_S * 5, "the reader kept its old answer"
        time.sleep(0.02)
    seen_s = time.monotonic() - written
    assert seen_s <= SEEN_WITHIN_S and now[:2] == before[1:3]


def test_serve_with_two_workers_answers_on_one_port(tmp_path: Path) -> None:
    server = start_server(tmp_path, "--workers", "2")
    try:
        workers = [pid for pid in children(server.process.pid) if "spawn_main" in cmdline(pid)]
        assert len(workers) == 2
        for _ in range(6):
            body = server.http.post("/graphql", json={"query": RECOMMENDED},
                                    headers={"authorization": f"Bearer {learner_token(server, 'someone')}"}).json()
            assert body["data"]["recommendations"]["items"] == []  # an empty catalog, from either worker
    finally:
        stop_server(server)
    assert server.process.returncode == 0 and not any(Path(f"/proc/{pid}").exists() for pid in workers)


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
