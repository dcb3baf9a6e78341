"""The demo catalog and demo learners shipped in `app/demo/`."""

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

import app
from app.core.documents.courses import CONTENT_FIELDS, Course, CourseLevel
from app.core.documents.enrollments import Enrollment, EnrollmentStatus
from app.core.documents.ratings import Rating
from app.core.documents.users import PROFILE_FIELDS, User

DEMO = Path(app.__file__).parent / "demo"
Row = dict[str, Any]

# Beanie documents cannot be validated before `init_beanie` (their `__init__` looks up the
# collection and raises `CollectionWasNotInitialized`), so each document is mirrored into a
# plain pydantic model built from its own `model_fields`: same annotations, same constraints
# (lengths, bounds, enums), unknown keys rejected. Beanie's `revision_id` is left out, and `id`
# (aliased to `_id` by Beanie) is accepted by name. The documents' own validators only clean
# or derive values, so the mirror does not need them.
_BEANIE_FIELDS = frozenset({"revision_id"})


def _mirror(document: type[BaseModel], only: tuple[str, ...] | None = None) -> type[BaseModel]:
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in document.model_fields.items()
        if name not in _BEANIE_FIELDS and (only is None or name in only)
    }
    config = ConfigDict(extra="forbid", validate_by_name=True)
    return create_model(f"{document.__name__}Check", __config__=config, **fields)


CourseCheck = _mirror(Course)
UserCheck = _mirror(User)
EnrollmentCheck = _mirror(Enrollment, only=("course_id", "status", "progress"))
RatingCheck = _mirror(Rating, only=("course_id", "rating", "review"))


def _load(name: str) -> list[Row]:
    lines = (DEMO / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def courses() -> list[Row]:
    return _load("courses.jsonl")


@pytest.fixture(scope="module")
def learners() -> list[Row]:
    return _load("learners.jsonl")


@pytest.fixture(scope="module")
def course_ids(courses: list[Row]) -> set[str]:
    return {row["id"] for row in courses}


def _find_cycle(graph: Mapping[str, list[str]]) -> list[str] | None:
    """Return one cycle of `graph` (node → successors) as a path, or None if it is acyclic."""
    state: dict[str, str] = {}  # "open" while on the DFS stack, "done" once finished
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in graph:
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


# ------------------------------------------------------------------------------ the mirror itself


def test_mirror_rejects_what_course_rejects() -> None:
    good = {"id": "x", "title": "X", "level": "beginner", "format": "video"}
    CourseCheck.model_validate(good)
    for bad in ({"level": "expert"}, {"format": "webinar"}, {"rating": 5.5},
                {"duration_minutes": -1}, {"title": ""}, {"tags": ["typo"]}):
        with pytest.raises(ValidationError):
            CourseCheck.model_validate(good | bad)


def test_find_cycle() -> None:
    assert _find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None
    assert _find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": ["a"]}) == ["a", "a"]


# ------------------------------------------------------------------------------ courses


def test_course_count(courses: list[Row]) -> None:
    assert 45 <= len(courses) <= 60


def test_every_course_validates(courses: list[Row]) -> None:
    for row in courses:
        CourseCheck.model_validate(row)


def test_courses_carry_only_platform_fields(courses: list[Row]) -> None:
    for row in courses:
        assert set(row) == {"id", *CONTENT_FIELDS}, row["id"]


def test_course_ids_are_unique(courses: list[Row]) -> None:
    counts = Counter(row["id"] for row in courses)
    assert [cid for cid, n in counts.items() if n > 1] == []


def test_course_urls_follow_ids(courses: list[Row]) -> None:
    for row in courses:
        assert row["url"] == f"https://demo.pathwise.dev/courses/{row['id']}"


def test_levels_are_well_represented(courses: list[Row]) -> None:
    levels = Counter(row["level"] for row in courses)
    for level in (CourseLevel.BEGINNER, CourseLevel.INTERMEDIATE, CourseLevel.ADVANCED):
        assert levels[level.value] >= 8, levels


def test_topics_are_varied(courses: list[Row]) -> None:
    topics = {topic for row in courses for topic in row["topics"]}
    assert len(topics) >= 7, topics


def test_skills_repeat_across_courses(courses: list[Row]) -> None:
    counts = Counter(skill for row in courses for skill in row["skills"])
    shared = [skill for skill, n in counts.items() if n >= 3]
    assert len(shared) >= 10, counts


def test_several_micro_lessons(courses: list[Row]) -> None:
    assert sum(1 for row in courses if row["duration_minutes"] <= 20) >= 3


def test_prerequisites_exist(courses: list[Row], course_ids: set[str]) -> None:
    for row in courses:
        missing = set(row["prerequisites"]) - course_ids
        assert not missing, (row["id"], missing)
        assert row["id"] not in row["prerequisites"], row["id"]


def test_prerequisite_graph_is_acyclic(courses: list[Row]) -> None:
    graph = {row["id"]: row["prerequisites"] for row in courses}
    assert _find_cycle(graph) is None


def test_published_courses_never_require_drafts(courses: list[Row]) -> None:
    drafts = {row["id"] for row in courses if not row["published"]}
    assert drafts, "the demo catalog should include a draft"
    for row in courses:
        if row["published"]:
            assert not drafts & set(row["prerequisites"]), row["id"]


def test_python_is_covered(courses: list[Row]) -> None:
    python = [row for row in courses if "Python" in row["title"] or "Python" in row["skills"]]
    assert len(python) >= 6
    assert {row["level"] for row in python} >= {"beginner", "intermediate", "advanced"}


def test_ratings_are_consistent_with_counts(courses: list[Row]) -> None:
    for row in courses:
        assert row["rating_count"] <= row["enrollment_count"], row["id"]
        if row["rating_count"]:
            assert 1.0 <= row["rating"] <= 5.0 and round(row["rating"], 1) == row["rating"], row["id"]
        else:
            assert row["rating"] is None, row["id"]


# ------------------------------------------------------------------------------ learners


def test_every_learner_validates(learners: list[Row]) -> None:
    assert len(learners) == 5
    for learner in learners:
        assert set(learner) == {"user", "enrollments", "ratings"}
        assert set(learner["user"]) <= {"id", *PROFILE_FIELDS}, learner["user"]["id"]
        UserCheck.model_validate(learner["user"])
        for enrollment in learner["enrollments"]:
            EnrollmentCheck.model_validate(enrollment)
        for rating in learner["ratings"]:
            RatingCheck.model_validate(rating)


def test_user_ids_are_unique(learners: list[Row]) -> None:
    ids = [learner["user"]["id"] for learner in learners]
    assert len(ids) == len(set(ids))


def test_learners_reference_existing_courses(learners: list[Row], course_ids: set[str]) -> None:
    for learner in learners:
        referenced = {row["course_id"] for row in learner["enrollments"] + learner["ratings"]}
        assert not referenced - course_ids, (learner["user"]["id"], referenced - course_ids)


def test_learners_only_use_published_courses(learners: list[Row], courses: list[Row]) -> None:
    published = {row["id"] for row in courses if row["published"]}
    for learner in learners:
        for enrollment in learner["enrollments"]:
            assert enrollment["course_id"] in published, enrollment


def test_enrollments_are_consistent(learners: list[Row]) -> None:
    for learner in learners:
        enrolled = [row["course_id"] for row in learner["enrollments"]]
        assert len(enrolled) == len(set(enrolled)), learner["user"]["id"]
        for row in learner["enrollments"]:
            assert 0.0 <= row["progress"] <= 1.0, row
            if row["status"] == EnrollmentStatus.COMPLETED.value:
                assert row["progress"] == 1.0, row
            else:
                assert row["progress"] < 1.0, row


def test_ratings_are_on_enrolled_courses(learners: list[Row]) -> None:
    for learner in learners:
        enrolled = {row["course_id"] for row in learner["enrollments"]}
        rated = [row["course_id"] for row in learner["ratings"]]
        assert len(rated) == len(set(rated)), learner["user"]["id"]
        for row in learner["ratings"]:
            assert isinstance(row["rating"], int) and 1 <= row["rating"] <= 5, row
            assert row["course_id"] in enrolled, (learner["user"]["id"], row["course_id"])


def test_goals_and_interests_come_from_the_catalog(learners: list[Row], courses: list[Row]) -> None:
    skills = {skill for row in courses for skill in row["skills"]}
    topics = {topic for row in courses for topic in row["topics"]}
    formats = {row["format"] for row in courses}
    for learner in learners:
        user = learner["user"]
        assert user["goals"] and set(user["goals"]) <= skills, user["id"]
        assert set(user["interests"]) <= skills | topics, user["id"]
        assert set(user["preferred_formats"]) <= formats, user["id"]
