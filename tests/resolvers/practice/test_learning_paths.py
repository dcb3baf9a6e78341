"""Learning paths: the gap along the prerequisite graph, mastered skills skipped, a course per step (else
practice), reasons, time against the weekly budget, and goals in free text."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.core.documents import Course, CourseLevel, Enrollment, EnrollmentStatus, Exercise, KnowledgeState, Skill, User
from app.core.documents.practice import SkillMastery
from app.core.documents.profiles import field_key
from app.core.settings import Settings
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.practice.catalog import upsert_skills
from resolvers.practice.knowledge import trackers_for
from resolvers.practice.learning_paths import LearningPath, StepReason, goal_phrases, learning_path

pytestmark = pytest.mark.usefixtures("clean")

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SETTINGS = Settings()
TRACKERS = trackers_for(SETTINGS)
DEMO_SKILLS = Path(__file__).parents[3] / "app" / "demo" / "skills.jsonl"


async def seed_graph() -> None:
    """prog ← python ← pandas ← analysis → stats; stats has two 90-second exercises and no course."""
    for skill_id, name, prerequisites in [("prog", "Programming Fundamentals", []), ("stats", "Statistics", []),
                                          ("python", "Python", ["prog"]), ("pandas", "Pandas", ["python"]),
                                          ("analysis", "Data Analysis", ["pandas", "stats"])]:
        await Skill(id=skill_id, name=name, prerequisites=prerequisites).insert()
    for k in range(2):
        await Exercise(id=f"stats-{k}", skills=["stats"], expected_seconds=90).insert()


def course(course_id: str, skills: list[str], minutes: int, level: CourseLevel | None = None,
           **fields: Any) -> Course:
    return Course(id=course_id, title=course_id, skills=skills, duration_minutes=minutes, level=level, **fields)


def catalog(*courses: Course) -> dict[str, Course]:
    return {c.id: c for c in courses}


async def know(user: str, level: str | None = None, **probabilities: float) -> None:
    skills = {field_key(s): SkillMastery(probability=p, confidence=0.6, attempts=10, source="placement",
                                         updated_at=NOW) for s, p in probabilities.items()}
    await KnowledgeState(id=user, user_id=user, skills=skills, skill_ids={field_key(s): s for s in skills},
                         level=level).insert()


def summary(path: LearningPath) -> list[tuple[str, str, list[str], str]]:
    return [(step.kind.value, step.course.id if step.course else (step.skill.id if step.skill else ""),
             [s.id for s in step.skills], step.reason.value) for step in path.steps]


async def test_a_path_skips_mastered_skills_orders_prerequisites_first_and_sums_time() -> None:
    await seed_graph()
    await know("u1", prog=0.9)
    await User(id="u1", weekly_minutes_target=300).insert()
    courses = catalog(course("c-python", ["python", "Programming Fundamentals"], 600),
                      course("c-analysis", ["Data Analysis", "PANDAS"], 300),
                      course("c-pandas", ["Pandas"], 60))
    path = await learning_path("u1", ["analysis"], None, NOW, courses, SETTINGS, TRACKERS)
    assert summary(path) == [
        ("PRACTICE", "stats", ["stats"], "PREREQUISITE_FOR"),
        ("COURSE", "c-python", ["python"], "PREREQUISITE_FOR"),
        ("COURSE", "c-analysis", ["pandas", "analysis"], "GOAL_SKILL"),  # covers more gap skills than c-pandas
    ]
    assert [s.skill.id for s in path.skipped] == ["prog"]
    assert path.skipped[0].reason is StepReason.ALREADY_MASTERED and path.skipped[0].mastery.probability == 0.9
    assert [(s.minutes, s.cumulative_minutes, s.cumulative_weeks) for s in path.steps] == [
        (3, 3, 0.0), (600, 603, 2.0), (300, 903, 3.0)]
    assert (path.total_minutes, path.total_weeks, path.weekly_minutes) == (903, 3.0, 300)
    assert path.steps[0].text == "Needed before Data Analysis." and path.steps[0].exercise_count == 2
    assert path.steps[1].text == "Needed before Pandas."
    assert path.steps[2].text == "Part of your goal."


async def test_every_step_comes_after_the_steps_of_its_prerequisites() -> None:
    await seed_graph()
    courses = catalog(course("c-all", ["Data Analysis", "Python"], 900), course("c-stats", ["Statistics"], 100))
    path = await learning_path("u2", ["analysis"], None, NOW, courses, SETTINGS, TRACKERS)
    position = {s.id: index for index, step in enumerate(path.steps) for s in step.skills}
    skills = {s.id: s for step in path.steps for s in step.skills}
    assert set(position) == {"prog", "stats", "python", "pandas", "analysis"}
    assert all(position[p] <= position[s.id] for s in skills.values() for p in s.prerequisites)
    assert path.weekly_minutes == 180  # no user: the default budget


async def test_courses_at_the_learners_level_and_not_completed_are_preferred() -> None:
    await seed_graph()
    courses = catalog(course("a-advanced", ["Statistics"], 100, CourseLevel.ADVANCED),
                      course("b-beginner", ["Statistics"], 100, CourseLevel.BEGINNER))
    await know("u3", level="beginner")
    chosen = await learning_path("u3", ["stats"], None, NOW, courses, SETTINGS, TRACKERS)
    assert summary(chosen) == [("COURSE", "b-beginner", ["stats"], "GOAL_SKILL")]
    await Enrollment(id=Enrollment.key("u3", "b-beginner"), user_id="u3", course_id="b-beginner",
                     status=EnrollmentStatus.COMPLETED).insert()
    again = await learning_path("u3", ["stats"], None, NOW, courses, SETTINGS, TRACKERS)
    assert summary(again) == [("COURSE", "a-advanced", ["stats"], "GOAL_SKILL")]


async def test_the_stored_catalog_is_used_by_default_without_unpublished_courses() -> None:
    await seed_graph()
    await course("hidden", ["Statistics"], 10, published=False).insert()
    path = await learning_path("u4", ["stats"], None, NOW, None, SETTINGS, TRACKERS)
    assert summary(path) == [("PRACTICE", "stats", ["stats"], "GOAL_SKILL")]


async def test_a_fully_mastered_goal_has_no_steps() -> None:
    await seed_graph()
    await know("u5", stats=0.95)
    path = await learning_path("u5", ["stats"], None, NOW, {}, SETTINGS, TRACKERS)
    assert (path.steps, [s.skill.id for s in path.skipped], path.total_minutes) == ([], ["stats"], 0)


@pytest.mark.parametrize(("skills", "text"), [(None, None), (["stats"], "statistics"), (["nope"], None),
                                              ([], None), (None, " ")])
async def test_bad_goals_are_refused(skills: list[str] | None, text: str | None) -> None:
    await seed_graph()
    with pytest.raises(UseCaseError) as refused:
        await learning_path("u1", skills, text, NOW, {}, SETTINGS, TRACKERS)
    assert refused.value.code is ErrorCode.BAD_USER_INPUT


def test_goal_phrases_drop_the_intention() -> None:
    assert goal_phrases("I want to become a data analyst") == ["a data analyst"]
    assert goal_phrases("learn SQL, and get better at statistics") == ["SQL", "statistics"]
    assert goal_phrases("Python") == ["Python"]


async def test_free_text_goals_map_onto_demo_skills_with_the_real_model() -> None:
    skills = [json.loads(line) for line in DEMO_SKILLS.read_text().splitlines() if line.strip()]
    await upsert_skills(skills, 1_000)
    path = await learning_path("u6", None, "I want to become a data analyst", NOW, {}, SETTINGS, TRACKERS)
    assert [s.id for s in path.goal_skills] == ["data-analysis"]
    assert path.matches[0].label == "Data Analysis" and path.matches[0].phrase == "a data analyst"
    steps = [step.skill.id for step in path.steps if step.skill]
    assert steps.index("python") < steps.index("pandas") < steps.index("data-analysis")
    with pytest.raises(UseCaseError) as unknown:
        await learning_path("u6", None, "basket weaving", NOW, {}, SETTINGS, TRACKERS)
    assert unknown.value.code is ErrorCode.BAD_USER_INPUT and "basket weaving" in unknown.value.message


@pytest.mark.parametrize("name", ["Data  Analysis", "Data\tAnalysis", "Data\u00a0Analysis", " Data Analysis "])
async def test_a_skill_name_with_odd_whitespace_is_found_by_a_free_text_goal(name: str) -> None:
    await Skill(id="analysis", name=name).insert()
    path = await learning_path("u7", None, "data analysis", NOW, {}, SETTINGS, TRACKERS)
    assert [s.id for s in path.goal_skills] == ["analysis"]
    assert path.matches[0].label == "Data Analysis"
