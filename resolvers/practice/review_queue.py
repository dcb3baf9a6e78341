"""Spaced repetition over stored quiz answers: each `quiz_answer` event reviews the learner's FSRS memory of
the item (one `ReviewCard` per learner and exercise), and the review queue lists the due cards, least likely
remembered first. One find of the cards and one of the exercises per call, one bulk write."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, Field, ValidationError
from pymongo import ReplaceOne

from app.core.concurrency import both
from app.core.documents import Exercise, ReviewCard, StoredEvent
from app.core.timestamps import UtcDatetime, as_utc
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


class _Card(BaseModel):
    """A card as the quiz-answer write path reads and writes it: `ReviewCard`'s fields, validated the same way,
    without Beanie's document machinery (~17 µs to build a `ReviewCard`, ~2 for this; every event batch with
    quiz answers builds one per answer)."""

    id: str = Field(validation_alias=AliasChoices("id", "_id"), serialization_alias="_id")
    user_id: str
    exercise_id: str
    skills: list[str] = Field(default_factory=list)
    memory: dict[str, Any] = Field(default_factory=dict)
    due: UtcDatetime
    last_review: UtcDatetime | None = None
    reviews: int = 0
    lapses: int = 0


if list(_Card.model_fields) != [name for name in ReviewCard.model_fields if name != "revision_id"]:
    raise RuntimeError("_Card must have the fields of app.core.documents.ReviewCard, in its order")


@dataclass(frozen=True)
class _ExerciseFacts:
    """What reviewing an answer needs of its exercise."""

    skills: list[str]
    expected_seconds: int | None


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


def _answers(events: Sequence[StoredEvent]) -> list[_Answer]:
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


async def _exercise_facts(ids: set[str]) -> dict[str, _ExerciseFacts]:
    found = await Exercise.get_pymongo_collection().find(
        {"_id": {"$in": sorted(ids)}}, {"skills": 1, "expected_seconds": 1}).to_list()
    return {doc["_id"]: _ExerciseFacts(list(doc.get("skills") or []), doc.get("expected_seconds")) for doc in found}


def _outcome(answer: QuizAnswer, exercise: _ExerciseFacts | None) -> QuizOutcome:
    seconds = exercise.expected_seconds if exercise is not None else None
    return QuizOutcome(answer.correct, answer.hints_used, answer.response_time_ms,
                       seconds * 1000 if seconds is not None else None)


def _new_card(scheduler: SpacedRepetition, entry: _Answer, exercise: _ExerciseFacts | None
              ) -> tuple[_Card, ItemMemory]:
    skills = exercise.skills if exercise is not None else [s for s in [entry.answer.skill] if s]
    memory = scheduler.new(entry.answer.item_id, entry.at)
    card = _Card(id=entry.key, user_id=entry.user_id, exercise_id=entry.answer.item_id, skills=list(skills),
                 due=memory.due)
    return card, memory


def _reviewed(scheduler: SpacedRepetition, card: _Card, memory: ItemMemory, entry: _Answer,
              exercise: _ExerciseFacts | None) -> ItemMemory:
    """Apply one answer to `card` (counts, last review) and `memory`; the memory after it. An answer older than
    the card's last review counts as of then."""
    at = max(entry.at, card.last_review) if card.last_review is not None else entry.at
    memory = scheduler.review(memory, _outcome(entry.answer, exercise), at)
    if not entry.answer.correct and card.reviews > 0:
        card.lapses += 1
    card.last_review, card.reviews = at, card.reviews + 1
    return memory


def _document(card: _Card, memory: ItemMemory) -> dict[str, Any]:
    """The card as stored, `model_dump(by_alias=True)` written out, with `memory` as its memory and due date."""
    return {"_id": card.id, "user_id": card.user_id, "exercise_id": card.exercise_id, "skills": list(card.skills),
            "memory": memory.to_dict(), "due": memory.due, "last_review": card.last_review,
            "reviews": card.reviews, "lapses": card.lapses}


def _reviewed_cards(scheduler: SpacedRepetition, answers: Sequence[_Answer], cards: dict[str, _Card],
                   exercises: dict[str, _ExerciseFacts]) -> list[dict[str, Any]]:
    """The documents of the cards `answers` (in time order) review, starting from the stored `cards` (by key; their
    counts change in place). Each card's FSRS memory is read once and written once, however many answers it gets
    (a dict round trip per answer was a third of this path's time)."""
    memories: dict[str, ItemMemory] = {}
    for entry in answers:
        exercise = exercises.get(entry.answer.item_id)
        key = entry.key
        card = cards.get(key)
        if card is None:
            card, memories[key] = _new_card(scheduler, entry, exercise)
            cards[key] = card
        elif key not in memories:
            memories[key] = ItemMemory.from_dict(card.memory)
        memories[key] = _reviewed(scheduler, card, memories[key], entry, exercise)
    return [_document(cards[key], memories[key]) for key in sorted(memories)]


async def record_quiz_answers(events: Sequence[StoredEvent], retention: float) -> None:
    """Review each stored quiz answer's card (created on a first answer, also for exercises not in the bank)."""
    answers = _answers(events)
    if not answers:
        return
    keys = sorted({a.key for a in answers})
    documents, exercises = await both(
        ReviewCard.get_pymongo_collection().find({"_id": {"$in": keys}}).to_list(),
        _exercise_facts({a.answer.item_id for a in answers}))
    found = [_Card.model_validate(document) for document in documents]
    cards = {c.id: c for c in found if ReviewCard.key(c.user_id, c.exercise_id) == c.id}
    writes = [ReplaceOne({"_id": document["_id"]}, document, upsert=True)
              for document in _reviewed_cards(_scheduler(retention), answers, cards, exercises)]
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
