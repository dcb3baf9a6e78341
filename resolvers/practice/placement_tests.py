"""Adaptive placement tests over the published exercises (2PL IRT, EAP ability, maximum-information items).

Each answer is one replace of the test filtered on its expected `current_item`, so a double-submitted answer
counts once. A finished test stores ability, SE, level and stop reason, and seeds the learner's mastery of the
tested skills (`KnowledgeState`) with one upserting `$set` of dotted fields, never over stronger practice."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.core.documents import Exercise, ExerciseFormat, KnowledgeState, PlacementStatus, PlacementTest, SkillMastery
from app.core.documents.profiles import field_key
from app.core.timestamps import utcnow
from recommenders.placement import PRIOR_SD, Item, PlacementSession, level, mastery_seed
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.learner_writes import update_learner
from resolvers.practice.catalog import checked_skill_ids

MAX_SKILLS = 50
BANK_EXHAUSTED = "bank"  # stop reason when no unused item is left before the SE target or the item limit


@dataclass(frozen=True)
class PlacementView:
    """A placement test and the exercise to answer next (None once it is finished)."""

    test: PlacementTest
    next_item: Exercise | None


def _item(exercise: Exercise) -> Item:
    return Item(exercise.id, exercise.discrimination, exercise.difficulty, tuple(exercise.skills))


def _checked_skills(skills: Sequence[str]) -> list[str]:
    return checked_skill_ids(skills, MAX_SKILLS)


async def _bank(skills: list[str]) -> dict[str, Exercise]:
    """The published exercises of any of `skills` (all published ones when empty), by id."""
    query: dict[str, Any] = {"published": True} | ({"skills": {"$in": skills}} if skills else {})
    return {e.id: e for e in await Exercise.find(query).to_list()}


async def start_placement_test(user_id: str, skills: Sequence[str]) -> PlacementView:
    """A new test over the exercises of `skills` (≤ 50; all published exercises when empty), first item chosen."""
    wanted = _checked_skills(skills)
    bank = await _bank(wanted)
    first = PlacementSession().next_item([_item(e) for e in bank.values()])
    if first is None:
        named = f"skills {', '.join(wanted)}" if wanted else "any skill"
        raise UseCaseError(ErrorCode.NOT_FOUND, f"no published exercises for {named}: nothing to test")
    test = PlacementTest(id=f"pt_{uuid.uuid4().hex}", user_id=user_id, skills=wanted,
                         session=PlacementSession().to_dict(), current_item=first.id, asked=[first.id])
    await test.insert()
    return PlacementView(test, bank[first.id])


async def _owned_test(user_id: str | None, test_id: str) -> PlacementTest:
    """The test, if `user_id` owns it (None: any owner); NOT_FOUND otherwise, whether or not it exists."""
    test = await PlacementTest.find_one({"_id": test_id})
    if test is None or (user_id is not None and test.user_id != user_id):
        raise UseCaseError(ErrorCode.NOT_FOUND, f"no placement test {test_id!r}")
    return test


def _check_answerable(test: PlacementTest, item_id: str) -> None:
    if test.status != PlacementStatus.IN_PROGRESS:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "this placement test is finished")
    if item_id != test.current_item:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT,
                           f"item {item_id!r} is not this test's current item (was it answered already?)")


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def _matches(exercise: Exercise, answer: str) -> bool:
    """`answer` equals an accepted answer, ignoring case and whitespace (numbers compare by value)."""
    given = _normalised(answer)
    if any(given == _normalised(accepted) for accepted in exercise.answers):
        return True
    if exercise.format != ExerciseFormat.NUMERIC:
        return False
    return any(_same_number(given, accepted) for accepted in exercise.answers)


def _same_number(given: str, accepted: str) -> bool:
    try:
        return float(given.replace(" ", "")) == float(accepted.replace(" ", ""))
    except ValueError:
        return False


def graded(exercise: Exercise, answer: str | None, correct: bool | None) -> bool:
    """Whether the answer is right: `correct` when the platform graded it, else `answer` against the item's
    accepted answers; BAD_USER_INPUT for an open item without `correct` or a missing answer."""
    if correct is not None:
        return correct
    if exercise.format == ExerciseFormat.OPEN:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "open items are graded by the platform: pass `correct`")
    if answer is None:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "`answer` is required")
    return _matches(exercise, answer)


async def _current_exercise(test: PlacementTest, bank: dict[str, Exercise]) -> Exercise:
    """The current item, from the bank or (if unpublished since) by id."""
    exercise = bank.get(str(test.current_item)) or await Exercise.find_one({"_id": test.current_item})
    if exercise is None:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"exercise {test.current_item!r} is no longer in the bank")
    return exercise


def _advanced(test: PlacementTest, session: PlacementSession, bank: dict[str, Exercise]) -> PlacementTest:
    """The test after an answer: the estimate, and either the next item or the result."""
    stop: str | None = session.stop_reason()
    following = None if stop else session.next_item([_item(e) for e in bank.values()], exclude=test.asked)
    if stop is None and following is None:
        stop = BANK_EXHAUSTED
    changes: dict[str, Any] = {"session": session.to_dict(), "ability": session.theta,
                               "standard_error": session.se, "current_item": following.id if following else None}
    if following is not None:
        changes["asked"] = [*test.asked, following.id]
    else:
        changes |= {"status": PlacementStatus.FINISHED, "level": level(session.theta), "stop_reason": stop,
                    "finished_at": utcnow()}
    updated: PlacementTest = test.model_copy(update=changes)
    return updated


async def answer_placement_item(user_id: str | None, test_id: str, item_id: str, answer: str | None,
                                correct: bool | None, graded_by_partner: bool) -> PlacementView:
    """Grade the test's current item and move on. `user_id` must own the test (None: partners, any test);
    `correct` only from a partner (required for open items); a repeated or stale answer is BAD_USER_INPUT."""
    if correct is not None and not graded_by_partner:
        raise UseCaseError(ErrorCode.FORBIDDEN, "only the platform (partner role) may pass `correct`")
    test = await _owned_test(user_id, test_id)
    _check_answerable(test, item_id)
    bank = await _bank(test.skills)
    exercise = await _current_exercise(test, bank)
    session = PlacementSession.from_dict(test.session)
    session.answer(_item(exercise), graded(exercise, answer, correct))
    updated = _advanced(test, session, bank)
    await _save_answer(updated, item_id)
    if updated.status == PlacementStatus.FINISHED:
        await _seed_mastery(updated, session)
    return PlacementView(updated, bank.get(updated.current_item) if updated.current_item else None)


async def _save_answer(test: PlacementTest, answered: str) -> None:
    """Replace the test only while `answered` is still its current item: a concurrent duplicate loses."""
    expected = {"_id": test.id, "current_item": answered, "status": PlacementStatus.IN_PROGRESS.value}
    result = await PlacementTest.get_pymongo_collection().replace_one(expected, test.model_dump(by_alias=True))
    if result.matched_count == 0:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"item {answered!r} was answered already")


def _seeds(test: PlacementTest, session: PlacementSession) -> dict[str, float]:
    """Mastery priors for the tested skills: those of the answered items (within the test's skills, if named)."""
    seeds = mastery_seed(session.theta, session.items)
    return {skill: p for skill, p in seeds.items() if not test.skills or skill in test.skills}


def placement_confidence(standard_error: float) -> float:
    """How much a placement estimate is worth as mastery evidence: 1 − SE / prior SD, within [0, 1]."""
    return min(1.0, max(0.0, 1.0 - standard_error / PRIOR_SD))


def _mastery(probability: float, confidence: float, held: SkillMastery | None) -> SkillMastery | None:
    """The seeded mastery, or None where practice already says more (attempts and a higher confidence)."""
    if held is not None and held.attempts > 0 and held.confidence > confidence:
        return None
    kept = {"attempts": held.attempts, "correct": held.correct, "practiced_at": held.practiced_at} if held else {}
    return SkillMastery(probability=min(1.0, max(0.0, probability)), confidence=confidence, source="placement",
                        **kept)


async def _seed_mastery(test: PlacementTest, session: PlacementSession) -> None:
    """One upserting `$set` of the learner's level and each seeded skill (dotted fields)."""
    state = await KnowledgeState.find_one({"_id": test.user_id})
    held = state.skills if state is not None and state.user_id == test.user_id else {}
    confidence = placement_confidence(session.se)
    fields: dict[str, Any] = {"user_id": test.user_id, "level": test.level}
    for skill, probability in _seeds(test, session).items():
        key = field_key(skill)
        mastery = _mastery(probability, confidence, held.get(key))
        if mastery is not None:
            fields[f"skills.{key}"] = mastery.model_dump()
            fields[f"skill_ids.{key}"] = skill
    await update_learner(KnowledgeState, test.user_id, {"_id": test.user_id},
                         {"$set": fields, "$currentDate": {"updated_at": True}}, upsert=True)
