"""The learner app end to end: headless Chromium (web/tests/e2e/learner-*.mjs) against `pathwise serve` with the
demo data, one server for the module. Screenshots of each main screen go to web/test-results/."""

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web import demo_servers
from tests.web.demo_servers import require_browser
from tests.web_scripts import WEB

LEARNER_BUILT = WEB / "dist" / "learner" / "index.html"
RECOMMENDERS = "{ recommenders { name status } }"


def _require_browser() -> str:
    return require_browser(LEARNER_BUILT, "the learner app")


def _statuses(base: str) -> dict[str, str]:
    """The recommenders' statuses, read as a demo learner."""
    token = httpx.post(f"{base}/demo/token", json={"userId": "demo-ana"}, timeout=10).json()["token"]
    body = httpx.post(f"{base}/graphql", json={"query": RECOMMENDERS}, timeout=10,
                      headers={"authorization": f"Bearer {token}"}).json()
    return {item["name"]: item["status"] for item in body["data"]["recommenders"]}


@pytest.fixture(scope="module")
def demo_server(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`pathwise demo`, then `pathwise serve`, on a database of their own; the base URL."""
    _require_browser()
    with demo_servers.demo_server(mongo_uri, f"web_{uuid.uuid4().hex[:8]}", tmp_path_factory.mktemp("learner-app"),
                                  _statuses) as base:
        yield base


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
