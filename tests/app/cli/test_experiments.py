"""`pathwise experiments` as a user runs it: create from a JSON file, start, list, stop; refusals exit with 2."""

import json
from pathlib import Path

from tests.app.cli.test_cli import pathwise, store_env  # noqa: F401 - store_env is a fixture

EXPERIMENT = {"id": "hybrid-vs-popular", "name": "Hybrid against popular", "hypothesis": "More clicks",
              "variants": [{"name": "control", "strategy": "popular", "share": 0.5},
                           {"name": "hybrid", "strategy": "hybrid", "share": 0.5, "diversity": 0.3}],
              "population": {"segment": {"language": "en"}}, "primary_metric": "CLICK_THROUGH",
              "guardrails": ["ENROLMENT"]}


def test_an_experiment_round_trip(tmp_path: Path, store_env: dict[str, str]) -> None:  # noqa: F811
    definition = tmp_path / "experiment.json"
    definition.write_text(json.dumps(EXPERIMENT))
    created = pathwise("experiments", "create", str(definition), env=store_env)
    assert created.returncode == 0, created.stderr
    assert "hybrid-vs-popular created (DRAFT)" in created.stdout
    started = pathwise("experiments", "start", "hybrid-vs-popular", env=store_env)
    assert started.returncode == 0 and "is RUNNING" in started.stdout, started.stderr
    listed = pathwise("experiments", "list", "--status", "RUNNING", "--json", env=store_env)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(row["_id"], row["status"], row["started_at"] is not None) for row in rows] == [
        ("hybrid-vs-popular", "RUNNING", True)]
    table = pathwise("experiments", "list", env={**store_env, "COLUMNS": "250"})
    assert "hybrid-vs-popular" in table.stdout and "control popular 0.5" in table.stdout
    stopped = pathwise("experiments", "stop", "hybrid-vs-popular", env=store_env)
    assert stopped.returncode == 0 and "is STOPPED" in stopped.stdout
    again = pathwise("experiments", "start", "hybrid-vs-popular", env=store_env)
    assert again.returncode == 2 and "CONFLICT" in again.stderr and "Traceback" not in again.stderr


def test_a_bad_file_is_a_clear_message_with_every_problem(tmp_path: Path, store_env: dict[str, str]) -> None:  # noqa: F811
    definition = tmp_path / "experiment.json"
    definition.write_text(json.dumps({**EXPERIMENT, "variants": [
        {"name": "a", "strategy": "nope", "share": 0.5}, {"name": "b", "strategy": "popular", "share": 0.2}]}))
    refused = pathwise("experiments", "create", str(definition), env=store_env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "BAD_USER_INPUT" in refused.stderr and "nope" in refused.stderr
    definition.write_text("{not json")
    broken = pathwise("experiments", "create", str(definition), env=store_env)
    assert broken.returncode == 2 and "not valid" in broken.stderr and "Traceback" not in broken.stderr
