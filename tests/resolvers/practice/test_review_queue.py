"""Spaced repetition over quiz answers: cards per learner and exercise, batched I/O, and the review queue."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.documents import Event, Exercise, Purpose, ReviewCard
from app.core.settings import Settings
from recommenders.spaced_repetition import ItemMemory, QuizOutcome, SpacedRepetition
from resolvers.errors import UseCaseError
from resolvers.practice.review_queue import _scheduler, record_quiz_answers, review_queue
from tests.conftest import CommandCounter

pytestmark = pytest.mark.usefixtures("clean")

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RETENTION = Settings().review_retention  # 0.9
FSRS = SpacedRepetition(RETENTION)


def quiz(user: str, item: str, at: datetime, correct: bool = True, **props: Any) -> Event:
    properties = {"item_id": item, "correct": correct, **props}
    event_id = f"{item}-{at.timestamp()}-{correct}"
    return Event(id=Event.key(user, event_id), user_id=user, type="quiz_answer", event_id=event_id,
                 client_timestamp=at, purpose=Purpose.ESSENTIAL, properties=properties)


async def card(user: str, item: str) -> ReviewCard:
    found = await ReviewCard.get(ReviewCard.key(user, item))
    assert found is not None
    return found


async def test_a_first_answer_creates_a_card_with_the_exercise_skills() -> None:
    await Exercise(id="ex-1", skills=["algebra", "fractions"]).insert()
    await record_quiz_answers([quiz("u1", "ex-1", T0)], RETENTION)
    stored = await card("u1", "ex-1")
    expected = FSRS.review(FSRS.new("ex-1", T0), QuizOutcome(True), T0)
    assert (stored.user_id, stored.exercise_id, stored.skills) == ("u1", "ex-1", ["algebra", "fractions"])
    assert (stored.reviews, stored.lapses, stored.last_review) == (1, 0, T0)
    assert stored.due == expected.due > T0


async def test_an_unknown_exercise_still_gets_a_card_with_the_event_skill() -> None:
    await record_quiz_answers([quiz("u1", "not-in-bank", T0, skill="geometry")], RETENTION)
    assert (await card("u1", "not-in-bank")).skills == ["geometry"]


async def test_answers_apply_in_time_order_whatever_the_batch_order() -> None:
    right_then_wrong = [quiz("u1", "ex-1", T0 + timedelta(days=3), correct=False), quiz("u1", "ex-1", T0)]
    await record_quiz_answers(right_then_wrong, RETENTION)
    stored = await card("u1", "ex-1")
    memory = FSRS.review(FSRS.new("ex-1", T0), QuizOutcome(True), T0)
    memory = FSRS.review(memory, QuizOutcome(False), T0 + timedelta(days=3))
    assert (stored.reviews, stored.lapses, stored.last_review) == (2, 1, T0 + timedelta(days=3))
    assert stored.due == memory.due


async def test_later_batches_continue_the_same_card() -> None:
    await record_quiz_answers([quiz("u1", "ex-1", T0)], RETENTION)
    await record_quiz_answers([quiz("u1", "ex-1", T0 + timedelta(days=5))], RETENTION)
    stored = await card("u1", "ex-1")
    assert stored.reviews == 2
    assert ItemMemory.from_dict(stored.memory).card.last_review == T0 + timedelta(days=5)


async def test_expected_seconds_of_the_exercise_make_a_fast_answer_easy() -> None:
    await Exercise(id="timed", skills=["s"], expected_seconds=60).insert()
    await record_quiz_answers([quiz("fast", "timed", T0, response_time_ms=10_000),
                               quiz("fast", "untimed", T0, response_time_ms=10_000),
                               quiz("hinted", "timed", T0, response_time_ms=10_000, hints_used=1)], RETENTION)
    easy = FSRS.review(FSRS.new("timed", T0), QuizOutcome(True, 0, 10_000, 60_000), T0)
    good = FSRS.review(FSRS.new("untimed", T0), QuizOutcome(True, 0, 10_000, None), T0)
    hard = FSRS.review(FSRS.new("timed", T0), QuizOutcome(True, 1, 10_000, 60_000), T0)
    assert (await card("fast", "timed")).due == easy.due
    assert (await card("fast", "untimed")).due == good.due
    assert (await card("hinted", "timed")).due == hard.due
    assert hard.due < good.due < easy.due


async def test_other_events_and_malformed_answers_are_ignored() -> None:
    view = Event(id="u1:e1", user_id="u1", type="page_view", event_id="e1", properties={"item_id": "ex-1"})
    broken = quiz("u1", "ex-2", T0)
    broken.properties.pop("correct")
    await record_quiz_answers([view, broken], RETENTION)
    assert await ReviewCard.count() == 0


async def test_one_find_per_collection_and_one_bulk_write(command_counter: CommandCounter) -> None:
    await Exercise(id="ex-1", skills=["s"]).insert()
    events = [quiz(user, item, T0 + timedelta(minutes=i)) for i, (user, item) in
              enumerate([("u1", "ex-1"), ("u1", "ex-2"), ("u2", "ex-1"), ("u1", "ex-1")])]
    command_counter.commands.clear()
    await record_quiz_answers(events, RETENTION)
    assert Counter(command_counter.commands) == Counter({"find": 2, "update": 1})
    assert await ReviewCard.count() == 3


def test_the_scheduler_keeps_the_retention_it_is_given() -> None:
    assert _scheduler(RETENTION).desired_retention == Settings().review_retention == 0.9
    assert _scheduler(0.8).desired_retention == 0.8


async def save_card(user: str, memory: ItemMemory, reviews: int = 1) -> None:
    await ReviewCard(id=ReviewCard.key(user, memory.item_id), user_id=user, exercise_id=memory.item_id,
                     skills=["s"], memory=memory.to_dict(), due=memory.due, reviews=reviews,
                     last_review=memory.card.last_review).insert()


async def test_the_queue_lists_due_cards_least_remembered_first() -> None:
    now = T0 + timedelta(days=30)
    old = FSRS.review(FSRS.new("old", T0), QuizOutcome(True), T0)
    recent = FSRS.review(FSRS.new("recent", T0), QuizOutcome(True), now - timedelta(days=6))
    fresh = FSRS.review(FSRS.new("fresh", T0), QuizOutcome(True, 0, 1_000, 60_000), now - timedelta(hours=1))
    never = FSRS.new("never", now - timedelta(days=1))
    for memory in (recent, fresh, old):
        await save_card("u1", memory)
    await save_card("u1", never, reviews=0)
    await save_card("u2", FSRS.new("other", T0), reviews=0)
    await Exercise(id="old", skills=["s"], prompt="2 + 2?", answers=["4"]).insert()
    queue = await review_queue("u1", 20, now, 0.9)
    assert fresh.due > now  # not yet due, so absent
    assert [item.card.exercise_id for item in queue] == ["never", "old", "recent"]
    probabilities = [item.recall_probability for item in queue]
    assert probabilities[0] == 0.0 and probabilities == sorted(probabilities) and probabilities[1] < probabilities[2]
    assert queue[1].exercise is not None and queue[1].exercise.prompt == "2 + 2?"
    assert queue[0].exercise is None


async def test_the_queue_is_cut_at_first_and_checks_it() -> None:
    for index in range(3):
        await save_card("u1", FSRS.new(f"n{index}", T0), reviews=0)
    assert len(await review_queue("u1", 2, T0 + timedelta(days=1), 0.9)) == 2
    for bad in (0, 101):
        with pytest.raises(UseCaseError, match="first"):
            await review_queue("u1", bad, T0, 0.9)


def test_a_card_document_is_its_model_dump() -> None:
    """The write path builds card documents by hand: they must be exactly what the model would dump."""
    from resolvers.practice.review_queue import _Card, _document

    memory = FSRS.review(FSRS.new("ex-1", T0), QuizOutcome(False), T0)
    stored = {"_id": "u1:ex-1", "user_id": "u1", "exercise_id": "ex-1", "skills": ["algebra"],
              "memory": memory.to_dict(), "due": memory.due, "last_review": T0, "reviews": 3, "lapses": 1}
    card = _Card.model_validate(stored)
    document = _document(card, ItemMemory.from_dict(card.memory))
    assert document == card.model_dump(by_alias=True) == stored
    assert list(document) == list(card.model_dump(by_alias=True))
