"""The demo skill graph and item bank shipped in `app/demo/`."""

import graphlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, create_model

import app
from app.core.documents.practice import Exercise, Skill

DEMO = Path(app.__file__).parent / "demo"
Row = dict[str, Any]


def _mirror(document: type[BaseModel], fields: set[str]) -> type[BaseModel]:
    """The document's own field definitions as a plain model (Beanie documents need init_beanie)."""
    chosen: dict[str, Any] = {name: (document.model_fields[name].annotation, document.model_fields[name])
                              for name in fields}
    return create_model(f"{document.__name__}Check", __config__=ConfigDict(extra="forbid", validate_by_name=True), **chosen)


def _load(name: str) -> list[Row]:
    return [json.loads(line) for line in (DEMO / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def skills() -> list[Row]:
    return _load("skills.jsonl")


@pytest.fixture(scope="module")
def exercises() -> list[Row]:
    return _load("exercises.jsonl")


def test_skills_validate_and_ids_are_unique(skills: list[Row]) -> None:
    check = _mirror(Skill, {"id", "name", "description", "prerequisites", "topics"})
    for row in skills:
        check.model_validate(row)
    assert 20 <= len(skills) <= 30
    assert len({row["id"] for row in skills}) == len(skills)


def test_skill_graph_is_acyclic_and_closed(skills: list[Row]) -> None:
    ids = {row["id"] for row in skills}
    for row in skills:
        assert set(row["prerequisites"]) <= ids - {row["id"]}, row["id"]
    graphlib.TopologicalSorter({row["id"]: row["prerequisites"] for row in skills}).prepare()
    assert any(len(row["prerequisites"]) >= 2 for row in skills)  # a graph, not just chains


def test_every_skill_name_is_a_demo_course_skill(skills: list[Row]) -> None:
    course_skills = {skill for course in _load("courses.jsonl") for skill in course["skills"]}
    assert {row["name"] for row in skills} <= course_skills


def test_exercises_are_well_formed_items_of_known_skills(skills: list[Row], exercises: list[Row]) -> None:
    check = _mirror(Exercise, {"id", "skills", "prompt", "format", "choices", "answers", "difficulty",
                               "discrimination", "expected_seconds"})
    ids = {row["id"] for row in skills}
    for row in exercises:
        check.model_validate(row)
        assert set(row["skills"]) <= ids, row["id"]
        assert row["format"] == "multiple_choice" and len(set(row["choices"])) == len(row["choices"]) >= 2
        assert row["answers"] and set(row["answers"]) <= set(row["choices"]), row["id"]
        assert -2.0 <= row["difficulty"] <= 2.0 and 0.8 <= row["discrimination"] <= 2.0, row["id"]
    assert len({row["id"] for row in exercises}) == len(exercises)


def test_every_skill_has_a_spread_of_items(skills: list[Row], exercises: list[Row]) -> None:
    per_skill = Counter(skill for row in exercises for skill in row["skills"])
    for row in skills:
        assert 6 <= per_skill[row["id"]] <= 10, row["id"]
        difficulties = [e["difficulty"] for e in exercises if row["id"] in e["skills"]]
        assert max(difficulties) - min(difficulties) >= 2.5, row["id"]
