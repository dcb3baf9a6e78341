"""SIGTERM during sustained ingestion: every event the server acknowledged is in the database afterwards."""

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from app.core.settings import Settings
from app.core.tokens import Role, issue_token
from tests.conftest import REPO, _free_port, _wait_ready

CLIENTS = 4
BATCH = 50
MAX_BATCHES_PER_CLIENT = 400
ACKED_BEFORE_SIGTERM = 40  # batches
DEADLINE_S = 60


class Server:
    def __init__(self, process: subprocess.Popen[bytes], base_url: str, database: str, secret: str) -> None:
        self.process, self.base_url, self.database = process, base_url, database
        self.settings = Settings(jwt_secret=secret)


@pytest.fixture
def server(mongo_uri: str, tmp_path: Path) -> Iterator[Server]:
    port, database, secret = _free_port(), f"durable_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(32)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PATHWISE_")},
           "PATHWISE_MONGODB_URI": mongo_uri, "PATHWISE_DATABASE": database, "PATHWISE_JWT_SECRET": secret,
           "PATHWISE_INGEST_FLUSH_MS": "100", "PATHWISE_LOG_LEVEL": "warning"}
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port), "--data-dir",
                                    str(tmp_path / "data")], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process, log_path)
        yield Server(process, base, database, secret)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        with MongoClient(mongo_uri) as client:
            client.drop_database(database)


class Ingestion:
    """Clients posting batches in a loop, each recording the event ids the server acknowledged."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.acknowledged: set[str] = set()
        self.batches_acknowledged = 0
        self.lock = threading.Lock()
        self.enough = threading.Event()

    def run_client(self, number: int) -> None:
        user = f"durable-{number}"
        token = issue_token(self.server.settings, user, [Role.LEARNER], timedelta(minutes=10))
        deadline = time.monotonic() + DEADLINE_S
        with httpx.Client(base_url=self.server.base_url, headers={"authorization": f"Bearer {token}"},
                          timeout=30) as client:
            for batch in range(MAX_BATCHES_PER_CLIENT):
                if time.monotonic() > deadline or not self._post(client, user, batch):
                    return

    def _post(self, client: httpx.Client, user: str, batch: int) -> bool:
        events = [{"eventId": f"b{batch}-{i}", "type": "follow", "properties": {"topic": "durability"}}
                  for i in range(BATCH)]
        try:
            response = client.post("/v1/events", json={"events": events})
        except httpx.HTTPError:
            return False  # the server has gone: whatever was not answered was not acknowledged
        if response.status_code != 200:
            return False
        acked = {f"{user}:{r['eventId']}" for r in response.json()["results"] if r["status"] == "ACCEPTED"}
        with self.lock:
            self.acknowledged |= acked
            self.batches_acknowledged += 1
            if self.batches_acknowledged >= ACKED_BEFORE_SIGTERM:
                self.enough.set()
        return True


def stored_ids(mongo_uri: str, database: str) -> set[str]:
    with MongoClient(mongo_uri) as client:
        return {doc["_id"] for doc in client[database]["events"].find({}, {"_id": 1})}


def test_sigterm_during_ingestion_loses_no_acknowledged_event(server: Server, mongo_uri: str) -> None:
    ingestion = Ingestion(server)
    clients = [threading.Thread(target=ingestion.run_client, args=(n,)) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    assert ingestion.enough.wait(timeout=DEADLINE_S), "the clients never got going"
    server.process.send_signal(signal.SIGTERM)  # while the clients keep posting
    assert server.process.wait(timeout=60) == 0
    for client in clients:
        client.join(timeout=DEADLINE_S)
    assert ingestion.batches_acknowledged < CLIENTS * MAX_BATCHES_PER_CLIENT, "SIGTERM came after the last batch"
    stored = stored_ids(mongo_uri, server.database)
    assert ingestion.acknowledged, "nothing was acknowledged"
    assert ingestion.acknowledged - stored == set()
