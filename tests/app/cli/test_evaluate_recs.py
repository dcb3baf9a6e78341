"""`pathwise evaluate --dataset ...` for recommenders as a user runs it: a real process, real exit codes."""

import json
from pathlib import Path

import pytest

from tests.app.cli.test_evaluate import pathwise


def _events(tmp_path: Path) -> Path:
    rows = [f"u{u},i{i},1" for u in range(30) for i in range(12) if (u + i) % 3]
    path = tmp_path / "events.csv"
    path.write_text("user,item,rating\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_prints_a_table_and_writes_json(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    run = pathwise("evaluate", "--dataset", str(_events(tmp_path)), "--recommender", "popular", "--k", "5",
                   "--protocol", "stratified-75-25", "--json", str(results))
    assert run.returncode == 0, run.stderr
    assert "popular" in run.stdout and "NDCG@5" in run.stdout
    report = json.loads(results.read_text(encoding="utf-8"))
    assert report["protocol"] == "stratified-75-25" and report["k"] == 5
    assert [r["recommender"] for r in report["results"]] == ["popular"]


def test_draws_a_png_chart(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the chart needs the ml extra")
    chart = tmp_path / "chart.png"
    run = pathwise("evaluate", "--dataset", str(_events(tmp_path)), "--chart", str(chart))
    assert run.returncode == 0, run.stderr
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_missing_ml_100k_prints_the_fetch_command(tmp_path: Path) -> None:
    run = pathwise("evaluate", "--dataset", "ml-100k", "--data-dir", str(tmp_path))
    assert run.returncode == 2
    assert f"pip download --no-deps recbole==1.2.1 -d {tmp_path / 'datasets'}" in run.stderr
    assert "Traceback" not in run.stderr


def test_clear_errors_exit_2(tmp_path: Path) -> None:
    events = str(_events(tmp_path))
    unknown = pathwise("evaluate", "--dataset", events, "--recommender", "nope")
    assert unknown.returncode == 2 and "unknown recommender(s) nope; installed: cf, content" in unknown.stderr
    temporal = pathwise("evaluate", "--dataset", events, "--protocol", "temporal")
    assert temporal.returncode == 2 and "timestamp" in temporal.stderr
    absent = pathwise("evaluate", "--dataset", str(tmp_path / "absent.csv"))
    assert absent.returncode == 2 and "unknown dataset" in absent.stderr
