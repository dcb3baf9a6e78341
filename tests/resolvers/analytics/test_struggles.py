"""Where learners struggle, from seeded knowledge states and quiz answers: mastery per skill, answers mapped to
their exercise's skills when they name none, the ordering by struggle, the items failed most, the analytics
consent, small groups suppressed, `since`, and bad input."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.documents import Event, Exercise, KnowledgeState, Skill, User
from app.core.documents.practice import SkillMastery
from app.core.documents.profiles import field_key
from app.core.settings import Settings
from resolvers.analytics.struggles import skill_struggles
from resolvers.errors import ErrorCode, UseCaseError

pytestmark = pytest.mark.usefixtures("clean")

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
K3 = Settings(default_consents=["analytics"], analytics_min_group=3, mastery_threshold=0.8)
_counter = iter(range(10**9))


def answer(user: str, item: str, correct: bool, skill: str | None = None, hints: int = 0,
           hours: float = 0) -> dict[str, Any]:
    n = next(_counter)
    properties: dict[str, Any] = {"item_id": item, "correct": correct, "hints_used": hints, "attempt": 1}
    if skill is not None:
        properties["skill"] = skill
    document = Event(id=Event.key(user, f"q{n}"), user_id=user, event_id=f"q{n}", type="quiz_answer",
                     server_timestamp=T0 + timedelta(hours=hours), properties=properties)
    dumped: dict[str, Any] = document.model_dump(by_alias=True)
    return dumped


async def states(rows: dict[str, dict[str, float]], days: float = 0) -> None:
    await KnowledgeState.insert_many([
        KnowledgeState(id=user, user_id=user, skills={field_key(skill): SkillMastery(
            probability=p, updated_at=T0 + timedelta(days=days)) for skill, p in skills.items()})
        for user, skills in rows.items()])


async def seed() -> None:
    """Algebra: 4 learners at 0.2–0.9 (mean 0.5), 9 answers, 6 failed; geometry: 3 at 0.7–0.9 (mean 0.8), 3
    answers, 1 failed; logic: 2 learners only; `x` refused analytics and fails everything."""
    await Skill(id="Algebra", name="Algebra basics").insert()
    await Exercise(id="i-geo", skills=["Geometry"]).insert()
    await states({"a": {"Algebra": 0.2, "Geometry": 0.7, "Logic": 0.1}, "b": {"Algebra": 0.4, "Geometry": 0.8},
                  "c": {"Algebra": 0.5, "Geometry": 0.9, "Logic": 0.1}, "d": {"Algebra": 0.9},
                  "x": {"Algebra": 0.0, "Geometry": 0.0}})
    await Event.get_pymongo_collection().insert_many([
        answer("a", "i1", False, "Algebra", hints=2), answer("a", "i1", False, "algebra", hints=1),
        answer("b", "i1", False, "Algebra"), answer("c", "i1", True, "Algebra"),
        answer("a", "i2", False, "Algebra"), answer("b", "i2", False, "Algebra", hints=3),
        answer("d", "i2", True, "Algebra"), answer("c", "i3", False, "Algebra"), answer("d", "i3", True, "Algebra"),
        answer("a", "i-geo", False), answer("b", "i-geo", True), answer("c", "i-geo", True, hints=1),
        answer("x", "i1", False, "Algebra", hints=9), answer("x", "i-geo", False)])
    await User.get_pymongo_collection().insert_one({"_id": "x", "consents": {"analytics": False}})


async def test_skills_are_ordered_by_struggle_with_mastery_and_answers() -> None:
    await seed()
    rows = await skill_struggles(20, 5, None, K3)
    assert [(r.skill_id, r.name, r.suppressed) for r in rows] == [
        ("Algebra", "Algebra basics", False), ("geometry", "geometry", False), ("logic", "logic", True)]
    algebra, geometry, logic = rows
    assert (algebra.learners, algebra.answering_learners, algebra.answers) == (4, 4, 9)
    assert algebra.mean_mastery == pytest.approx(0.5)
    assert algebra.mastered_share == pytest.approx(0.25)
    assert algebra.failure_rate == pytest.approx(6 / 9)
    assert algebra.mean_hints == pytest.approx(6 / 9)
    assert (geometry.learners, geometry.answering_learners, geometry.answers) == (3, 3, 3)
    assert geometry.mean_mastery == pytest.approx(0.8)
    assert geometry.mastered_share == pytest.approx(2 / 3)
    assert geometry.failure_rate == pytest.approx(1 / 3)
    assert geometry.mean_hints == pytest.approx(1 / 3)
    assert (logic.learners, logic.mean_mastery, logic.answers, logic.items) == (None, None, None, ())


async def test_the_items_failed_most_come_first_and_small_items_are_suppressed() -> None:
    await seed()
    algebra = (await skill_struggles(20, 5, None, K3))[0]
    shown = [(i.item_id, i.suppressed, i.learners, i.answers, i.failure_rate) for i in algebra.items]
    assert shown == [("i1", False, 3, 4, 0.75), ("i2", False, 3, 3, pytest.approx(2 / 3)),
                     ("i3", True, None, None, None)]
    assert algebra.items[0].mean_hints == pytest.approx(3 / 4)
    assert [i.item_id for i in (await skill_struggles(20, 1, None, K3))[0].items] == ["i1"]


async def test_failure_rate_breaks_ties_of_mastery() -> None:
    await states({user: {"Alpha": 0.5, "Beta": 0.5} for user in ("a", "b", "c")})
    await Event.get_pymongo_collection().insert_many(
        [answer(user, "i-a", user == "a", "Alpha") for user in ("a", "b", "c")]
        + [answer(user, "i-b", True, "Beta") for user in ("a", "b", "c")])
    assert [r.skill_id for r in await skill_struggles(20, 5, None, K3)] == ["alpha", "beta"]


async def test_answers_and_mastery_are_suppressed_apart_under_k() -> None:
    await states({user: {"Alpha": 0.5} for user in ("a", "b", "c")})
    await Event.get_pymongo_collection().insert_many([answer("a", "i", False, "Alpha")])
    (alpha,) = await skill_struggles(20, 5, None, K3)
    assert (alpha.suppressed, alpha.learners, alpha.mean_mastery) == (False, 3, 0.5)
    assert (alpha.answering_learners, alpha.answers, alpha.failure_rate, alpha.mean_hints) == (None, None, None, None)


async def test_since_reads_only_answers_and_estimates_since() -> None:
    await states({user: {"Alpha": 0.5} for user in ("a", "b", "c")}, days=0)
    await states({user: {"Beta": 0.1} for user in ("d", "e", "f")}, days=3)
    await Event.get_pymongo_collection().insert_many(
        [answer(user, "i", False, "Alpha", hours=1) for user in ("a", "b", "c")]
        + [answer(user, "i", True, "Alpha", hours=72) for user in ("a", "b", "c")])
    rows = await skill_struggles(20, 5, T0 + timedelta(days=2), K3)
    assert [(r.skill_id, r.learners, r.answers, r.failure_rate) for r in rows] == [
        ("beta", 3, None, None), ("alpha", None, 3, 0.0)]


async def test_the_first_skills_only() -> None:
    await seed()
    assert [r.skill_id for r in await skill_struggles(1, 5, None, K3)] == ["Algebra"]


@pytest.mark.parametrize(("first", "items", "name"), [(0, 5, "first"), (101, 5, "first"), (5, 0, "items"),
                                                      (5, 21, "items")])
async def test_arguments_out_of_range_are_refused(first: int, items: int, name: str) -> None:
    with pytest.raises(UseCaseError) as raised:
        await skill_struggles(first, items, None, K3)
    assert raised.value.code == ErrorCode.BAD_USER_INPUT
    assert f"`{name}`" in raised.value.message
