"""`pathwise evaluate --dataset store` as a user runs it: the enabled recommenders, the example plugin installed
through its entry point, scored on a database of its own seeded with interactions of a known structure."""

import json
import os
import random
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from app.core.documents import Course, Enrollment, EnrollmentStatus, Event
from app.core.timestamps import utcnow
from tests.conftest import REPO

PLUGIN_SRC = REPO / "plugins" / "example_trending" / "src"
SUBJECTS = ("Python programming for data analysis", "Watercolour painting of landscapes",
            "Spanish conversation for travellers", "Corporate accounting and bookkeeping")
GROUP_SIZES = (24, 14, 12, 10)  # learners per subject: the first subject's courses are the most popular
COURSES_PER_SUBJECT, TAKEN, COMPLETED = 6, 5, 3
ENABLED = ["hybrid", "content", "cf", "sequence", "popular", "trending_week"]


def evaluate(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`pathwise evaluate --dataset store ARGS` in a process of its own."""
    return subprocess.run([sys.executable, "-m", "app", "evaluate", "--dataset", "store", *args], check=False,
                          cwd=REPO, env={**os.environ, **env, "COLUMNS": "250"}, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A PYTHONPATH on which the example plugin is installed as pip installs it: its package and a dist-info
    declaring the `pathwise.recommenders` entry point."""
    site = tmp_path_factory.mktemp("site")
    info = site / "pathwise_trending_week-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pathwise-trending-week\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[pathwise.recommenders]\ntrending_week = pathwise_trending_week\n")
    return os.pathsep.join([str(site), str(PLUGIN_SRC)])


def _courses() -> list[Course]:
    return [Course(id=f"s{s}-c{c}", title=f"{subject}, part {c + 1}", summary=f"Lesson {c + 1} of {subject}.")
            for s, subject in enumerate(SUBJECTS) for c in range(COURSES_PER_SUBJECT)]


def _enrollments(prefix: str) -> list[Enrollment]:
    """Each learner takes 5 of the 6 courses of one subject, days apart, completing the first 3: what they take
    next is in their subject, which a model of co-occurrence sees and global popularity (led by subject 0) does
    not."""
    rng, start, rows = random.Random(5), utcnow() - timedelta(days=200), []
    learners = [(f"{prefix}-s{s}-{n}", s) for s, size in enumerate(GROUP_SIZES) for n in range(size)]
    for user, subject in learners:
        at = start + timedelta(days=rng.uniform(0, 60))
        for position, course in enumerate(rng.sample(range(COURSES_PER_SUBJECT), TAKEN)):
            at += timedelta(days=rng.uniform(2, 12))
            done = at + timedelta(days=1) if position < COMPLETED else None
            rows.append(Enrollment(id=Enrollment.key(user, f"s{subject}-c{course}"), user_id=user,
                                   course_id=f"s{subject}-c{course}", started_at=at, last_active_at=done or at,
                                   status=EnrollmentStatus.COMPLETED if done else EnrollmentStatus.ACTIVE,
                                   completed_at=done))
    return rows


@pytest.fixture(scope="module")
def stores(mongo_uri: str, database: str, plugin_path: str) -> Iterator[dict[str, dict[str, str]]]:
    """Environments naming databases of their own (`database` binds the documents before they are built):
    `seeded` (60 learners, 24 courses), `empty`, and `untimed` (an event stored without its time)."""
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri, tz_aware=True)
    names = {kind: f"cli_eval_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("seeded", "empty", "untimed")}
    client[names["seeded"]]["courses"].insert_many([c.model_dump(by_alias=True) for c in _courses()])
    client[names["seeded"]]["enrollments"].insert_many([e.model_dump(by_alias=True) for e in _enrollments("l")])
    few = [e.model_dump(by_alias=True) for e in _enrollments("u")[:2 * TAKEN]]
    client[names["untimed"]]["enrollments"].insert_many(few)
    view = Event(id=Event.key("u-s0-0", "v1"), user_id="u-s0-0", event_id="v1", type="course_view",
                 course_id="s0-c0").model_dump(by_alias=True, exclude={"server_timestamp"})
    client[names["untimed"]]["events"].insert_one(view)
    base = {"PATHWISE_MONGODB_URI": mongo_uri, "PYTHONPATH": plugin_path, "PATHWISE_RECOMMENDERS": json.dumps(ENABLED)}
    yield {kind: {**base, "PATHWISE_DATABASE": name} for kind, name in names.items()}
    for name in names.values():
        client.drop_database(name)
    client.close()


def _rows(stdout: str) -> dict[str, list[float]]:
    """The table's rows: recommender -> NDCG, P, R, hit rate, coverage."""
    cells = [[c.strip() for c in line.strip("│ ").split("│")] for line in stdout.splitlines() if line.startswith("│")]
    return {row[0]: [float(value) for value in row[1:6]] for row in cells}


def test_scores_every_enabled_recommender_with_the_plugin(stores: dict[str, dict[str, str]], tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    run = evaluate(stores["seeded"], "--k", "2", "--json", str(results), "--data-dir", str(tmp_path))
    assert run.returncode == 0, run.stderr
    read = f"read from the store (database {stores['seeded']['PATHWISE_DATABASE']}): 60 learners, 24 courses"
    assert read in run.stdout and "300 interactions (complete 180, enroll 120)" in run.stdout
    assert "temporal split: held out 60 courses of 60 learners" in run.stdout and "cut dates" in run.stdout
    rows = _rows(run.stdout)
    assert list(rows) == ENABLED
    assert all(0.0 <= value <= 1.0 for values in rows.values() for value in values)
    report = json.loads(results.read_text(encoding="utf-8"))
    assert (report["dataset"], report["protocol"], report["k"], report["test_users"]) == ("store", "temporal", 2, 60)
    assert report["train_interactions"] == 240 and report["store"]["held_out"] == 60
    scores = {r["recommender"]: r for r in report["results"]}
    # every learner's held-out course is one of the 2 of their subject they have not taken yet: co-occurrence
    # finds both; popularity finds them only for subject 0's 24 learners (0.4)
    assert scores["cf"]["hit_rate"] >= 0.9 and scores["cf"]["recall"] >= 0.9
    assert scores["popular"]["hit_rate"] == pytest.approx(24 / 60, abs=0.05)
    assert scores["cf"]["ndcg"] > scores["popular"]["ndcg"] + 0.3
    assert scores["hybrid"]["ndcg"] > scores["popular"]["ndcg"]
    # the plugin is asked as of each learner's cut (months ago): asked as of today it would find nothing trending
    assert scores["trending_week"]["users"] == 60 and scores["trending_week"]["hit_rate"] > 0


def test_the_recommender_option_filters_and_random_splits_are_allowed(stores: dict[str, dict[str, str]],
                                                                      tmp_path: Path) -> None:
    run = evaluate(stores["seeded"], "--recommender", "trending_week", "--recommender", "popular",
                   "--protocol", "stratified-75-25", "--data-dir", str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert list(_rows(run.stdout)) == ["trending_week", "popular"]
    assert "store, stratified-75-25" in run.stdout and "cut dates" not in run.stdout


def test_an_unknown_recommender_exits_2_listing_the_installed(stores: dict[str, dict[str, str]],
                                                             tmp_path: Path) -> None:
    run = evaluate(stores["seeded"], "--recommender", "nope", "--data-dir", str(tmp_path))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "unknown recommender(s) nope; installed:" in run.stderr and "trending_week" in run.stderr


def test_an_empty_store_exits_2_saying_what_is_needed(stores: dict[str, dict[str, str]], tmp_path: Path) -> None:
    run = evaluate(stores["empty"], "--data-dir", str(tmp_path))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    message = " ".join(run.stderr.split())
    assert "the store holds 0 interactions of 0 learners" in message
    assert "at least 2 learners with 3 or more courses each" in message


def test_untimed_interactions_refuse_the_temporal_split_only(stores: dict[str, dict[str, str]],
                                                             tmp_path: Path) -> None:
    temporal = evaluate(stores["untimed"], "--data-dir", str(tmp_path))
    assert temporal.returncode == 2 and "Traceback" not in temporal.stderr
    message = " ".join(temporal.stderr.split())
    assert "needs a time on every interaction: 1 of 11 stored interactions have none (course_view 1)" in message
    random_split = evaluate(stores["untimed"], "--protocol", "random-80-20", "--recommender", "popular",
                            "--data-dir", str(tmp_path))
    assert random_split.returncode == 0, random_split.stderr
    assert "11 interactions (complete 6, course_view 1, enroll 4)" in random_split.stdout


def test_an_unreachable_store_exits_2_in_one_line(tmp_path: Path) -> None:
    env = {"PATHWISE_MONGODB_URI": "mongodb://127.0.0.1:9/", "PATHWISE_DATABASE": "absent"}
    run = evaluate(env, "--recommender", "popular", "--data-dir", str(tmp_path))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    last = run.stderr.strip().splitlines()[-1]  # lines before it: the keyring's warning, not the error
    assert last.startswith("error: cannot reach the store at 127.0.0.1:9 (ServerSelectionTimeoutError)")
