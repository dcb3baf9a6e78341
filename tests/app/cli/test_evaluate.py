"""`pathwise evaluate --knowledge` as a user runs it: a real process, real output, real exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.recommenders.knowledge_data import as_text, learners


def pathwise(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "app", *args], check=False, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def write_dataset(folder: Path) -> Path:
    (folder / "tiny_train.csv").write_text(as_text(learners(60, seed=3)), encoding="utf-8")
    (folder / "tiny_test.csv").write_text(as_text(learners(20, seed=4)), encoding="utf-8")
    return folder


def test_prints_a_table_of_every_model_and_writes_json(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    run = pathwise("evaluate", "--knowledge", "--dataset", str(write_dataset(tmp_path)), "--json", str(results))
    assert run.returncode == 0, run.stderr
    for words in ("AUC", "RMSE", "accuracy", "logistic (chosen)", "pfa", "bkt", "tiny_test.csv"):
        assert words in run.stdout
    saved = json.loads(results.read_text(encoding="utf-8"))
    assert [r["model"] for r in saved["results"]] == ["logistic", "pfa", "bkt"]
    assert saved["test_responses"] == sum(len(s) for s in learners(20, seed=4))


def test_a_malformed_line_exits_2_with_file_and_line(tmp_path: Path) -> None:
    write_dataset(tmp_path)
    (tmp_path / "tiny_train.csv").write_text("2\n1,2\n1,1\n\n2\n3,x\n0,1\n", encoding="utf-8")
    run = pathwise("evaluate", "--knowledge", "--dataset", str(tmp_path))
    assert run.returncode == 2
    assert "tiny_train.csv, line 6" in " ".join(run.stderr.split())
    assert "Traceback" not in run.stderr


def test_a_missing_folder_or_file_exits_2(tmp_path: Path) -> None:
    missing = pathwise("evaluate", "--knowledge", "--dataset", str(tmp_path / "absent"))
    assert missing.returncode == 2
    assert "is not a folder" in " ".join(missing.stderr.split())
    (tmp_path / "only_train.csv").write_text("1\n1\n1\n", encoding="utf-8")
    no_test = pathwise("evaluate", "--knowledge", "--dataset", str(tmp_path))
    assert no_test.returncode == 2
    assert "no *test*.csv file" in no_test.stderr
    assert "Traceback" not in missing.stderr + no_test.stderr


def test_says_what_to_evaluate(tmp_path: Path) -> None:
    run = pathwise("evaluate", "--dataset", str(write_dataset(tmp_path)))
    assert run.returncode == 2
    assert "--knowledge" in run.stderr
