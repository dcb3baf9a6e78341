"""Next exercises: reviews first and interleaved, new items at the target success rate, a weak prerequisite's
items, a stretch item, and nothing answered in the last minutes."""

import math
from datetime import UTC, datetime, timedelta

import pytest

from app.core.documents import Exercise, KnowledgeState, ReviewCard, Skill, SkillMastery
from app.core.documents.profiles import field_key
from app.core.settings import Settings
from recommenders.spaced_repetition import QuizOutcome, SpacedRepetition
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.practice.knowledge import trackers_for
from resolvers.practice.next_exercises import NextExercise, NextReason, ability, next_exercises, predicted_correct

pytestmark = pytest.mark.usefixtures("clean")

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BAND = (0.7, 0.85)
SETTINGS = Settings()
TRACKERS = trackers_for(SETTINGS)
FSRS = SpacedRepetition(0.9)


async def seed(items_per_skill: int = 25) -> None:
    """Arithmetic ← algebra; each with items of b = -3 … 3 (a = 1)."""
    await Skill(id="arith", name="Arithmetic").insert()
    await Skill(id="algebra", name="Algebra", prerequisites=["arith"]).insert()
    for skill in ("arith", "algebra"):
        for k in range(items_per_skill):
            b = round(-3 + 6 * k / (items_per_skill - 1), 2)
            await Exercise(id=f"{skill}-{k:02d}", skills=[skill], difficulty=b, discrimination=1.0).insert()


async def know(user: str, **probabilities: float) -> None:
    """Seed mastery (confidence 0.6, as of NOW) of the named skills."""
    skills = {field_key(s): SkillMastery(probability=p, confidence=0.6, attempts=10, source="placement",
                                         updated_at=NOW) for s, p in probabilities.items()}
    await KnowledgeState(id=user, user_id=user, skills=skills, skill_ids={field_key(s): s for s in skills}).insert()


async def answered(user: str, exercise: str, last: datetime, due: datetime) -> None:
    """A card answered right at `last`, falling due at `due`."""
    memory = FSRS.review(FSRS.new(exercise, last), QuizOutcome(True), last)
    memory.card.due = due
    await ReviewCard(id=ReviewCard.key(user, exercise), user_id=user, exercise_id=exercise,
                     skills=[exercise.rsplit("-", 1)[0]], memory=memory.to_dict(), due=due, last_review=last,
                     reviews=1).insert()


def difficulties(items: list[NextExercise], reason: NextReason) -> list[float]:
    return [item.exercise.difficulty for item in items if item.reason is reason]


def test_ability_is_the_logit_of_mastery_so_a_typical_item_is_answered_at_that_rate() -> None:
    assert ability(0.5) == 0.0
    assert ability(0.8) == pytest.approx(math.log(4))
    assert predicted_correct(ability(0.8), Exercise(id="x", skills=["s"])) == pytest.approx(0.8)
    assert ability(1.0) == 4.0 and ability(0.0) == -4.0  # clamped to the placement grid


async def test_a_strong_learner_gets_harder_items_than_a_weak_one_all_in_the_band() -> None:
    await seed()
    await know("strong", algebra=0.9, arith=0.95)
    await know("weak", algebra=0.3, arith=0.95)
    strong = await next_exercises("strong", "algebra", 4, NOW, BAND, settings=SETTINGS, trackers=TRACKERS)  # 4 items in each band
    weak = await next_exercises("weak", "algebra", 4, NOW, BAND, settings=SETTINGS, trackers=TRACKERS)
    assert {item.reason for item in strong + weak} == {NextReason.AT_YOUR_LEVEL}
    assert all(BAND[0] <= (item.predicted_correct or 0) <= BAND[1] for item in strong + weak)
    assert min(difficulties(strong, NextReason.AT_YOUR_LEVEL)) > max(difficulties(weak, NextReason.AT_YOUR_LEVEL))
    middle = sum(BAND) / 2
    distances = [abs((item.predicted_correct or 0) - middle) for item in strong]
    assert distances == sorted(distances)  # nearest the band's middle first


async def test_due_reviews_come_first_and_take_at_most_every_other_slot() -> None:
    await seed()
    await know("u1", algebra=0.6, arith=0.95)
    for k in (0, 1, 2):
        await answered("u1", f"algebra-{k:02d}", NOW - timedelta(days=5), NOW - timedelta(days=1))
    await answered("u1", "arith-00", NOW - timedelta(days=5), NOW - timedelta(hours=1))  # a prerequisite's
    await answered("u1", "algebra-03", NOW - timedelta(days=5), NOW + timedelta(days=3))  # not due yet
    found = await next_exercises("u1", "algebra", 8, NOW, BAND, settings=SETTINGS, trackers=TRACKERS)
    reasons = [item.reason for item in found]
    assert reasons[0::2] == [NextReason.DUE_FOR_REVIEW] * 4
    assert NextReason.DUE_FOR_REVIEW not in reasons[1::2]
    reviewed = {item.exercise.id for item in found if item.reason is NextReason.DUE_FOR_REVIEW}
    assert reviewed == {"algebra-00", "algebra-01", "algebra-02", "arith-00"}
    assert "algebra-03" not in {item.exercise.id for item in found}  # answered, scheduled later: not new practice
    assert all(item.recall_probability is not None for item in found if item.reason is NextReason.DUE_FOR_REVIEW)


async def test_recently_answered_items_are_avoided_even_when_due() -> None:
    await seed()
    await know("u1", algebra=0.6, arith=0.95)
    first = await next_exercises("u1", "algebra", 3, NOW, BAND, settings=SETTINGS, trackers=TRACKERS)
    just_now = first[0].exercise.id
    await answered("u1", just_now, NOW - timedelta(minutes=2), NOW - timedelta(minutes=1))  # a short relearning step
    await answered("u1", "algebra-01", NOW - timedelta(minutes=30), NOW - timedelta(minutes=1))
    found = [item.exercise.id for item in await next_exercises("u1", "algebra", 10, NOW, BAND, settings=SETTINGS, trackers=TRACKERS)]
    assert just_now not in found
    assert found[0] == "algebra-01"  # answered long enough ago: due for review
    assert len(found) == len(set(found))


async def test_a_weak_prerequisite_yields_its_practice_alternating_with_the_skill() -> None:
    await seed()
    await know("u1", algebra=0.5, arith=0.4)
    found = await next_exercises("u1", "algebra", 6, NOW, BAND, settings=SETTINGS, trackers=TRACKERS)
    reasons = [item.reason for item in found]
    assert reasons[0::2] == [NextReason.PRACTICE_WEAKEST_PREREQUISITE] * 3
    assert reasons[1::2] == [NextReason.AT_YOUR_LEVEL] * 3
    support = [item for item in found if item.reason is NextReason.PRACTICE_WEAKEST_PREREQUISITE]
    assert {item.skill_id for item in support} == {"arith"}
    assert all(item.exercise.skills == ["arith"] for item in support)
    assert "Arithmetic" in support[0].text and "Algebra" in support[0].text


async def test_a_prerequisite_without_evidence_or_above_the_threshold_is_not_weak() -> None:
    await seed()
    await know("guess", algebra=0.5)  # arith: the prior, confidence 0
    await know("fine", algebra=0.5, arith=0.9)
    for user in ("guess", "fine"):
        found = await next_exercises(user, "algebra", 6, NOW, BAND, settings=SETTINGS, trackers=TRACKERS)
        assert NextReason.PRACTICE_WEAKEST_PREREQUISITE not in {item.reason for item in found}


async def test_a_stretch_item_follows_once_the_band_is_exhausted() -> None:
    await seed(items_per_skill=13)  # b every 0.5 logit: few items per band
    await know("u1", algebra=0.6, arith=0.95)
    found = await next_exercises("u1", "algebra", 50, NOW, BAND, settings=SETTINGS, trackers=TRACKERS)
    reasons = [item.reason for item in found]
    assert reasons[-1] is NextReason.STRETCH and reasons.count(NextReason.STRETCH) == 1
    assert set(reasons[:-1]) == {NextReason.AT_YOUR_LEVEL}
    stretch = found[-1].predicted_correct or 0
    assert BAND[0] - 0.15 <= stretch < BAND[0]
    assert found[-1].exercise.difficulty > max(difficulties(found, NextReason.AT_YOUR_LEVEL))


async def test_unknown_skills_and_bad_page_sizes_are_refused() -> None:
    await seed(items_per_skill=2)
    with pytest.raises(UseCaseError) as unknown:
        await next_exercises("u1", "nope", 5, NOW, settings=SETTINGS, trackers=TRACKERS)
    with pytest.raises(UseCaseError) as too_many:
        await next_exercises("u1", "algebra", 51, NOW, settings=SETTINGS, trackers=TRACKERS)
    with pytest.raises(UseCaseError) as bad_band:
        await next_exercises("u1", "algebra", 5, NOW, (0.9, 0.8), settings=SETTINGS, trackers=TRACKERS)
    assert (unknown.value.code, too_many.value.code, bad_band.value.code) == (
        ErrorCode.NOT_FOUND, ErrorCode.BAD_USER_INPUT, ErrorCode.BAD_USER_INPUT)


async def test_the_band_defaults_to_the_settings() -> None:
    await seed()
    await know("u1", algebra=0.6, arith=0.95)
    defaulted = await next_exercises("u1", "algebra", 5, NOW, settings=SETTINGS, trackers=TRACKERS)
    assert defaulted == await next_exercises("u1", "algebra", 5, NOW, BAND, settings=SETTINGS, trackers=TRACKERS)
