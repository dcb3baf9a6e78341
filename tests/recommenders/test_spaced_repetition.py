"""Spaced repetition: rating mapping, FSRS scheduling, the review queue, serialisation and a seeded simulation."""

import itertools
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fsrs import Rating

from bench.srs_sim import fixed_policy, fsrs_policy, simulate
from recommenders.spaced_repetition import ItemMemory, QuizOutcome, SpacedRepetition, rating_for

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RIGHT = QuizOutcome(correct=True)
WRONG = QuizOutcome(correct=False)


@pytest.mark.parametrize(("outcome", "rating"), [
    (QuizOutcome(False), Rating.Again),
    (QuizOutcome(False, hints_used=2, response_time_ms=100, expected_time_ms=1000), Rating.Again),
    (QuizOutcome(True), Rating.Good),
    (QuizOutcome(True, hints_used=1), Rating.Hard),
    (QuizOutcome(True, response_time_ms=1501, expected_time_ms=1000), Rating.Hard),
    (QuizOutcome(True, response_time_ms=1500, expected_time_ms=1000), Rating.Good),
    (QuizOutcome(True, response_time_ms=1000, expected_time_ms=1000), Rating.Good),
    (QuizOutcome(True, response_time_ms=500, expected_time_ms=1000), Rating.Good),
    (QuizOutcome(True, response_time_ms=499, expected_time_ms=1000), Rating.Easy),
    (QuizOutcome(True, hints_used=1, response_time_ms=100, expected_time_ms=1000), Rating.Hard),
    (QuizOutcome(True, response_time_ms=100), Rating.Good),
    (QuizOutcome(True, response_time_ms=99_999), Rating.Good),
    (QuizOutcome(True, expected_time_ms=1000), Rating.Good),
])
def test_rating_for_maps_outcomes(outcome: QuizOutcome, rating: Rating) -> None:
    assert rating_for(outcome) is rating


@pytest.mark.parametrize("kwargs", [
    {"hints_used": -1}, {"response_time_ms": -1}, {"expected_time_ms": 0},
])
def test_quiz_outcome_rejects_invalid_values(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        QuizOutcome(True, **kwargs)


def graduated(srs: SpacedRepetition, item_id: str) -> tuple[ItemMemory, datetime]:
    """An item learned at NOW and answered right the next day (out of the learning steps)."""
    memory = srs.review(srs.new(item_id, NOW), RIGHT, NOW)
    return srs.review(memory, RIGHT, NOW + timedelta(days=1)), NOW + timedelta(days=1)


def test_new_item_is_due_now_with_recall_zero() -> None:
    srs = SpacedRepetition()
    memory = srs.new("a", NOW)
    assert memory.due == NOW
    assert srs.recall_probability(memory, NOW) == 0.0


def test_right_answer_is_due_later_than_wrong() -> None:
    srs = SpacedRepetition()
    memory, when = graduated(srs, "a")
    later = when + timedelta(days=3)
    assert srs.review(memory, RIGHT, later).due > srs.review(memory, WRONG, later).due
    new = srs.new("b", NOW)
    assert srs.review(new, RIGHT, NOW).due > srs.review(new, WRONG, NOW).due


def test_easy_is_due_later_than_good_later_than_hard() -> None:
    srs = SpacedRepetition()
    memory, when = graduated(srs, "a")
    later = when + timedelta(days=3)
    easy = srs.review(memory, QuizOutcome(True, response_time_ms=100, expected_time_ms=1000), later)
    hard = srs.review(memory, QuizOutcome(True, hints_used=1), later)
    assert easy.due > srs.review(memory, RIGHT, later).due > hard.due


def test_intervals_grow_with_consecutive_good_answers() -> None:
    srs = SpacedRepetition()
    memory, when = graduated(srs, "a")
    intervals = []
    for _ in range(5):
        when = memory.due
        memory = srs.review(memory, RIGHT, when)
        intervals.append(memory.due - when)
    assert all(a < b for a, b in itertools.pairwise(intervals))
    assert intervals[0] >= timedelta(days=1)


def test_review_leaves_the_input_unchanged() -> None:
    srs = SpacedRepetition()
    memory = srs.new("a", NOW)
    before = memory.to_dict()
    srs.review(memory, RIGHT, NOW)
    assert memory.to_dict() == before


def test_recall_probability_decreases_with_time() -> None:
    srs = SpacedRepetition()
    memory, when = graduated(srs, "a")
    recalls = [srs.recall_probability(memory, when + timedelta(days=d)) for d in (0, 1, 3, 10, 30, 100)]
    assert recalls[0] == pytest.approx(1.0)
    assert all(a > b for a, b in itertools.pairwise(recalls))
    at_due = srs.recall_probability(memory, memory.due)
    assert at_due == pytest.approx(srs.desired_retention, abs=0.03)


def queue_fixture(srs: SpacedRepetition) -> list[ItemMemory]:
    """Items reviewed on different days (so different recall now), a new item, and one not yet due."""
    memories = []
    for item_id, days_ago in [("old", 40), ("mid", 20), ("recent", 10)]:
        start = NOW - timedelta(days=days_ago)
        memory = srs.review(srs.new(item_id, start), RIGHT, start)
        memories.append(srs.review(memory, RIGHT, start + timedelta(days=1)))
    memories.append(srs.new("new", NOW - timedelta(hours=1)))
    memories.append(srs.new("later", NOW + timedelta(hours=1)))
    return memories


def test_review_queue_orders_due_items_by_recall_and_limits_to_first() -> None:
    srs = SpacedRepetition()
    memories = queue_fixture(srs)
    queue = srs.review_queue(memories, NOW, 10)
    assert [memory.item_id for memory, _ in queue] == ["new", "old", "mid", "recent"]
    recalls = [recall for _, recall in queue]
    assert recalls == sorted(recalls)
    assert recalls[0] == 0.0 < recalls[1]
    assert [memory.item_id for memory, _ in srs.review_queue(memories, NOW, 2)] == ["new", "old"]
    assert srs.review_queue(memories, NOW, 0) == []


def test_review_queue_returns_only_due_items() -> None:
    srs = SpacedRepetition()
    memories = queue_fixture(srs)
    queue = srs.review_queue(memories, NOW, 10)
    assert all(memory.due <= NOW for memory, _ in queue)
    assert "later" not in {memory.item_id for memory, _ in queue}
    assert "later" in {memory.item_id for memory, _ in srs.review_queue(memories, NOW + timedelta(hours=1), 10)}
    assert srs.review_queue(memories, NOW - timedelta(days=100), 10) == []


def test_review_queue_breaks_ties_by_due_then_item_id() -> None:
    srs = SpacedRepetition()
    memories = [srs.new("b", NOW - timedelta(hours=1)), srs.new("c", NOW - timedelta(hours=2)),
                srs.new("a", NOW - timedelta(hours=1))]
    assert [memory.item_id for memory, _ in srs.review_queue(memories, NOW, 10)] == ["c", "a", "b"]


def test_review_queue_rejects_negative_first() -> None:
    with pytest.raises(ValueError):
        SpacedRepetition().review_queue([], NOW, -1)


def test_serialisation_round_trip_gives_identical_scheduling() -> None:
    srs = SpacedRepetition()
    memory, when = graduated(srs, "a")
    restored = ItemMemory.from_dict(json.loads(json.dumps(memory.to_dict())))
    assert restored == memory
    later = when + timedelta(days=4)
    assert srs.recall_probability(restored, later) == srs.recall_probability(memory, later)
    for outcome in (RIGHT, WRONG):
        assert srs.review(restored, outcome, later).to_dict() == srs.review(memory, outcome, later).to_dict()


def test_datetimes_must_be_timezone_aware_and_are_converted_to_utc() -> None:
    srs = SpacedRepetition()
    with pytest.raises(ValueError):
        srs.new("a", datetime(2026, 3, 2, 9, 0))
    paris = timezone(timedelta(hours=1))
    memory = srs.review(srs.new("a", NOW.astimezone(paris)), RIGHT, NOW.astimezone(paris))
    assert memory.due.tzinfo == UTC
    assert memory.card.last_review == NOW


def test_desired_retention_must_be_a_probability() -> None:
    with pytest.raises(ValueError):
        SpacedRepetition(1.0)
    assert SpacedRepetition(0.95).desired_retention == 0.95


def test_simulated_learners_are_reviewed_before_recall_falls_below_target() -> None:
    """30 learners × 10 items × 60 days. Full run (bench/srs_sim.py, 200 × 30 × 90, seed 7): at retention 0.95
    95.5% of reviews happen with true recall ≥ 0.9; at 0.9, mean recall at review 0.898 (FSRS reviews at the target,
    so ~60% fall before it); the 7-day baseline: mean recall 0.751 with 4.07 reviews/item/month vs 1.63."""
    small = {"learners": 30, "items": 10, "days": 60, "new_per_day": 3, "seed": 7}
    _, on_time, _, _, _, _ = simulate(fsrs_policy(0.95), **small).row()
    assert on_time >= 0.955 - 0.03
    reviews, on_time_90, mean_90, per_month_90, _, _ = simulate(fsrs_policy(0.9), **small).row()
    assert reviews > 0
    assert on_time_90 >= 0.60 - 0.05
    assert mean_90 >= 0.898 - 0.02
    _, _, mean_fixed, per_month_fixed, _, _ = simulate(fixed_policy(7), **small).row()
    assert mean_90 > mean_fixed + 0.1
    assert per_month_90 < per_month_fixed


def test_simulation_is_reproducible() -> None:
    small = {"learners": 5, "items": 6, "days": 30, "new_per_day": 2, "seed": 3}
    assert simulate(fsrs_policy(0.9), **small).row() == simulate(fsrs_policy(0.9), **small).row()
