"""The learner app end to end: headless Chromium (web/tests/e2e/learner-*.mjs) against `pathwise serve` with the
demo data, one server for the module. Screenshots of each main screen go to web/test-results/."""

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REPO, _free_port, _wait_ready
from tests.web_scripts import WEB, unavailable

LEARNER_BUILT = WEB / "dist" / "learner" / "index.html"
RECOMMENDERS = "{ recommenders { name status } }"


def _require_browser() -> str:
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("chromium is not installed (apt-get install chromium)")
    if shutil.which("node") is None or not (WEB / "node_modules").is_dir():
        unavailable("node or web/node_modules is missing: run `make web`")
    if not LEARNER_BUILT.is_file():
        unavailable("the learner app is not built: run `make web`")
    return chromium


def _wait_for_recommenders(base: str, timeout_s: float = 300) -> None:
    """Until the demo's trained recommenders are loaded (as bench/soak.py waits: popular, content and cf)."""
    token = httpx.post(f"{base}/demo/token", json={"userId": "demo-ana"}, timeout=10).json()["token"]
    deadline, statuses = time.monotonic() + timeout_s, {}
    while time.monotonic() < deadline:
        body = httpx.post(f"{base}/graphql", json={"query": RECOMMENDERS}, timeout=10,
                          headers={"authorization": f"Bearer {token}"}).json()
        statuses = {item["name"]: item["status"] for item in body["data"]["recommenders"]}
        if all(statuses.get(name) == "READY" for name in ("popular", "content", "cf")):
            return
        time.sleep(0.5)
    raise RuntimeError(f"the recommenders did not load: {statuses}")


@pytest.fixture(scope="module")
def demo_server(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`pathwise demo`, then `pathwise serve`, on a database of their own; the base URL."""
    _require_browser()
    data_dir = tmp_path_factory.mktemp("learner-app")
    env = {**os.environ, "PATHWISE_MONGODB_URI": mongo_uri, "PATHWISE_DATABASE": f"web_{uuid.uuid4().hex[:8]}",
           "PATHWISE_DATA_DIR": str(data_dir), "PATHWISE_ARTIFACT_POLL_SECONDS": "0.5",
           "PATHWISE_CATALOG_POLL_SECONDS": "0.5"}
    demo = subprocess.run([sys.executable, "-m", "app", "demo"], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=600, check=False)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    port = _free_port()
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)], env=env, cwd=REPO,
                                   stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, process, log_path)
            _wait_for_recommenders(base)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def _run_flow(script: str, base: str, chromium: str) -> dict[str, Any]:
    """Run an e2e script; its report, with its output shown when it failed."""
    env = {**os.environ, "PATHWISE_BASE_URL": base, "PATHWISE_CHROMIUM": chromium,
           "PATHWISE_SCREENSHOTS": str(WEB / "test-results")}
    done = subprocess.run(["node", f"tests/e2e/{script}"], cwd=WEB, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    lines = done.stdout.strip().splitlines()
    report: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    failed = [check for check in report.get("checks", []) if not check["ok"]]
    assert done.returncode == 0, f"{script} failed: {json.dumps(failed, indent=2)}\n{done.stdout}\n{done.stderr}"
    return report


def _axe_clean(report: dict[str, Any], screens: set[str]) -> None:
    assert screens <= set(report["axe"]), report["axe"].keys()
    assert {name: result["serious"] for name, result in report["axe"].items()} == dict.fromkeys(report["axe"], 0)


def test_a_new_learner_onboards_gets_reasons_enrols_practises_and_deletes_their_data(demo_server: str) -> None:
    report = _run_flow("learner-journey.mjs", demo_server, _require_browser())
    checks = {check["what"] for check in report["checks"]}
    assert "a course marked not interested leaves the list" in checks
    assert "after deletion the server holds no learner" in checks
    assert report["failed"] == 0 and report["events"] > 0
    _axe_clean(report, {"sign-in", "onboarding", "home", "course", "practice", "review", "learning-path", "privacy"})
    for screenshot in report["screenshots"]:
        assert Path(screenshot).stat().st_size > 5_000


def test_a_learner_who_declines_personalization_sees_popular_courses_and_why(demo_server: str) -> None:
    report = _run_flow("learner-declines.mjs", demo_server, _require_browser())
    assert report["failed"] == 0
    assert "the list says why: personalization was not allowed" in {check["what"] for check in report["checks"]}
    _axe_clean(report, {"home-popular", "privacy"})
