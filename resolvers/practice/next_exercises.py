"""What a learner should practise next on one skill, each item with its reason: due reviews of the skill and
its prerequisites, interleaved with new items at the target success rate, items of a weak prerequisite, and a
stretch item once the band runs out.

Ability: a skill's mastery p is the learner's P(correct) on a typical item of the skill, i.e. one with 2PL
discrimination a = 1 and difficulty b = 0. Under 2PL that is sigmoid(θ), so θ = logit(p) (clamped to ±4, the
placement grid), and an item (a, b) is answered right with probability 1 / (1 + exp(-a(θ - b))).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import zip_longest

from app.core.documents import Exercise, ReviewCard, Skill
from app.core.settings import Settings
from app.core.timestamps import as_utc
from recommenders.knowledge.loading import TrackerLoader
from recommenders.placement import GRID_MAX, GRID_MIN, Item, probability_correct
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.practice.catalog import exercises_for_skills, prerequisite_closure
from resolvers.practice.knowledge import SkillEstimate, mastery_of
from resolvers.practice.review_queue import review_queue

MAX_FIRST = 50
RECENT = timedelta(minutes=10)  # items answered this recently are never suggested
WEAK_CONFIDENCE = 0.3  # a prerequisite counts as weak only with at least this much evidence
STRETCH_MARGIN = 0.15  # a stretch item's P(correct) lies at most this far below the band
REVIEWS_CONSIDERED = 100  # due cards read to find those of the skill


class NextReason(StrEnum):
    DUE_FOR_REVIEW = "DUE_FOR_REVIEW"
    AT_YOUR_LEVEL = "AT_YOUR_LEVEL"
    PRACTICE_WEAKEST_PREREQUISITE = "PRACTICE_WEAKEST_PREREQUISITE"
    STRETCH = "STRETCH"


@dataclass(frozen=True)
class NextExercise:
    """One suggested item: why (`reason`, `text`), for which skill, and its predicted success or recall."""

    exercise: Exercise
    skill_id: str
    reason: NextReason
    text: str
    predicted_correct: float | None = None  # 2PL at the learner's ability (new practice)
    recall_probability: float | None = None  # FSRS (reviews)


@dataclass(frozen=True)
class _Target:
    low: float
    high: float

    @property
    def middle(self) -> float:
        return (self.low + self.high) / 2


def ability(probability: float) -> float:
    """θ = logit(p), clamped to the placement grid: p is P(correct) on an item with a = 1, b = 0."""
    p = min(max(probability, 1e-6), 1 - 1e-6)
    return min(max(math.log(p / (1 - p)), GRID_MIN), GRID_MAX)


def predicted_correct(theta: float, exercise: Exercise) -> float:
    return probability_correct(theta, Item(exercise.id, exercise.discrimination, exercise.difficulty))


async def next_exercises(user_id: str, skill: str, first: int, now: datetime,
                         target: tuple[float, float] | None = None, *,
                         settings: Settings, trackers: TrackerLoader) -> list[NextExercise]:
    """Up to `first` (1–50) items for `skill` (NOT_FOUND if unknown). `target` is the (low, high) band of
    predicted success for new practice, by default the `practice_target_*` settings."""
    now = as_utc(now)
    band = _target(target or (settings.practice_target_low, settings.practice_target_high))
    _check_first(first)
    closure = await prerequisite_closure([skill])
    if not closure or closure[-1].id != skill:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"there is no skill {skill!r}")
    names = {s.id: s.name for s in closure}
    mastery = {e.skill_id: e for e in await mastery_of(user_id, list(names), now, settings, trackers)}
    cards = await _cards(user_id, list(names))
    recent = {c.exercise_id for c in cards if c.last_review is not None and as_utc(c.last_review) > now - RECENT}
    reviews = await _reviews(user_id, set(names), recent, now, settings)
    seen = {c.exercise_id for c in cards} | recent
    practice = await _practice(closure[-1], closure, mastery, seen, band, settings.mastery_threshold)
    return _interleaved(reviews, practice, first)


def _target(target: tuple[float, float]) -> _Target:
    low, high = target
    if not 0 < low < high < 1:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"the target band needs 0 < low < high < 1; got {target}")
    return _Target(low, high)


def _check_first(first: int) -> None:
    if not 1 <= first <= MAX_FIRST:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"`first` must be between 1 and {MAX_FIRST}; got {first}")


async def _cards(user_id: str, skills: list[str]) -> list[ReviewCard]:
    """The learner's cards of items on any of `skills`: what they answered, and when last."""
    found = await ReviewCard.find({"user_id": user_id, "skills": {"$in": skills}}).to_list()
    return [card for card in found if card.user_id == user_id]


async def _reviews(user_id: str, skills: set[str], recent: set[str], now: datetime,
                   settings: Settings) -> list[NextExercise]:
    """Due items of `skills` still in the bank and not answered just now, least likely remembered first."""
    due = await review_queue(user_id, REVIEWS_CONSIDERED, now, settings.review_retention)
    return [NextExercise(item.exercise, _first_of(item.exercise.skills, skills), NextReason.DUE_FOR_REVIEW,
                         f"Due for review: about {item.recall_probability:.0%} likely you still remember it.",
                         recall_probability=item.recall_probability)
            for item in due if item.exercise is not None and item.exercise.published
            and item.exercise.id not in recent and set(item.exercise.skills) & skills]


def _first_of(labels: Sequence[str], wanted: set[str]) -> str:
    return next(label for label in labels if label in wanted)


async def _practice(skill: Skill, closure: list[Skill], mastery: dict[str, SkillEstimate], seen: set[str],
                    band: _Target, threshold: float) -> list[NextExercise]:
    """New items: of the weakest prerequisite (if weak) alternating with the skill's at-level items, then
    one stretch item of the skill when its band runs short."""
    weak = _weakest_prerequisite(skill, closure, mastery, threshold)
    bank = await exercises_for_skills([skill.id] + ([weak.skill_id] if weak else []))
    fresh = [e for e in bank if e.id not in seen]
    own = _ranked(fresh, skill.id, ability(mastery[skill.id].probability), band)
    at_level = [_suggestion(e, skill.id, p, NextReason.AT_YOUR_LEVEL) for e, p in own if band.low <= p <= band.high]
    stretch = [_suggestion(e, skill.id, p, NextReason.STRETCH) for e, p in own
               if band.low - STRETCH_MARGIN <= p < band.low]
    support = _support(fresh, weak, skill, band, {e.exercise.id for e in at_level})
    mixed = [item for pair in zip_longest(support, at_level) for item in pair if item is not None]
    return mixed + stretch[:1]


def _weakest_prerequisite(skill: Skill, closure: list[Skill], mastery: dict[str, SkillEstimate],
                          threshold: float) -> SkillEstimate | None:
    """The direct prerequisite with the lowest mastery below `threshold`, among those with some evidence."""
    known = {s.id for s in closure}
    weak = [mastery[p] for p in skill.prerequisites if p in known and mastery[p].probability < threshold
            and mastery[p].confidence >= WEAK_CONFIDENCE]
    return min(weak, key=lambda e: (e.probability, e.skill_id), default=None)


def _ranked(bank: list[Exercise], skill_id: str, theta: float, band: _Target) -> list[tuple[Exercise, float]]:
    """The items of `skill_id` with their predicted success, nearest the band's middle first."""
    scored = [(e, predicted_correct(theta, e)) for e in bank if skill_id in e.skills]
    return sorted(scored, key=lambda pair: (abs(pair[1] - band.middle), pair[0].id))


def _support(bank: list[Exercise], weak: SkillEstimate | None, skill: Skill, band: _Target,
             taken: set[str]) -> list[NextExercise]:
    if weak is None:
        return []
    ranked = _ranked([e for e in bank if e.id not in taken], weak.skill_id, ability(weak.probability), band)
    name = weak.skill_name or weak.skill_id
    text = (f"Practise {name} first: it is needed for {skill.name}, and at {weak.probability:.0%} it is your "
            "weakest prerequisite.")
    return [NextExercise(e, weak.skill_id, NextReason.PRACTICE_WEAKEST_PREREQUISITE, text, predicted_correct=p)
            for e, p in ranked if band.low - STRETCH_MARGIN <= p]


def _suggestion(exercise: Exercise, skill_id: str, p: float, reason: NextReason) -> NextExercise:
    text = (f"At your level: about {p:.0%} likely you answer it right." if reason is NextReason.AT_YOUR_LEVEL
            else f"A stretch: a little harder than your usual practice (about {p:.0%} likely right).")
    return NextExercise(exercise, skill_id, reason, text, predicted_correct=p)


def _interleaved(reviews: list[NextExercise], practice: list[NextExercise], first: int) -> list[NextExercise]:
    """Review, practice, review, …: at most every other slot is a review while new practice lasts; each item
    once."""
    chosen: list[NextExercise] = []
    taken: set[str] = set()
    for pair in zip_longest(reviews, practice):
        for item in pair:
            if item is not None and item.exercise.id not in taken and len(chosen) < first:
                chosen.append(item)
                taken.add(item.exercise.id)
    return chosen
