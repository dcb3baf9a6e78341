"""How a dataset is split into what recommenders learn from and what they are scored on.

A split works on (user, item) pairs, not single signals: every signal of a pair (say a view, an enrolment and a
rating of one course) goes to the same side, so a held-out item never also sits in the learner's history. With
one signal per pair (ML-100K, most CSV files) that is the same as splitting the signals.
"""

import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from recommenders.base import Interaction, TrainingData

RANDOM_80_20 = "random-80-20"
STRATIFIED_75_25 = "stratified-75-25"
TEMPORAL = "temporal"
MIN_ITEMS_PER_USER = 3  # per-user protocols hold nothing out of fewer: round(2 x 0.8) = round(2 x 0.75) = 2


@dataclass(frozen=True)
class Pair:
    """Every signal of one user on one item, and the time of the first (None when any signal has no time)."""

    user_id: str
    item_id: str
    signals: list[Interaction]
    first_at: datetime | None


Parts = tuple[list[Pair], list[Pair]]  # train, test


@dataclass(frozen=True)
class Split:
    train: TrainingData
    test: dict[str, set[str]]  # user id -> held-out item ids
    # temporal: user id -> when their first held-out item was first seen (what the learner is scored as of)
    cuts: Mapping[str, datetime] = field(default_factory=dict)


def split(data: TrainingData, protocol: str, seed: int = 42) -> Split:
    """Split `data` by `protocol`: random-80-20 (per pair), stratified-75-25 (per user), temporal (each user's
    latest 20% of items by their first signal)."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}: one of {', '.join(PROTOCOLS)}")
    train, test = PROTOCOLS[protocol](pairs_of(data.interactions), random.Random(seed))
    signals = [signal for pair in train for signal in pair.signals]
    cuts = _cuts(test) if protocol == TEMPORAL else {}
    return Split(TrainingData(data.items, signals, data.segments), _held_out(test), cuts)


def pairs_of(interactions: Sequence[Interaction]) -> list[Pair]:
    """The signals grouped by (user, item), pairs in the order of their first signal."""
    grouped: dict[tuple[str, str], list[Interaction]] = {}
    for interaction in interactions:
        grouped.setdefault((interaction.user_id, interaction.item_id), []).append(interaction)
    return [Pair(user, item, signals, _first_at(signals)) for (user, item), signals in grouped.items()]


def _first_at(signals: list[Interaction]) -> datetime | None:
    times = [signal.at for signal in signals]
    return None if any(at is None for at in times) else min(at for at in times if at is not None)


def _random_80_20(pairs: list[Pair], rng: random.Random) -> Parts:
    rng.shuffle(pairs)
    cut = round(len(pairs) * 0.8)
    return pairs[:cut], pairs[cut:]


def _stratified_75_25(pairs: list[Pair], rng: random.Random) -> Parts:
    def shuffled(rows: list[Pair]) -> list[Pair]:
        rng.shuffle(rows)
        return rows

    return _per_user(pairs, shuffled, 0.75)


def _temporal(pairs: list[Pair], rng: random.Random) -> Parts:
    if any(pair.first_at is None for pair in pairs):
        raise ValueError("the temporal protocol needs a timestamp on every interaction")
    return _per_user(pairs, lambda rows: sorted(rows, key=lambda pair: (pair.first_at, pair.item_id)), 0.8)


def _per_user(pairs: list[Pair], order: Callable[[list[Pair]], list[Pair]], train_share: float) -> Parts:
    by_user: defaultdict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_user[pair.user_id].append(pair)
    train: list[Pair] = []
    test: list[Pair] = []
    for user_id in sorted(by_user):
        rows = order(by_user[user_id])
        cut = round(len(rows) * train_share)
        train += rows[:cut]
        test += rows[cut:]
    return train, test


def _held_out(test: Sequence[Pair]) -> dict[str, set[str]]:
    held: defaultdict[str, set[str]] = defaultdict(set)
    for pair in test:
        held[pair.user_id].add(pair.item_id)
    return dict(held)


def _cuts(test: Sequence[Pair]) -> dict[str, datetime]:
    cuts: dict[str, datetime] = {}
    for pair in test:
        if pair.first_at is not None and (pair.user_id not in cuts or pair.first_at < cuts[pair.user_id]):
            cuts[pair.user_id] = pair.first_at
    return cuts


Splitter = Callable[[list[Pair], random.Random], Parts]
PROTOCOLS: dict[str, Splitter] = {RANDOM_80_20: _random_80_20, STRATIFIED_75_25: _stratified_75_25, TEMPORAL: _temporal}
