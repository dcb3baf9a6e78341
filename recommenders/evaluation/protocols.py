"""How a dataset is split into what recommenders learn from and what they are scored on."""

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from recommenders.base import Interaction, TrainingData

Parts = tuple[list[Interaction], list[Interaction]]  # train, test

RANDOM_80_20 = "random-80-20"
STRATIFIED_75_25 = "stratified-75-25"
TEMPORAL = "temporal"


@dataclass(frozen=True)
class Split:
    train: TrainingData
    test: dict[str, set[str]]  # user id -> held-out item ids


def split(data: TrainingData, protocol: str, seed: int = 42) -> Split:
    """Split `data` by `protocol`: random-80-20 (per interaction), stratified-75-25 (per user), temporal."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}: one of {', '.join(PROTOCOLS)}")
    train, test = PROTOCOLS[protocol](list(data.interactions), random.Random(seed))
    return Split(TrainingData(data.items, train, data.segments), _held_out(test))


def _random_80_20(interactions: list[Interaction], rng: random.Random) -> Parts:
    rng.shuffle(interactions)
    cut = round(len(interactions) * 0.8)
    return interactions[:cut], interactions[cut:]


def _stratified_75_25(interactions: list[Interaction], rng: random.Random) -> Parts:
    def shuffled(rows: list[Interaction]) -> list[Interaction]:
        rng.shuffle(rows)
        return rows

    return _per_user(interactions, shuffled, 0.75)


def _temporal(interactions: list[Interaction], rng: random.Random) -> Parts:
    if any(i.at is None for i in interactions):
        raise ValueError("the temporal protocol needs a timestamp on every interaction")
    return _per_user(interactions, lambda rows: sorted(rows, key=lambda i: (i.at, i.item_id)), 0.8)


def _per_user(interactions: list[Interaction], order: Callable[[list[Interaction]], list[Interaction]],
              train_share: float) -> Parts:
    by_user: defaultdict[str, list[Interaction]] = defaultdict(list)
    for interaction in interactions:
        by_user[interaction.user_id].append(interaction)
    train: list[Interaction] = []
    test: list[Interaction] = []
    for user_id in sorted(by_user):
        rows = order(by_user[user_id])
        cut = round(len(rows) * train_share)
        train += rows[:cut]
        test += rows[cut:]
    return train, test


def _held_out(test: Sequence[Interaction]) -> dict[str, set[str]]:
    held: defaultdict[str, set[str]] = defaultdict(set)
    for interaction in test:
        held[interaction.user_id].add(interaction.item_id)
    return dict(held)


Splitter = Callable[[list[Interaction], random.Random], Parts]
PROTOCOLS: dict[str, Splitter] = {RANDOM_80_20: _random_80_20, STRATIFIED_75_25: _stratified_75_25, TEMPORAL: _temporal}
