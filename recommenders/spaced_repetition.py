"""Spaced repetition: per learner per item memory state scheduled with FSRS (the `fsrs` package).

A quiz outcome maps to an FSRS rating (`rating_for`): wrong → Again; right with hints or slow → Hard; right →
Good; right and fast → Easy. `SpacedRepetition` wraps one `fsrs.Scheduler`: it starts, reviews and scores
`ItemMemory` values and builds the review queue: the due items (due ≤ now), lowest recall probability first.
Recall probability is FSRS retrievability, computed on whole elapsed days as FSRS does; an item never reviewed
has recall 0, so new items come first. Interval fuzzing is off by default, so scheduling is deterministic.
Pure Python, no I/O: `ItemMemory.to_dict()` is JSON-serialisable. Datetimes must be timezone-aware; they are
converted to UTC.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fsrs import Card, Rating, Scheduler

SLOW_FACTOR = 1.5  # right but slower than 1.5 × the expected time → Hard
FAST_FACTOR = 0.5  # right, no hints and faster than 0.5 × the expected time → Easy
DEFAULT_RETENTION = 0.9


@dataclass(frozen=True)
class QuizOutcome:
    """One answer to a quiz item: right or wrong, hints used, and response vs expected time (milliseconds)."""

    correct: bool
    hints_used: int = 0
    response_time_ms: int | None = None
    expected_time_ms: int | None = None

    def __post_init__(self) -> None:
        if self.hints_used < 0:
            raise ValueError("hints_used must be ≥ 0")
        if self.response_time_ms is not None and self.response_time_ms < 0:
            raise ValueError("response_time_ms must be ≥ 0")
        if self.expected_time_ms is not None and self.expected_time_ms <= 0:
            raise ValueError("expected_time_ms must be > 0")


def _speed_ratio(outcome: QuizOutcome) -> float | None:
    """Response time over expected time, or None when either is unknown."""
    if outcome.response_time_ms is None or outcome.expected_time_ms is None:
        return None
    return outcome.response_time_ms / outcome.expected_time_ms


def rating_for(outcome: QuizOutcome) -> Rating:
    """Wrong → Again; right with hints or slow (> 1.5 × expected) → Hard; fast (< 0.5 × expected) → Easy; else Good.

    Hints win over speed. Without both a response and an expected time, a right answer is Good.
    """
    if not outcome.correct:
        return Rating.Again
    ratio = _speed_ratio(outcome)
    if outcome.hints_used > 0 or (ratio is not None and ratio > SLOW_FACTOR):
        return Rating.Hard
    if ratio is not None and ratio < FAST_FACTOR:
        return Rating.Easy
    return Rating.Good


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC)


def _card_id(item_id: str) -> int:
    """A stable integer id for the FSRS card of `item_id` (FSRS only copies it into review logs)."""
    return int.from_bytes(hashlib.blake2b(item_id.encode(), digest_size=6).digest(), "big")


@dataclass(frozen=True)
class ItemMemory:
    """A learner's memory state of one item (or skill): the item id and its FSRS card."""

    item_id: str
    card: Card

    @property
    def due(self) -> datetime:
        return self.card.due

    def to_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "card": dict(self.card.to_dict())}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ItemMemory":
        return cls(str(data["item_id"]), Card.from_dict(data["card"]))


class SpacedRepetition:
    """FSRS scheduling for one target retention (the recall probability at which an item falls due)."""

    def __init__(self, desired_retention: float = DEFAULT_RETENTION, *, fuzz: bool = False) -> None:
        if not 0.0 < desired_retention < 1.0:
            raise ValueError("desired_retention must be in (0, 1)")
        self.scheduler = Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzz)

    @property
    def desired_retention(self) -> float:
        return self.scheduler.desired_retention

    def new(self, item_id: str, now: datetime | None = None) -> ItemMemory:
        """A never-reviewed item, due at `now` (default: the current time)."""
        due = _utc(now) if now is not None else datetime.now(UTC)
        return ItemMemory(item_id, Card(card_id=_card_id(item_id), due=due))

    def review(self, memory: ItemMemory, outcome: QuizOutcome, now: datetime) -> ItemMemory:
        """The memory after answering the item at `now`; the input is left unchanged."""
        card, _ = self.scheduler.review_card(memory.card, rating_for(outcome), _utc(now), outcome.response_time_ms)
        return ItemMemory(memory.item_id, card)

    def recall_probability(self, memory: ItemMemory, now: datetime) -> float:
        """FSRS retrievability at `now` (whole elapsed days); 0 for an item never reviewed."""
        return float(self.scheduler.get_card_retrievability(memory.card, _utc(now)))

    def review_queue(
        self, memories: Iterable[ItemMemory], now: datetime, first: int
    ) -> list[tuple[ItemMemory, float]]:
        """Up to `first` due items (due ≤ now) with their recall probability: lowest first, then by due, item id."""
        if first < 0:
            raise ValueError("first must be ≥ 0")
        moment = _utc(now)
        due = [(memory, self.recall_probability(memory, moment)) for memory in memories if memory.due <= moment]
        due.sort(key=lambda pair: (pair[1], pair[0].due, pair[0].item_id))
        return due[:first]
