"""`pathwise analytics funnel|struggles|popularity` as a user runs them, on seeded data: tables, JSON, suppressed
numbers, and refusals with exit code 2."""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from app.core.documents import Course, Enrollment, Event, KnowledgeState, ServedCourse
from app.core.documents.practice import SkillMastery
from app.core.timestamps import utcnow
from tests.conftest import REPO


def analytics(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`pathwise analytics ARGS` in a process of its own."""
    return subprocess.run([sys.executable, "-m", "app", "analytics", *args], check=False, cwd=REPO,
                          env={**os.environ, **env, "COLUMNS": "250"}, capture_output=True, text=True, timeout=120)


@pytest.fixture
def seeded(mongo_uri: str, database: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Course c1 viewed by 4 learners, 3 enrolled; 3 learners' mastery of algebra; popular serving c1 (documents
    built as the app builds them, so `database` binds them first), in a database of its own."""
    name = f"cli_analytics_{uuid.uuid4().hex[:8]}"
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri, tz_aware=True)
    db = client[name]
    db["courses"].insert_one(Course(id="c1", title="Algebra I").model_dump(by_alias=True))
    db["events"].insert_many([Event(id=Event.key(u, "v"), user_id=u, event_id="v", type="course_view",
                                    course_id="c1").model_dump(by_alias=True) for u in "abcd"])
    db["enrollments"].insert_many([Enrollment(id=Enrollment.key(u, "c1"), user_id=u, course_id="c1",
                                              progress=0.5).model_dump(by_alias=True) for u in "abc"])
    db["knowledge_states"].insert_many([KnowledgeState(id=u, user_id=u, skills={"algebra": SkillMastery(
        probability=0.4)}).model_dump(by_alias=True) for u in "abc"])
    day = utcnow().date().isoformat()
    db["served_courses"].insert_one(ServedCourse(id=f"{day}|popular|c1", day=day, strategy="popular",
                                                 course_id="c1", answers=7).model_dump(by_alias=True))
    yield {"PATHWISE_MONGODB_URI": mongo_uri, "PATHWISE_DATABASE": name, "PATHWISE_DEFAULT_CONSENTS": '["analytics"]',
           "PATHWISE_ANALYTICS_MIN_GROUP": "3", "PATHWISE_DATA_DIR": str(tmp_path)}
    client.drop_database(name)
    client.close()


def test_a_course_funnel_as_a_table_and_as_json(seeded: dict[str, str]) -> None:
    table = analytics(seeded, "funnel", "c1")
    assert table.returncode == 0, table.stderr
    assert "Algebra I (c1)" in table.stdout and "progress_75" in table.stdout and "0.750" in table.stdout
    printed = json.loads(analytics(seeded, "funnel", "c1", "--json", "--since", "2020-01-01").stdout)
    assert [(s["stage"], s["learners"], s["suppressed"]) for s in printed[0]["stages"]] == [
        ("viewed", 4, False), ("enrolled", 3, False), ("progress_25", 3, False), ("progress_50", 3, False),
        ("progress_75", None, True), ("completed", None, True)]
    assert printed[0]["since"] == "2020-01-01T00:00:00+00:00"
    top = json.loads(analytics(seeded, "funnel", "--json").stdout)
    assert [(f["course_id"], f["stages"][0]["learners"]) for f in top] == [("c1", 4)]


def test_struggles_and_popularity(seeded: dict[str, str]) -> None:
    struggles = json.loads(analytics(seeded, "struggles", "--json").stdout)
    assert [(s["skill_id"], s["learners"], round(s["mean_mastery"], 9), s["answers"]) for s in struggles] == [
        ("algebra", 3, 0.4, None)]
    popularity = analytics(seeded, "popularity")
    assert popularity.returncode == 0, popularity.stderr
    assert "popular" in popularity.stdout and "c1 1.00" in popularity.stdout
    rows = json.loads(analytics(seeded, "popularity", "--json", "--days", "7").stdout)
    assert [(r["strategy"], r["servings"], r["coverage"]) for r in rows] == [("popular", 7, 1.0)]


@pytest.mark.parametrize(("args", "needle"), [
    (("funnel", "nope"), "NOT_FOUND"), (("funnel", "--first", "0"), "BAD_USER_INPUT"),
    (("popularity", "--days", "400"), "BAD_USER_INPUT"), (("funnel", "--since", "yesterday"), "--since")])
def test_refusals_exit_with_2_and_a_message(seeded: dict[str, str], args: tuple[str, ...], needle: str) -> None:
    run = analytics(seeded, *args)
    assert run.returncode == 2 and needle in run.stderr and "Traceback" not in run.stderr
