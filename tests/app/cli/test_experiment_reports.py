"""`report` of app.cli.experiment_reports on a seeded experiment, as a user runs it: the table, the JSON, the chart,
an unknown id."""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from app.core.documents import Event, Experiment, ExperimentMetric, ExperimentStatus, Variant
from app.core.timestamps import utcnow
from tests.conftest import REPO


def report(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`pathwise experiments report ARGS` in a process of its own, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "app", "experiments", "report", *args], check=False, cwd=REPO,
                          env={**os.environ, **env, "COLUMNS": "250"}, capture_output=True, text=True, timeout=120)


@pytest.fixture
def seeded(mongo_uri: str, database: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """An experiment with two variants and a few days of impressions and clicks in a database of its own (the
    documents are built as the app builds them, so `database` binds them first)."""
    name = f"cli_report_{uuid.uuid4().hex[:8]}"
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri, tz_aware=True)
    # the start of the day before yesterday (UTC): the 40 hours of events then fill two whole days' points
    # whatever the time of day the test runs at (from a later start, the first day held too few learners)
    started = (utcnow() - timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
    experiment = Experiment(id="exp", name="Hybrid against popular", status=ExperimentStatus.RUNNING,
                            variants=[Variant(name="control", strategy="popular", share=0.5),
                                      Variant(name="hybrid", strategy="hybrid", share=0.5)],
                            primary_metric=ExperimentMetric.CLICK_THROUGH, started_at=started)
    client[name]["experiments"].insert_one(experiment.model_dump(by_alias=True))
    events = []
    for n in range(40):
        user, variant = f"u{n}", ("control", "hybrid")[n % 2]
        for k, kind in enumerate(["recommendation_impression"] * 4 + ["recommendation_click"] * (1 + n % 3)):
            events.append(Event(id=Event.key(user, f"e{k}"), user_id=user, event_id=f"e{k}", type=kind,
                                course_id="c1", server_timestamp=started + timedelta(hours=n),
                                properties={"experiment": "exp", "variant": variant}).model_dump(by_alias=True))
    client[name]["events"].insert_many(events)
    yield {"PATHWISE_MONGODB_URI": mongo_uri, "PATHWISE_DATABASE": name, "PATHWISE_DEFAULT_CONSENTS": '["analytics"]'}
    client.drop_database(name)
    client.close()


def test_prints_a_table_of_the_variants(seeded: dict[str, str], tmp_path: Path) -> None:
    run = report(seeded, "exp", "--data-dir", str(tmp_path))
    assert run.returncode == 0, run.stderr
    for words in ("Hybrid against popular", "control (control)", "hybrid", "click_through", "lift [95%]",
                  "sample ratio: [20, 20]", ": ok"):
        assert words in run.stdout


def test_prints_json_and_draws_the_chart(seeded: dict[str, str], tmp_path: Path) -> None:
    chart = tmp_path / "lift.png"
    run = report(seeded, "exp", "--json", "--chart", str(chart), "--data-dir", str(tmp_path))
    assert run.returncode == 0, run.stderr
    printed = json.loads(run.stdout)
    assert [v["name"] for v in printed["variants"]] == ["control", "hybrid"]
    assert [v["learners"] for v in printed["variants"]] == [20, 20]
    assert printed["variants"][0]["impressions"] == 80
    assert printed["status"] == "RUNNING"
    assert printed["sample_ratio"]["mismatch"] is False
    assert len(printed["daily"]) == 3
    assert printed["variants"][1]["metrics"][0]["comparison"]["lift"] is not None
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_unknown_experiment_exits_2_with_its_code(seeded: dict[str, str], tmp_path: Path) -> None:
    run = report(seeded, "nope", "--data-dir", str(tmp_path))
    assert run.returncode == 2
    assert "NOT_FOUND: no experiment 'nope'" in run.stderr
    assert "Traceback" not in run.stderr
