"""`pathwise import-skills` and `pathwise import-exercises` as a user runs them: real process, output, exit codes."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO


def pathwise(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], check=False, cwd=REPO, capture_output=True,
                          env={**os.environ, "COLUMNS": "200", **env}, text=True, timeout=120)


@pytest.fixture
def store_env(mongo_uri: str) -> dict[str, str]:
    return {"PATHWISE_MONGODB_URI": mongo_uri, "PATHWISE_DATABASE": f"cli_{uuid.uuid4().hex[:8]}"}


def _jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(row if isinstance(row, str) else json.dumps(row) for row in rows) + "\n")
    return path


def test_import_skills_names_bad_lines_and_imports_the_rest(tmp_path: Path, store_env: dict[str, str]) -> None:
    skills = _jsonl(tmp_path / "skills.jsonl", [
        {"id": "pandas", "name": "Pandas", "prerequisites": ["python"]},
        {"id": "python", "name": "Python"},
        {"id": "ml", "name": "Machine Learning", "prerequisites": ["pandas", "linear-algebra"]},
        '{"id": "broken", ',
        {"id": "loop", "name": "Loop", "prerequisites": ["loop"]},
    ])
    first = pathwise("import-skills", str(skills), env=store_env)
    assert first.returncode == 1, first.stderr
    assert "line 3:" in first.stderr and "linear-algebra" in first.stderr
    assert "line 4:" in first.stderr and "invalid JSON" in first.stderr
    assert "line 5:" in first.stderr and "own prerequisite" in first.stderr
    assert "5 rows read: 2 upserted (2 created, 0 updated), 0 unchanged, 3 skipped" in first.stdout
    again = pathwise("import-skills", str(skills), env=store_env)
    assert "5 rows read: 0 upserted (0 created, 0 updated), 2 unchanged, 3 skipped" in again.stdout


def test_import_exercises_from_csv_with_list_cells(tmp_path: Path, store_env: dict[str, str]) -> None:
    skills = _jsonl(tmp_path / "skills.jsonl", [{"id": "python", "name": "Python"}])
    assert pathwise("import-skills", str(skills), env=store_env).returncode == 0
    exercises = tmp_path / "exercises.csv"
    exercises.write_text(
        "id,skills,prompt,choices,answers,difficulty,expectedSeconds\n"
        'py-1,python,"What does len([1, 2]) return?",1|2|3,2,-1.5,20\n'
        "py-2,python,Pick a number,1;2;3,4,0.5,30\n"
        "py-3,cobol,Which one?,a|b,a,0,30\n"
        "py-4,python,Hard one,a|b,b,9,30\n"
    )
    result = pathwise("import-exercises", str(exercises), env=store_env)
    assert result.returncode == 1, result.stderr
    assert "line 3: answers:" in result.stderr and "'4'" in result.stderr
    assert "line 4: skills:" in result.stderr and "cobol" in result.stderr
    assert "line 5: difficulty:" in result.stderr
    assert "4 rows read: 1 upserted (1 created, 0 updated), 0 unchanged, 3 skipped" in result.stdout


@pytest.mark.parametrize("content", [None, "", "id,name,level\nx,X,3\n"])
def test_unusable_files_are_a_message_not_a_traceback(tmp_path: Path, store_env: dict[str, str],
                                                      content: str | None) -> None:
    path = tmp_path / "skills.csv"
    if content is not None:
        path.write_text(content)
    result = pathwise("import-skills", str(path), env=store_env)
    assert result.returncode == 2
    assert "error:" in result.stderr and "Traceback" not in result.stderr


def test_demo_loads_the_skill_graph_and_item_bank(store_env: dict[str, str]) -> None:
    first = pathwise("demo", env=store_env)
    assert first.returncode == 0, first.stderr
    skills = sum(1 for line in (REPO / "app/demo/skills.jsonl").read_text().splitlines() if line.strip())
    exercises = sum(1 for line in (REPO / "app/demo/exercises.jsonl").read_text().splitlines() if line.strip())
    assert f"{skills} demo skills read: {skills} upserted ({skills} created" in first.stdout
    assert f"{exercises} demo exercises read: {exercises} upserted ({exercises} created" in first.stdout
    second = pathwise("demo", env=store_env)
    assert f"0 upserted (0 created, 0 updated), {exercises} unchanged, 0 skipped" in second.stdout
