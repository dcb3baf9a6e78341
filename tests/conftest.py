"""Shared fixtures: one store per test session (embedded, or PATHWISE_TEST_MONGODB_URI), in-process
Beanie for resolver tests, and a live `pathwise serve` subprocess for HTTP tests."""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.monitoring import CommandFailedEvent, CommandListener, CommandStartedEvent, CommandSucceededEvent

from app.core.documents import DOCUMENT_MODELS
from app.core.settings import Settings
from app.core.store.db import init_database, make_client
from app.core.store.embedded import embedded_store
from app.core.tokens import Role, issue_token

# No wall-clock deadline per example: these shared machines run other work (a 200 ms deadline failed a pure
# computation at 253 ms under load). Speed is measured in bench/, never asserted in tests.
hypothesis.settings.register_profile("shared-machines", deadline=None)
hypothesis.settings.load_profile("shared-machines")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


class CommandCounter(CommandListener):
    """Counts the MongoDB commands the app sends (tests assert on N+1)."""

    def __init__(self) -> None:
        self.commands: list[str] = []

    def started(self, event: CommandStartedEvent) -> None:
        if event.command_name not in {"ping", "hello", "isMaster", "ismaster", "endSessions"}:
            self.commands.append(event.command_name)

    def succeeded(self, event: CommandSucceededEvent) -> None:
        pass

    def failed(self, event: CommandFailedEvent) -> None:
        pass


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    uri = os.environ.get("PATHWISE_TEST_MONGODB_URI")
    if uri:
        yield uri
        return
    with embedded_store(tmp_path_factory.mktemp("store"), "pytest") as state:
        yield state.uri


@pytest.fixture(scope="session")
def command_counter() -> CommandCounter:
    return CommandCounter()


@pytest.fixture(scope="session")
async def database(mongo_uri: str, command_counter: CommandCounter) -> AsyncIterator[str]:
    """A fresh database bound to the documents for this session's in-process tests."""
    name = f"pathwise_test_{uuid.uuid4().hex[:8]}"
    client: Any = make_client(mongo_uri, listeners=[command_counter])
    await init_database(client, name)
    yield name
    await client.drop_database(name)
    await client.close()


@pytest.fixture
async def clean(database: str) -> AsyncIterator[None]:
    """Empty every collection before the test."""
    for model in DOCUMENT_MODELS:
        await model.get_pymongo_collection().delete_many({})  # type: ignore[attr-defined]
    yield


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, base_url: str, settings: Settings) -> None:
        self.base_url = base_url
        self.settings = settings

    def token(self, user: str, *roles: Role, ttl: timedelta = timedelta(hours=1)) -> str:
        return issue_token(self.settings, user, list(roles) or [Role.LEARNER], ttl)

    def client(self, user: str | None = None, *roles: Role) -> httpx.Client:
        headers = {"authorization": f"Bearer {self.token(user, *roles)}"} if user else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


@pytest.fixture(scope="session")
def live_server(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`pathwise serve` in a subprocess, on the session's store, a database of its own."""
    data_dir = tmp_path_factory.mktemp("live")
    port = _free_port()
    env = {**os.environ, "PATHWISE_MONGODB_URI": mongo_uri, "PATHWISE_DATABASE": f"live_{uuid.uuid4().hex[:8]}",
           "PATHWISE_DATA_DIR": str(data_dir), "PATHWISE_MAX_BODY_BYTES": "1000000",
           "PATHWISE_CORS_ORIGINS": '["https://app.example"]', "PATHWISE_ARTIFACT_POLL_SECONDS": "0.5",
           "PATHWISE_CATALOG_POLL_SECONDS": "0.5"}
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)], env=env, cwd=REPO,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _wait_ready(base, process, data_dir / "server.log")
    # settings.mongodb_uri and settings.database name the live server's store and database
    settings = Settings(data_dir=data_dir, mongodb_uri=mongo_uri, database=env["PATHWISE_DATABASE"])
    yield LiveServer(base, settings)
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture
def store(live_server: LiveServer) -> Iterator[Database[dict[str, Any]]]:
    """The live server's database through plain pymongo, to check what it stored."""
    client: MongoClient[dict[str, Any]] = MongoClient(live_server.settings.mongodb_uri, tz_aware=True)
    yield client[live_server.settings.database]
    client.close()


def _wait_ready(base: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(errors="replace")
            raise RuntimeError(f"pathwise serve exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("pathwise serve did not become ready")


def shared_data(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test with the reason."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (it lives beside the project, never in it)")
    return path
