"""The `pathwise` command as a user runs it: a real process, real output, real exit codes."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from pymongo import MongoClient

from app.core.store.embedded import EmbeddedStore
from tests.conftest import REPO, _free_port, _wait_ready, shared_data


def pathwise(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "app", *args], check=False, cwd=REPO, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def store_env(mongo_uri: str) -> dict[str, str]:
    return {"PATHWISE_MONGODB_URI": mongo_uri, "PATHWISE_DATABASE": f"cli_{uuid.uuid4().hex[:8]}"}


def test_token_is_alone_on_the_last_line(tmp_path: Path) -> None:
    result = pathwise("token", "ana", "--role", "partner", "--ttl", "2h", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    secret = (tmp_path / "jwt_secret").read_text().strip()
    claims = jwt.decode(token, secret, algorithms=["HS256"])
    assert claims["sub"] == "ana" and claims["roles"] == ["partner"]
    assert 7100 < claims["exp"] - claims["iat"] <= 7200
    assert oct((tmp_path / "jwt_secret").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(("args", "needle"), [
    (["--ttl", "forever"], "30m"),
    (["--role", "superuser"], "superuser"),
])
def test_token_bad_options_are_clear(tmp_path: Path, args: list[str], needle: str) -> None:
    result = pathwise("token", "ana", *args, "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert needle in result.stderr and "Traceback" not in result.stderr


def test_import_reports_broken_rows_by_line_and_imports_the_rest(tmp_path: Path, store_env: dict[str, str]) -> None:
    csv_file = tmp_path / "catalog.csv"
    csv_file.write_text(
        'id,title,description,rating,skills\n'
        'a1,Intro to Rust,"A first look,\nover two lines",4.5,"Rust|Systems"\n'
        'a2,,nothing,4.0,Rust\n'
        'a3,Async Rust,More,not-a-number,Rust\n'
    )
    first = pathwise("import-courses", str(csv_file), env=store_env)
    assert first.returncode == 1
    assert "line 4: title: missing" in first.stderr
    assert "line 5: warning: rating: not a number: 'not-a-number'" in first.stderr
    assert ("3 rows read: 2 upserted (2 created, 0 updated), 0 unchanged, 1 skipped, "
            "1 kept with warnings (1 warnings)") in first.stdout
    again = pathwise("import-courses", str(csv_file), env=store_env)
    assert "3 rows read: 0 upserted (0 created, 0 updated), 2 unchanged, 1 skipped" in again.stdout
    client: MongoClient[dict[str, Any]] = MongoClient(store_env["PATHWISE_MONGODB_URI"])
    runs = list(client[store_env["PATHWISE_DATABASE"]]["catalog_imports"].find({}, {"_id": 0, "kind": 1, "source": 1,
                                                                                   "created": 1, "unchanged": 1,
                                                                                   "skipped": 1, "problems": 1}))
    client.close()
    assert sorted(runs, key=lambda run: run["created"]) == [  # both runs kept for the catalog's import status
        {"kind": "courses", "source": csv_file.name, "created": 0, "unchanged": 2, "skipped": 1,
         "problems": ["line 4: title: missing"]},
        {"kind": "courses", "source": csv_file.name, "created": 2, "unchanged": 0, "skipped": 1,
         "problems": ["line 4: title: missing"]}]


def test_import_with_only_warnings_exits_0_and_finds_the_header_below_a_title(
        tmp_path: Path, store_env: dict[str, str]) -> None:
    csv_file = tmp_path / "udemy.csv"
    csv_file.write_text(
        "Udemy Courses Export 2024\n\n"
        "course_id,course_title,headline_text,level,content_duration\n"
        "1,Knots,Tie things,All Levels,1.5\n"
        "2,Knots II,Tie more,Grandmaster,2\n"
    )
    result = pathwise("import-courses", str(csv_file), "--map", "summary=headline_text", env=store_env)
    assert result.returncode == 0, result.stderr
    assert "line 5: warning: level: unknown level 'Grandmaster'" in result.stderr
    assert "2 rows read: 2 upserted (2 created, 0 updated), 0 unchanged, 0 skipped, 1 kept with warnings" in result.stdout


def test_import_with_a_column_mapping(tmp_path: Path, store_env: dict[str, str]) -> None:
    jsonl = tmp_path / "catalog.jsonl"
    jsonl.write_text('{"code": "m1", "name": "Mapped course"}\n{"code": "m2"}\n')
    result = pathwise("import-courses", str(jsonl), "--map", "id=code", "--map", "title=name", env=store_env)
    assert "2 rows read: 1 upserted" in result.stdout, result.stdout + result.stderr
    assert "line 2" in result.stderr


@pytest.mark.parametrize("args", [["/no/such/file.csv"], ["README.md", "--map", "nonsense"]])
def test_import_unusable_input_is_a_message_not_a_traceback(args: list[str], store_env: dict[str, str]) -> None:
    result = pathwise("import-courses", *args, env=store_env)
    assert result.returncode == 2
    assert "error:" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.realdata
def test_import_the_coursera_catalog_twice(store_env: dict[str, str]) -> None:
    path = shared_data("courses", "coursera_courses.csv")
    first = pathwise("import-courses", str(path), env=store_env)
    assert first.returncode == 0, first.stderr
    assert "1000 rows read: 1000 upserted (1000 created, 0 updated), 0 unchanged, 0 skipped" in first.stdout
    second = pathwise("import-courses", str(path), env=store_env)
    assert "1000 rows read: 0 upserted (0 created, 0 updated), 1000 unchanged, 0 skipped" in second.stdout


def test_demo_loads_once_and_again_changes_nothing(store_env: dict[str, str]) -> None:
    first = pathwise("demo", env=store_env)
    assert first.returncode == 0, first.stderr
    assert "53 rows read: 53 upserted" in first.stdout and "5 demo learners" in first.stdout
    second = pathwise("demo", env=store_env)
    assert "0 upserted (0 created, 0 updated), 53 unchanged" in second.stdout


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWISE_")}
    log = (data_dir.parent / f"serve-{port}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port), "--data-dir", str(data_dir)],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def _count_courses(base: str, data_dir: Path) -> int:
    token = pathwise("token", "admin", "--role", "admin", "--data-dir", str(data_dir)).stdout.strip().splitlines()[-1]
    body = httpx.post(f"{base}/graphql", json={"query": "{ courses(first: 1) { totalCount } }"},
                      headers={"authorization": f"Bearer {token}"}).json()
    return int(body["data"]["courses"]["totalCount"])


def test_embedded_serve_shares_its_store_survives_restarts_and_never_doubles(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "data", _free_port()
    data_dir.mkdir()
    server = _serve(data_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, server, tmp_path / f"serve-{port}.log")
        demo = pathwise("demo", "--data-dir", str(data_dir), env={"PATHWISE_MONGODB_URI": ""})
        assert demo.returncode == 0, demo.stderr
        assert _count_courses(base, data_dir) == 51  # 53 in the demo, 2 unpublished
        second = pathwise("serve", "--port", str(_free_port()), "--data-dir", str(data_dir))
        assert second.returncode == 2 and "already served by" in second.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    assert not (data_dir / "store.json").exists()
    restarted = _serve(data_dir, port)
    try:
        _wait_ready(base, restarted, tmp_path / f"serve-{port}.log")
        assert _count_courses(base, data_dir) == 51
    finally:
        restarted.kill()
        restarted.wait()
    state = EmbeddedStore(data_dir).read_state()
    assert state is not None
    assert _gone(state.child_pid), "the store outlived its killed owner"


def _gone(pid: int, timeout_s: float = 5) -> bool:
    """Whether `pid` has exited (a zombie waiting for init to reap it counts as exited)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if status in {"Z", "X"}:
            return True
        time.sleep(0.1)
    return False


def test_an_unknown_configured_recommender_stops_start_up(tmp_path: Path) -> None:
    result = pathwise("serve", "--port", str(_free_port()), "--data-dir", str(tmp_path),
                      env={"PATHWISE_RECOMMENDERS": '["cf", "nope"]'})
    assert result.returncode == 2
    assert "unknown recommender(s) nope" in result.stderr and "popular" in result.stderr
    assert "Traceback" not in result.stderr
