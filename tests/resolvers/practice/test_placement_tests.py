"""Adaptive placement tests: item choice, grading, ownership, double submits, the result and mastery seeding."""

import asyncio
from datetime import datetime

import pytest

from app.core.documents import Exercise, ExerciseFormat, KnowledgeState, PlacementStatus, PlacementTest, SkillMastery
from app.core.documents.profiles import field_key
from recommenders.placement import MAX_ITEMS
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.practice.placement_tests import (
    PlacementView,
    _matches,
    answer_placement_item,
    placement_confidence,
    start_placement_test,
)

pytestmark = pytest.mark.usefixtures("clean")


async def seed_bank(skill: str = "Linear Algebra", count: int = 21) -> list[Exercise]:
    """Items b = -3 … 3 (step 0.3), a = 2; the accepted answer of item k is "Answer k"."""
    bank = [Exercise(id=f"{skill[:3].lower()}-{k:02d}", skills=[skill], format=ExerciseFormat.SHORT_ANSWER,
                     answers=[f"Answer {k}"], difficulty=round(-3 + 0.3 * k, 2), discrimination=2.0)
            for k in range(count)]
    await Exercise.insert_many(bank)
    return bank


def right_answer(exercise: Exercise) -> str:
    return exercise.answers[0]


async def answer(view: PlacementView, user: str, text: str | None, correct: bool | None = None,
                 partner: bool = False) -> PlacementView:
    assert view.next_item is not None
    return await answer_placement_item(None if partner else user, view.test.id, view.next_item.id, text,
                                       correct, graded_by_partner=partner)


async def run_to_the_end(view: PlacementView, user: str, ability: float) -> PlacementView:
    """A simulated learner who answers right exactly the items easier than `ability`."""
    while view.next_item is not None:
        item = view.next_item
        view = await answer(view, user, right_answer(item) if ability > item.difficulty else "no idea")
    return view


async def test_the_first_item_is_the_most_informative_at_the_prior_mean() -> None:
    await seed_bank()
    await Exercise(id="hidden", skills=["Linear Algebra"], difficulty=0.0, discrimination=5.0,
                   published=False).insert()
    view = await start_placement_test("u1", ["Linear Algebra"])
    assert view.next_item is not None and view.next_item.id == "lin-10"  # b = 0, the unpublished one is skipped
    stored = await PlacementTest.get(view.test.id)
    assert stored is not None and (stored.user_id, stored.current_item, stored.status) == (
        "u1", "lin-10", PlacementStatus.IN_PROGRESS)


async def test_no_exercises_for_the_skills_is_not_found() -> None:
    await seed_bank()
    with pytest.raises(UseCaseError) as caught:
        await start_placement_test("u1", ["Cooking"])
    assert caught.value.code == ErrorCode.NOT_FOUND and "Cooking" in caught.value.message


async def test_no_skills_means_every_published_exercise() -> None:
    await seed_bank("Algebra", 3)
    await seed_bank("Geometry", 3)
    view = await start_placement_test("u1", [])
    assert view.test.skills == [] and view.next_item is not None


@pytest.mark.parametrize(("ability", "expected"), [(1.5, "advanced"), (-1.5, "beginner"), (0.1, "intermediate")])
async def test_a_learner_of_known_ability_is_placed_at_the_expected_level(ability: float, expected: str) -> None:
    await seed_bank()
    view = await run_to_the_end(await start_placement_test("u1", ["Linear Algebra"]), "u1", ability)
    test = view.test
    assert test.status == PlacementStatus.FINISHED and test.current_item is None
    assert len(test.session["items"]) <= MAX_ITEMS and test.stop_reason in {"se", "limit"}
    assert test.level == expected and test.ability is not None and abs(test.ability - ability) < 0.6
    stored = await PlacementTest.get(test.id)
    assert stored is not None and stored.level == expected and stored.finished_at is not None


async def test_answers_match_ignoring_case_and_whitespace() -> None:
    exercise = Exercise(id="e", skills=["s"], answers=["New  York"], format=ExerciseFormat.SHORT_ANSWER)
    assert _matches(exercise, "  new york ") and not _matches(exercise, "newyork")
    numeric = Exercise(id="n", skills=["s"], answers=["3.5"], format=ExerciseFormat.NUMERIC)
    assert _matches(numeric, " 3.50") and not _matches(numeric, "3.4")


async def test_a_stale_or_repeated_item_is_bad_input() -> None:
    await seed_bank()
    start = await start_placement_test("u1", [])
    after = await answer(start, "u1", "whatever")
    with pytest.raises(UseCaseError) as caught:
        await answer(start, "u1", "again")  # the item just answered
    assert caught.value.code == ErrorCode.BAD_USER_INPUT
    stored = await PlacementTest.get(after.test.id)
    assert stored is not None and len(stored.session["items"]) == 1


async def test_a_concurrent_double_submit_counts_once() -> None:
    await seed_bank()
    start = await start_placement_test("u1", [])
    outcomes = await asyncio.gather(answer(start, "u1", "x"), answer(start, "u1", "x"), return_exceptions=True)
    failures = [o for o in outcomes if isinstance(o, UseCaseError)]
    assert len(failures) == 1 and failures[0].code == ErrorCode.BAD_USER_INPUT
    stored = await PlacementTest.get(start.test.id)
    assert stored is not None and len(stored.session["items"]) == 1 and len(stored.asked) == 2


async def test_another_learners_test_is_not_found() -> None:
    await seed_bank()
    start = await start_placement_test("u1", [])
    with pytest.raises(UseCaseError) as caught:
        await answer(start, "u2", "x")
    assert caught.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(UseCaseError) as missing:
        await answer_placement_item("u2", "pt_missing", "lin-10", "x", None, graded_by_partner=False)
    assert missing.value.message == caught.value.message.replace(start.test.id, "pt_missing")


async def test_only_partners_grade_and_open_items_need_their_grade() -> None:
    await Exercise(id="essay", skills=["Writing"], format=ExerciseFormat.OPEN).insert()
    start = await start_placement_test("u1", ["Writing"])
    with pytest.raises(UseCaseError) as forbidden:
        await answer(start, "u1", None, correct=True)
    assert forbidden.value.code == ErrorCode.FORBIDDEN
    with pytest.raises(UseCaseError) as ungraded:
        await answer(start, "u1", "my essay")
    assert ungraded.value.code == ErrorCode.BAD_USER_INPUT
    done = await answer(start, "u1", None, correct=True, partner=True)
    assert done.test.session["responses"] == [True] and done.test.stop_reason == "bank"


async def test_a_finished_test_seeds_mastery_and_level() -> None:
    await seed_bank()
    view = await run_to_the_end(await start_placement_test("u1", ["Linear Algebra"]), "u1", 1.5)
    state = await KnowledgeState.get("u1")
    key = field_key("Linear Algebra")
    assert state is not None and state.level == "advanced" and state.skill_ids == {key: "Linear Algebra"}
    mastery = state.skills[key]
    assert mastery.source == "placement" and mastery.attempts == 0 and 0.5 < mastery.probability <= 1
    assert mastery.confidence == pytest.approx(placement_confidence(view.test.standard_error or 1.0))
    raw = await KnowledgeState.get_pymongo_collection().find_one({"_id": "u1"})
    assert raw is not None and key in raw["skills"] and not any("." in name for name in raw)
    assert isinstance(raw["updated_at"], datetime) and isinstance(raw["skills"][key]["updated_at"], datetime)


async def test_stronger_practice_evidence_is_kept_and_weaker_is_replaced() -> None:
    await seed_bank("Algebra", 12)
    await seed_bank("Geometry", 12)
    practised = SkillMastery(probability=0.2, confidence=0.99, attempts=40, correct=8)
    weak = SkillMastery(probability=0.9, confidence=0.05, attempts=2, correct=2)
    await KnowledgeState(id="u1", user_id="u1", skills={field_key("Algebra"): practised,
                                                        field_key("Geometry"): weak}).insert()
    await run_to_the_end(await start_placement_test("u1", []), "u1", -1.5)
    state = await KnowledgeState.get("u1")
    assert state is not None and state.level == "beginner"
    assert state.skills[field_key("Algebra")] == practised
    replaced = state.skills[field_key("Geometry")]
    assert replaced.source == "placement" and (replaced.attempts, replaced.correct) == (2, 2)
    assert replaced.probability < 0.5


def test_confidence_follows_the_standard_error() -> None:
    assert placement_confidence(1.0) == 0.0 and placement_confidence(0.3) == pytest.approx(0.7)
    assert placement_confidence(2.0) == 0.0 and placement_confidence(0.0) == 1.0
