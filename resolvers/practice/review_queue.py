"""Spaced repetition over stored quiz answers: each `quiz_answer` event reviews the learner's FSRS memory of
the item (one `ReviewCard` per learner and exercise), and the review queue lists the due cards, least likely
remembered first. One find of the cards and one of the exercises per call, one bulk write."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from pymongo import ReplaceOne

from app.core.documents import Event, Exercise, ReviewCard
from app.core.timestamps import as_utc
from recommenders.spaced_repetition import ItemMemory, QuizOutcome, SpacedRepetition
from resolvers.event_types import QuizAnswer
from resolvers.pages import check_page_size

QUIZ_ANSWER = "quiz_answer"


@dataclass(frozen=True)
class ReviewItem:
    """One due card of the review queue, with its exercise (None if it left the bank) and recall probability."""

    card: ReviewCard
    exercise: Exercise | None
    recall_probability: float


@dataclass(frozen=True)
class _Answer:
    user_id: str
    at: datetime
    answer: QuizAnswer

    @property
    def key(self) -> str:
        return ReviewCard.key(self.user_id, self.answer.item_id)


def _scheduler(retention: float) -> SpacedRepetition:
    """FSRS at `retention` (the deployment's `review_retention` setting)."""
    return SpacedRepetition(retention)


def _answers(events: Sequence[Event]) -> list[_Answer]:
    """The quiz answers among `events` whose properties fit the taxonomy, in time order (then event id)."""
    answers = []
    for event in events:
        if event.type != QUIZ_ANSWER:
            continue
        try:
            answer = QuizAnswer.model_validate(event.properties)
        except ValidationError:
            continue
        answers.append(_Answer(event.user_id, as_utc(event.client_timestamp or event.server_timestamp), answer))
    return sorted(answers, key=lambda a: (a.at, a.key))


async def _exercises(ids: set[str]) -> dict[str, Exercise]:
    return {e.id: e for e in await Exercise.find({"_id": {"$in": sorted(ids)}}).to_list()}


def _outcome(answer: QuizAnswer, exercise: Exercise | None) -> QuizOutcome:
    seconds = exercise.expected_seconds if exercise is not None else None
    return QuizOutcome(answer.correct, answer.hints_used, answer.response_time_ms,
                       seconds * 1000 if seconds is not None else None)


def _new_card(scheduler: SpacedRepetition, entry: _Answer, exercise: Exercise | None) -> ReviewCard:
    skills = exercise.skills if exercise is not None else [s for s in [entry.answer.skill] if s]
    memory = scheduler.new(entry.answer.item_id, entry.at)
    return ReviewCard(id=entry.key, user_id=entry.user_id, exercise_id=entry.answer.item_id, skills=list(skills),
                      memory=memory.to_dict(), due=memory.due)


def _reviewed(scheduler: SpacedRepetition, card: ReviewCard, entry: _Answer, exercise: Exercise | None) -> None:
    """Apply one answer to `card` in place; an answer older than the card's last review counts as of then."""
    at = max(entry.at, card.last_review) if card.last_review is not None else entry.at
    memory = scheduler.review(ItemMemory.from_dict(card.memory), _outcome(entry.answer, exercise), at)
    if not entry.answer.correct and card.reviews > 0:
        card.lapses += 1
    card.memory, card.due, card.last_review, card.reviews = memory.to_dict(), memory.due, at, card.reviews + 1


async def record_quiz_answers(events: Sequence[Event], retention: float) -> None:
    """Review each stored quiz answer's card (created on a first answer, also for exercises not in the bank)."""
    answers = _answers(events)
    if not answers:
        return
    scheduler = _scheduler(retention)
    keys = sorted({a.key for a in answers})
    found, exercises = await asyncio.gather(ReviewCard.find({"_id": {"$in": keys}}).to_list(),
                                            _exercises({a.answer.item_id for a in answers}))
    cards = {c.id: c for c in found if ReviewCard.key(c.user_id, c.exercise_id) == c.id}
    for entry in answers:
        exercise = exercises.get(entry.answer.item_id)
        card = cards.setdefault(entry.key, _new_card(scheduler, entry, exercise))
        _reviewed(scheduler, card, entry, exercise)
    writes = [ReplaceOne({"_id": key}, cards[key].model_dump(by_alias=True), upsert=True) for key in keys]
    await ReviewCard.get_pymongo_collection().bulk_write(writes, ordered=False)


async def review_queue(user_id: str, first: int, now: datetime, retention: float) -> list[ReviewItem]:
    """Up to `first` (1–100) of the learner's due cards (due ≤ now), lowest recall probability first."""
    check_page_size(first)
    scheduler = _scheduler(retention)
    due = await ReviewCard.find({"user_id": user_id, "due": {"$lte": as_utc(now)}}).to_list()
    cards = {card.exercise_id: card for card in due if card.user_id == user_id}
    memories = [ItemMemory.from_dict(card.memory) for card in cards.values()]
    queue = scheduler.review_queue(memories, as_utc(now), first)
    exercises = await _exercises({memory.item_id for memory, _ in queue})
    return [ReviewItem(cards[memory.item_id], exercises.get(memory.item_id), recall) for memory, recall in queue]
