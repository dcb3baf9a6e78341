"""The embedded store's death is survived: while it is down every request is answered UNAVAILABLE fast and
/readyz says 503; `pathwise serve` restarts it, then answers again without a restart of its own; events it
acknowledged before are all stored; and SIGTERM during the outage ends it quickly."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.core.settings import Settings
from app.core.store.embedded import embedded_store
from app.core.store.outages import OutageDeadlineMiddleware
from app.core.tokens import Role, issue_token
from tests.conftest import REPO, _free_port, _wait_ready

FAST_S = 3.0  # an answer during the outage comes well within this (0.5–1.1 s measured; the old code took 5 s, or hung)
QUERY = {"query": "{ courses(first: 1) { edges { node { id } } } }", "variables": {}}


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    data_dir: Path
    http: httpx.Client

    def store_uri(self) -> str:
        return str(json.loads((self.data_dir / "store.json").read_text())["uri"])

    def kill_store_and_keep_it_down(self) -> None:
        """kill -9 the store; until `let_store_start`, restarts fail (its data dir is replaced by a file)."""
        state = json.loads((self.data_dir / "store.json").read_text())
        os.kill(state["child_pid"], signal.SIGKILL)
        (self.data_dir / "store").rename(self.data_dir / "store.away")
        (self.data_dir / "store").write_text("the store cannot start while this is a file")

    def let_store_start(self) -> None:
        if (self.data_dir / "store.away").exists():
            (self.data_dir / "store").unlink()
            (self.data_dir / "store.away").rename(self.data_dir / "store")

    def readyz_until(self, status: int, timeout_s: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            if self.http.get("/readyz").status_code == status:
                return time.monotonic() - started
            time.sleep(0.1)
        pytest.fail(f"/readyz did not answer {status} within {timeout_s} s")


def start_server(data_dir: Path, *options: str, **env: str) -> Server:
    """`pathwise serve` with short timeouts: on its own embedded store, or the one `PATHWISE_MONGODB_URI` names."""
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PATHWISE_")}
    environment.update({"PATHWISE_DATA_DIR": str(data_dir), "PATHWISE_DATABASE_SELECT_TIMEOUT_MS": "300",
                        "PATHWISE_STORE_RESTART_MAX_SECONDS": "0.5", "PATHWISE_SHUTDOWN_FLUSH_SECONDS": "1",
                        "PATHWISE_DEFAULT_CONSENTS": '["behavioral_tracking"]', "HF_HUB_OFFLINE": "1", **env})
    with (data_dir / "server.log").open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port), *options], env=environment,
                                   cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _wait_ready(base, process, data_dir / "server.log")
    token = issue_token(Settings(data_dir=data_dir), "admin-1", [Role.ADMIN], timedelta(hours=1))
    http = httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=30)
    return Server(process, data_dir, http)


def stop_server(server: Server) -> None:
    server.http.close()
    if server.process.poll() is None:
        server.process.terminate()
        server.process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`pathwise serve` on its own embedded store."""
    running = start_server(tmp_path_factory.mktemp("outage"))
    yield running
    running.let_store_start()
    stop_server(running)


def post_events(server: Server, *ids: str) -> httpx.Response:
    events = [{"eventId": event_id, "type": "session_start", "userId": "learner-1"} for event_id in ids]
    return server.http.post("/v1/events", json={"events": events})


def timed(call: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_requests_get_unavailable_fast_while_the_store_is_down_and_succeed_after_its_restart(
        server: Server) -> None:
    acknowledged = [f"before-{n}" for n in range(30)]
    for start in range(0, 30, 10):
        assert post_events(server, *acknowledged[start:start + 10]).json()["accepted"] == 10
    uri = server.store_uri()

    server.kill_store_and_keep_it_down()
    server.readyz_until(503, timeout_s=10)

    graphql, graphql_s = timed(lambda: server.http.post("/graphql", json=QUERY))
    assert graphql.json()["errors"][0]["extensions"] == {"code": "UNAVAILABLE"}
    assert "127.0.0.1" not in graphql.text, "the driver's message stays in the log"
    events, events_s = timed(lambda: post_events(server, "during-1"))
    assert events.status_code == 503 and events.headers["retry-after"] == "1"
    assert events.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    export, export_s = timed(lambda: server.http.get("/v1/me/export", params={"userId": "learner-1"}))
    assert export.status_code == 503
    ready, ready_s = timed(lambda: server.http.get("/readyz"))
    assert ready.status_code == 503 and server.http.get("/healthz").status_code == 200
    assert max(graphql_s, events_s, export_s) < FAST_S, (graphql_s, events_s, export_s)
    assert ready_s < FAST_S + 0.5

    server.let_store_start()
    server.readyz_until(200, timeout_s=30)
    assert server.store_uri() == uri, "restarted on its port: the server's client follows by itself"
    assert post_events(server, "after-1").json()["accepted"] == 1
    assert "errors" not in server.http.post("/graphql", json=QUERY).json()
    client: MongoClient[dict[str, Any]] = MongoClient(uri)
    stored = {doc["event_id"] for doc in client["pathwise"]["events"].find({"user_id": "learner-1"})}
    client.close()
    assert set(acknowledged) <= stored, "an acknowledged event was lost"
    assert "during-1" not in stored
    assert _logged(server, "the embedded store died (exit status -9)", "the embedded store restarted")


def test_sigterm_during_the_outage_ends_the_server_within_ten_seconds(server: Server) -> None:
    server.kill_store_and_keep_it_down()
    server.readyz_until(503, timeout_s=10)
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=15)
    assert time.monotonic() - started < 10
    assert server.process.returncode == 0
    assert not (server.data_dir / "store.json").exists(), "the store's state is cleaned up"


def test_an_unreachable_mongodb_uri_gets_the_same_fast_unavailable_answers(tmp_path: Path) -> None:
    with embedded_store(tmp_path / "mongodb", "a stand-in for MongoDB") as mongodb:
        running = start_server(tmp_path, PATHWISE_MONGODB_URI=mongodb.uri)
        try:
            os.kill(mongodb.child_pid, signal.SIGKILL)  # nobody restarts it: that is MongoDB's operators' job
            running.readyz_until(503, timeout_s=10)
            graphql, graphql_s = timed(lambda: running.http.post("/graphql", json=QUERY))
            events, events_s = timed(lambda: post_events(running, "lost-1"))
            assert graphql.json()["errors"][0]["extensions"] == {"code": "UNAVAILABLE"}
            assert events.status_code == 503
            assert max(graphql_s, events_s) < FAST_S, (graphql_s, events_s)
        finally:
            stop_server(running)


class _Topology:
    def __init__(self, writable: bool) -> None:
        self.writable = writable

    def has_writable_server(self) -> bool:
        return self.writable


class _Client:
    def __init__(self, writable: bool) -> None:
        self.topology_description = _Topology(writable)


def _slow_app(writable: bool) -> Starlette:
    async def slow(request: Request) -> JSONResponse:
        await asyncio.sleep(2)  # stands for a wait the driver does not cut short
        return JSONResponse({"done": True})

    app = Starlette(routes=[Route("/slow", slow)],
                    middleware=[Middleware(OutageDeadlineMiddleware, seconds=0.1)])
    app.state.client = _Client(writable)
    return app


async def test_while_the_database_is_gone_a_request_is_cut_off_with_503_unavailable() -> None:
    transport = httpx.ASGITransport(app=_slow_app(writable=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response, took = await _timed_async(client.get("/slow"))
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.json()["errors"][0]["extensions"] == {"code": "UNAVAILABLE"}
    assert took < FAST_S


async def test_while_the_database_answers_requests_are_not_cut_off() -> None:
    transport = httpx.ASGITransport(app=_slow_app(writable=True))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response, _ = await _timed_async(client.get("/slow"))
    assert response.json() == {"done": True}


async def _timed_async(call: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await call
    return response, time.monotonic() - started


def _logged(server: Server, *lines: str, timeout_s: float = 10.0) -> bool:
    """Whether the server's log holds every one of `lines` within `timeout_s` (a loaded machine flushes late)."""
    deadline = time.monotonic() + timeout_s
    while True:
        log = (server.data_dir / "server.log").read_text()
        if all(line in log for line in lines) or time.monotonic() > deadline:
            return all(line in log for line in lines)
        time.sleep(0.2)
