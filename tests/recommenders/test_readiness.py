"""recommenders.readiness: prerequisites, mastered courses and goal gaps move scores and add reasons."""

import pytest

from recommenders.base import Recommendation
from recommenders.readiness import Knowledge, Known, adjust, closure

COURSES = {"intro": ["python"], "pandas": ["pandas"], "ml": ["ml"], "cook": ["cooking"]}
PREREQUISITES = {"pandas": ["python"], "ml": ["pandas", "stats"], "python": [], "stats": []}
NAMES = {"python": "Python", "pandas": "Pandas", "ml": "Machine Learning", "stats": "Statistics",
         "cooking": "Cooking"}


def ranked(knowledge: Knowledge, *ids: str) -> list[str]:
    recs = [Recommendation(item, 1.0 - i * 0.01) for i, item in enumerate(ids)]
    return [rec.item_id for rec in adjust(recs, knowledge)]


def test_closure_follows_prerequisites_to_the_goal() -> None:
    assert closure(["ml"], PREREQUISITES) == {"ml": "ml", "pandas": "ml", "stats": "ml", "python": "ml"}


def test_a_known_weak_prerequisite_pushes_the_course_down_an_unproven_one_a_little() -> None:
    recs = [Recommendation("pandas", 1.0), Recommendation("cook", 0.8)]
    weak = Knowledge(COURSES, PREREQUISITES, NAMES, {"python": Known(0.3, 0.8)})
    assert [rec.item_id for rec in adjust(recs, weak)] == ["cook", "pandas"]
    unknown = Knowledge(COURSES, PREREQUISITES, NAMES, {"python": Known(0.3, 0.1)})  # too little evidence
    scored = {rec.item_id: rec.score for rec in adjust(recs, unknown)}
    assert scored == {"pandas": pytest.approx(0.85), "cook": 0.8}


def test_mastered_prerequisites_lift_the_course_and_say_so() -> None:
    knowledge = Knowledge(COURSES, PREREQUISITES, NAMES, {"python": Known(0.9, 0.6)})
    out = adjust([Recommendation("cook", 1.0), Recommendation("pandas", 0.95)], knowledge)
    assert out[0].item_id == "pandas"
    assert [r.code for r in out[0].reasons] == ["PREREQUISITES_MASTERED"]
    assert "Python" in out[0].reasons[0].text


def test_a_course_whose_skills_are_all_mastered_drops() -> None:
    knowledge = Knowledge(COURSES, PREREQUISITES, NAMES, {"python": Known(0.95, 0.9)})
    assert ranked(knowledge, "intro", "cook") == ["cook", "intro"]


def test_courses_on_the_way_to_the_goal_rise_with_the_goal_named() -> None:
    knowledge = Knowledge(COURSES, PREREQUISITES, NAMES, {}, goals=["ml"])
    out = adjust([Recommendation("cook", 1.0), Recommendation("intro", 0.9)], knowledge)
    assert out[0].item_id == "intro"
    assert out[0].reasons[0].code == "CLOSES_GAP"
    assert out[0].reasons[0].text == "Builds Python toward your goal Machine Learning"


def test_mastered_goal_skills_are_not_a_gap() -> None:
    knowledge = Knowledge(COURSES, PREREQUISITES, NAMES, {"pandas": Known(0.9, 0.9)}, goals=["pandas"])
    out = adjust([Recommendation("pandas", 1.0)], knowledge)
    assert "CLOSES_GAP" not in [r.code for r in out[0].reasons]


def test_courses_without_graph_skills_are_untouched() -> None:
    knowledge = Knowledge(COURSES, PREREQUISITES, NAMES, {"python": Known(0.1, 1.0)}, goals=["ml"])
    rec = Recommendation("unknown-course", 0.5)
    assert adjust([rec], knowledge) == [rec]


def test_courses_refreshing_due_skills_say_so() -> None:
    knowledge = Knowledge(COURSES, PREREQUISITES, NAMES, {}, due=frozenset({"python"}))
    out = adjust([Recommendation("cook", 1.0), Recommendation("intro", 0.95)], knowledge)
    assert out[0].item_id == "intro"
    assert [(r.code, r.text) for r in out[0].reasons] == [("DUE_FOR_REVIEW", "Refreshes Python, due for review")]
