"""The README's First steps, run verbatim: its shell lines in a project folder laid out as after `make serve`
(`.venv/` here, `../shared/` beside it), with `pathwise serve` running, then each GraphQL example posted with the
token the steps printed. A line that reads `../shared/data` is left out, with a note, when that folder is absent."""

import re
import shlex
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REPO, SHARED_DATA, _free_port, _wait_ready

SECTION = re.compile(r"^## First steps\n(.*?)(?=^## )", re.MULTILINE | re.DOTALL)
BLOCK = re.compile(r"```(sh|graphql)\n(.*?)```", re.DOTALL)


def first_steps() -> tuple[list[str], list[tuple[str, str]]]:
    """The shell lines and the (preceding prose, query) GraphQL examples of the README's First steps."""
    found = SECTION.search((REPO / "README.md").read_text(encoding="utf-8"))
    assert found, "the README has no '## First steps' section"
    section, lines, queries, last = found.group(1), [], [], 0
    for block in BLOCK.finditer(section):
        if block.group(1) == "sh":
            lines += [line for line in block.group(2).splitlines() if line.split("#")[0].strip()]
        else:
            queries.append((section[last:block.start()], block.group(2)))
        last = block.end()
    return lines, queries


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A folder with the project's .venv and ../shared beside it, and `pathwise serve` running in it."""
    root = tmp_path_factory.mktemp("readme")
    folder = root / "pathwise"
    folder.mkdir()
    (folder / ".venv").symlink_to(REPO / ".venv")
    if SHARED_DATA.parent.exists():
        (root / "shared").symlink_to(SHARED_DATA.parent)
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(root), "HF_HUB_OFFLINE": "1",
           "PATHWISE_ARTIFACT_POLL_SECONDS": "1", "PATHWISE_CATALOG_POLL_SECONDS": "1"}
    with (root / "server.log").open("wb") as log:
        server = subprocess.Popen([".venv/bin/pathwise", "serve", "--port", str(port)], cwd=folder, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(f"http://127.0.0.1:{port}", server, root / "server.log", timeout_s=120)
            yield folder, f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                raise AssertionError("pathwise serve did not stop within 30 s of SIGTERM") from None


def _run(folder: Path, line: str) -> str:
    done = subprocess.run(["bash", "-c", line], cwd=folder, capture_output=True, text=True, timeout=1500,
                          check=False, env={"PATH": "/usr/bin:/bin", "HOME": str(folder), "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, f"README line failed ({done.returncode}): {line}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _post(base: str, token: str, query: str) -> dict[str, Any]:
    answer = httpx.post(f"{base}/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"},
                        timeout=60)
    body: dict[str, Any] = answer.json()
    assert answer.status_code == 200 and "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def _payload_errors(value: Any) -> list[Any]:
    """Every non-empty `errors` list and every REJECTED event result in a mutation's answer."""
    if isinstance(value, dict):
        found = [value["errors"]] if value.get("errors") else []
        found += [value] if value.get("status") == "REJECTED" else []
        return found + [error for inner in value.values() for error in _payload_errors(inner)]
    if isinstance(value, list):
        return [error for inner in value for error in _payload_errors(inner)]
    return []


def test_the_first_steps_run_verbatim(project: tuple[Path, str]) -> None:
    folder, base = project
    lines, queries = first_steps()
    tokens: dict[str, str] = {}
    for line in lines:
        command = shlex.split(line, comments=True)
        if any("../shared/data" in word for word in command) and not SHARED_DATA.exists():
            print(f"left out (no ../shared/data here): {line}")
            continue
        output = _run(folder, line)
        if command[1] == "token":
            tokens["admin" if "admin" in command else "learner"] = output.strip().splitlines()[-1]
    _wait_for_training(base, tokens["learner"])
    before = _enrolled(base, tokens["learner"])
    for prose, query in queries:
        paragraph = prose.strip().split("\n\n")[-1]
        data = _post(base, tokens["admin" if "admin or partner token" in paragraph else "learner"], query)
        assert not _payload_errors(data), data
    target = re.search(r'enroll\(courseId: "([^"]+)"\)', "\n".join(query for _, query in queries))
    assert target and target.group(1) not in before, "the README's enroll example must enrol in a new course"
    assert target.group(1) in _enrolled(base, tokens["learner"])


def _enrolled(base: str, token: str) -> set[str]:
    me = _post(base, token, "{ me { enrollments { course { id } } } }")["me"]
    return {row["course"]["id"] for row in me["enrollments"]}


def _wait_for_training(base: str, token: str, deadline_s: float = 120) -> None:
    """Until the server serves the artifacts the steps trained (it polls for them)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        listed = _post(base, token, "{ recommenders { name status } }")["recommenders"]
        if {row["name"]: row["status"] for row in listed}.get("content") == "READY":
            return
        time.sleep(0.5)
    raise AssertionError("the server never loaded the artifacts `pathwise train` wrote")
