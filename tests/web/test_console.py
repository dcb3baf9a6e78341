"""The partner console end to end: headless Chromium (web/tests/e2e/console.mjs) against `pathwise serve` with the
demo data, one server for the module. A partner starts an A/B experiment over GraphQL, the demo learners ask for
recommendations and send impressions and clicks tagged with their variant through POST /v1/events; then the same
with an interleaving experiment; the browser then opens every page of the console. Screenshots go to web/test-results/console-*.png."""

import hashlib
import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.settings import Settings
from app.core.tokens import Role, issue_token
from tests.web.demo_servers import demo_server, require_browser
from tests.web_scripts import WEB

CONSOLE_BUILT = WEB / "dist" / "console" / "index.html"
DEMO_LEARNERS = ("demo-ana", "demo-ben", "demo-chloe", "demo-dev", "demo-emre")
# Three variants: the hash rule puts 2+ demo learners in the first two and one in the third, which the minimum
# group of 2 then suppresses.
VARIANTS = (("control", "popular", 0.4), ("content", "content", 0.4), ("cf", "cf", 0.2))
MIN_GROUP = 2

CREATE = """mutation($input: CreateExperimentInput!) {
  createExperiment(input: $input) { experiment { id status } errors { code message } } }"""
START = "mutation($id: ID!) { startExperiment(id: $id) { experiment { id status } errors { code message } } }"
PAUSE = "mutation($id: ID!) { pauseExperiment(id: $id) { experiment { id status } errors { code message } } }"
RECOMMEND = "{ recommendations(first: 5) { requestId strategy experiment variant items { variant course { id } } } }"
RECOMMENDERS = "{ recommenders { name status } }"
SERVING = "{ servingMetrics(days: 2) { day strategy answers } }"


@dataclass
class ConsoleServer:
    base: str
    settings: Settings

    def token(self, user: str, role: Role) -> str:
        return issue_token(self.settings, user, [role], timedelta(hours=1))

    def client(self, user: str, role: Role) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"authorization": f"Bearer {self.token(user, role)}"},
                            timeout=60)


def _require_browser() -> str:
    return require_browser(CONSOLE_BUILT, "the partner console")


def _graphql(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables or {}}).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


@pytest.fixture(scope="module")
def console_server(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    """`pathwise demo`, then `pathwise serve` with a minimum group of 2, on a database of their own."""
    _require_browser()
    data_dir = tmp_path_factory.mktemp("console")
    database = f"console_{uuid.uuid4().hex[:8]}"
    settings = Settings(data_dir=data_dir, mongodb_uri=mongo_uri, database=database)

    def statuses(base: str) -> dict[str, str]:
        with ConsoleServer(base, settings).client("console-partner", Role.PARTNER) as partner:
            return {item["name"]: item["status"] for item in _graphql(partner, RECOMMENDERS)["recommenders"]}

    with demo_server(mongo_uri, database, data_dir, statuses, PATHWISE_ANALYTICS_MIN_GROUP=str(MIN_GROUP),
                     HF_HUB_OFFLINE="1") as base:
        yield ConsoleServer(base, settings)


def variant_of(experiment: str, user: str) -> int:
    """The variant the server assigns (README, "Experiments": sha256 over 16^15 against cumulative shares)."""
    place = int(hashlib.sha256(f"{experiment}:{user}".encode()).hexdigest()[:15], 16) / 16**15
    total = 0.0
    for index, (_, _, share) in enumerate(VARIANTS):
        total += share
        if place < total:
            return index
    return len(VARIANTS) - 1


def _experiment_id() -> str:
    """An id that puts 2+ demo learners in each of the first two variants and one in the third."""
    prefix = f"console-{uuid.uuid4().hex[:6]}"
    for number in range(10_000):
        candidate = f"{prefix}-{number}"
        sizes = [0] * len(VARIANTS)
        for user in DEMO_LEARNERS:
            sizes[variant_of(candidate, user)] += 1
        if sizes[0] >= MIN_GROUP and sizes[1] >= MIN_GROUP and sizes[2] == 1:
            return candidate
    raise AssertionError("no experiment id splits the demo learners as wanted")


def _start_experiment(server: ConsoleServer) -> str:
    """As a partner: create and start the A/B experiment; its id."""
    experiment = _experiment_id()
    variants = [{"name": name, "strategy": strategy, "share": share} for name, strategy, share in VARIANTS]
    with server.client("console-partner", Role.PARTNER) as partner:
        created = _graphql(partner, CREATE, {"input": {
            "id": experiment, "name": "Content-based vs popular", "variants": variants,
            "hypothesis": "Courses like the learner's own are clicked more.", "primaryMetric": "CLICK_THROUGH",
            "guardrails": ["DISMISSAL"]}})["createExperiment"]
        assert created["errors"] == [], created
        started = _graphql(partner, START, {"id": experiment})["startExperiment"]
        assert started["errors"] == [] and started["experiment"]["status"] == "RUNNING", started
    return experiment


def _start_interleaving(server: ConsoleServer, a_b: str) -> str:
    """As a partner: pause the A/B experiment (the first running one a learner is eligible for answers), then create
    and start an interleaving experiment of popular against content; its id."""
    experiment = f"console-interleaving-{uuid.uuid4().hex[:6]}"
    variants = [{"name": strategy, "strategy": strategy, "share": 0.5} for strategy in ("popular", "content")]
    with server.client("console-partner", Role.PARTNER) as partner:
        paused = _graphql(partner, PAUSE, {"id": a_b})["pauseExperiment"]
        assert paused["errors"] == [] and paused["experiment"]["status"] == "PAUSED", paused
        created = _graphql(partner, CREATE, {"input": {
            "id": experiment, "name": "Interleaved: content and popular", "variants": variants,
            "kind": "INTERLEAVING"}})["createExperiment"]
        assert created["errors"] == [], created
        started = _graphql(partner, START, {"id": experiment})["startExperiment"]
        assert started["errors"] == [] and started["experiment"]["status"] == "RUNNING", started
    return experiment


def _learners_respond(server: ConsoleServer, experiment: str) -> dict[str, str]:
    """Each demo learner asks for recommendations, sees all of them and clicks 1–3: events tagged with the answer's
    experiment and variant (an interleaved list's: each item's ranker), sent to POST /v1/events. The variant of
    each learner."""
    variants = {}
    for number, user in enumerate(DEMO_LEARNERS):
        with server.client(user, Role.LEARNER) as learner:
            answer = _graphql(learner, RECOMMEND)["recommendations"]
            assert answer["experiment"] == experiment, answer
            variants[user] = answer["variant"]
            shown = [(item["course"]["id"], {"requestId": answer["requestId"], "experiment": experiment,
                                             "variant": item["variant"] or answer["variant"]})
                     for item in answer["items"]]
            events = [{"eventId": str(uuid.uuid4()), "type": "recommendation_impression", "courseId": course,
                       "properties": properties} for course, properties in shown]
            events += [{"eventId": str(uuid.uuid4()), "type": "recommendation_click", "courseId": course,
                        "properties": properties} for course, properties in shown[: 1 + number % 3]]
            response = learner.post("/v1/events", json={"events": events})
            assert response.status_code == 200, response.text
            assert {result["status"] for result in response.json()["results"]} == {"ACCEPTED"}, response.json()
    return variants


def _wait_for_serving_counts(server: ConsoleServer, timeout_s: float = 40) -> list[dict[str, Any]]:
    """Until servingMetrics has today's answers (servers add their counts every 10 s)."""
    deadline, rows = time.monotonic() + timeout_s, list[dict[str, Any]]()
    with server.client("console-partner", Role.PARTNER) as partner:
        while time.monotonic() < deadline:
            rows = list(_graphql(partner, SERVING)["servingMetrics"])
            if sum(row["answers"] for row in rows) >= len(DEMO_LEARNERS):
                return rows
            time.sleep(1)
    raise AssertionError(f"the servers' counts did not arrive: {rows}")


def _run_console(server: ConsoleServer, experiment: str, interleaving: str, chromium: str) -> dict[str, Any]:
    env = {**os.environ, "PATHWISE_BASE_URL": server.base, "CHROMIUM": chromium,
           "CONSOLE_SCREENSHOTS": str(WEB / "test-results"), "PATHWISE_EXPERIMENT_ID": experiment,
           "PATHWISE_INTERLEAVING_ID": interleaving,
           "PATHWISE_PARTNER_TOKEN": server.token("console-partner", Role.PARTNER),
           "PATHWISE_ADMIN_TOKEN": server.token("console-admin", Role.ADMIN),
           "PATHWISE_LEARNER_TOKEN": server.token("demo-ana", Role.LEARNER)}
    done = subprocess.run(["node", "tests/e2e/console.mjs"], cwd=WEB, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    lines = done.stdout.strip().splitlines()
    assert lines and done.returncode in (0, 1), f"console.mjs exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    report: dict[str, Any] = json.loads(lines[-1])
    (WEB / "test-results" / "console-report.json").write_text(json.dumps(report, indent=2))
    report["output"] = done.stderr
    return report


@pytest.fixture(scope="module")
def console_report(console_server: ConsoleServer) -> dict[str, Any]:
    """The browser's report after the experiment, the learners' events and the servers' counts."""
    chromium = _require_browser()
    experiment = _start_experiment(console_server)
    variants = _learners_respond(console_server, experiment)
    assert sorted(variants.values()).count("cf") == 1, variants
    interleaving = _start_interleaving(console_server, experiment)
    assert set(_learners_respond(console_server, interleaving).values()) == {"interleaved"}
    _wait_for_serving_counts(console_server)
    report = _run_console(console_server, experiment, interleaving, chromium)
    report["experiment"] = experiment
    return report


PAGES = ("catalog", "recommenders", "metrics", "experiments", "experiment", "experiment-interleaving",
         "experiment-form", "experiment-phone", "analytics", "consents", "audit-partner", "signin", "audit")


def test_a_partner_sees_recommendations_by_strategy_and_an_experiments_results(console_report: dict[str, Any]) -> None:
    pages = console_report["pages"]
    assert console_report["failures"] == [], console_report
    assert all(pages[name]["ok"] for name in PAGES), {name: pages[name] for name in PAGES if not pages[name]["ok"]}
    assert pages["metrics"]["strategies"] >= 2 and pages["metrics"]["rows"] >= 2  # popular, content, cf answered
    experiment = pages["experiment"]
    assert experiment["variants"] == 3 and experiment["suppressed"] == 1  # cf: one learner, under the group of 2
    assert experiment["liftChart"]
    assert experiment["secondRow"][0] == "content" and experiment["secondRow"][7].startswith(("+", "-", "0"))
    interleaving = pages["experiment-interleaving"]
    assert interleaving["learners"] == str(len(DEMO_LEARNERS)) and interleaving["preferenceChart"]
    assert pages["experiment-form"]["status"] == "DRAFT"
    assert pages["experiment-phone"]["overflow"] <= 1
    assert pages["consents"]["purposes"] == 5
    for name in PAGES:
        assert pages[name]["axe"] == [], (name, pages[name]["axe"])
        assert Path(pages[name]["screenshot"]).stat().st_size > 5_000


def test_a_learner_token_cannot_open_the_console(console_report: dict[str, Any]) -> None:
    assert [failure for failure in console_report["failures"] if failure.startswith("forbidden")] == []
    forbidden = console_report["pages"]["forbidden"]
    assert forbidden["ok"] and forbidden["heading"] == "This console is for partners and admins"
    assert not forbidden["learnerSeesNavigation"] and not forbidden["learnerSeesData"]
    assert forbidden["axe"] == []
