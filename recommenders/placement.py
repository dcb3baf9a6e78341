"""Adaptive placement test: computerized adaptive testing over a 2PL IRT item bank.

An item has a discrimination `a` and a difficulty `b` (logits); a learner of ability θ answers it right with
probability 1 / (1 + exp(-a(θ - b))). Ability is estimated by EAP (the posterior mean) on a fixed quadrature
grid with a N(0, 1) prior, so all-right and all-wrong answer patterns still give finite estimates; the standard
error is the posterior standard deviation. The next item is the unused one with maximum Fisher information at
the current estimate (optionally drawn at random among the top few, to spread item exposure). Pure Python,
no I/O: the session state is a plain JSON-serialisable dict.
"""

import math
import random
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

GRID_MIN = -4.0
GRID_MAX = 4.0
GRID_POINTS = 81  # step 0.1 logit; finer grids change EAP estimates by < 0.005 on this range
PRIOR_MEAN = 0.0
PRIOR_SD = 1.0
SE_TARGET = 0.3  # stop once the posterior SD is at most this (logits)
MAX_ITEMS = 15  # stop after this many items whatever the SE
MIN_ITEMS = 3  # never stop before this many items
# Level cut points on θ (logits). With abilities ~ N(0, 1) they split learners about 31% / 38% / 31%.
BEGINNER_BELOW = -0.5  # θ < -0.5: beginner
ADVANCED_FROM = 0.5  # θ ≥ 0.5: advanced; in between: intermediate

Level = Literal["beginner", "intermediate", "advanced"]
StopReason = Literal["se", "limit"]

GRID = [GRID_MIN + i * (GRID_MAX - GRID_MIN) / (GRID_POINTS - 1) for i in range(GRID_POINTS)]


@dataclass(frozen=True)
class Item:
    """One bank item: 2PL discrimination `a` (> 0), difficulty `b` (logits) and the skills it measures."""

    id: str
    a: float
    b: float
    skills: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "a": self.a, "b": self.b, "skills": list(self.skills)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Item":
        return cls(str(data["id"]), float(data["a"]), float(data["b"]), tuple(data.get("skills", ())))


def probability_correct(theta: float, item: Item) -> float:
    """P(right answer | θ) under the 2PL model."""
    z = item.a * (theta - item.b)
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def information(theta: float, item: Item) -> float:
    """Fisher information of `item` at θ: a² p (1 - p), largest where θ = b."""
    p = probability_correct(theta, item)
    return item.a * item.a * p * (1.0 - p)


def _log_prior(theta: float) -> float:
    return -0.5 * ((theta - PRIOR_MEAN) / PRIOR_SD) ** 2


def _log_likelihood(theta: float, items: Sequence[Item], responses: Sequence[bool]) -> float:
    total = 0.0
    for item, correct in zip(items, responses, strict=True):
        p = probability_correct(theta, item)
        total += math.log(max(p if correct else 1.0 - p, 1e-300))
    return total


def eap_estimate(items: Sequence[Item], responses: Sequence[bool]) -> tuple[float, float]:
    """(θ, SE): the posterior mean and standard deviation of ability on the quadrature grid."""
    logs = [_log_prior(t) + _log_likelihood(t, items, responses) for t in GRID]
    peak = max(logs)
    weights = [math.exp(v - peak) for v in logs]
    total = sum(weights)
    mean = sum(w * t for w, t in zip(weights, GRID, strict=True)) / total
    variance = sum(w * (t - mean) ** 2 for w, t in zip(weights, GRID, strict=True)) / total
    return mean, math.sqrt(variance)


@dataclass
class PlacementSession:
    """One learner's placement test: the items answered so far, the answers, and the current estimate."""

    items: list[Item] = field(default_factory=list)
    responses: list[bool] = field(default_factory=list)
    theta: float = PRIOR_MEAN
    se: float = PRIOR_SD

    def next_item(self, bank: Iterable[Item], exclude: Collection[str] = (), randomesque: int = 1,
                  rng: random.Random | None = None) -> Item | None:
        """The unused bank item most informative at the current θ; with `randomesque` > 1, one drawn at
        random among that many most informative items. None when the bank is used up."""
        used = {item.id for item in self.items} | set(exclude)
        candidates = [item for item in bank if item.id not in used]
        if not candidates:
            return None
        candidates.sort(key=lambda item: (-information(self.theta, item), item.id))
        top = candidates[: max(1, randomesque)]
        return top[0] if len(top) == 1 else (rng or random.Random()).choice(top)

    def answer(self, item: Item, correct: bool) -> None:
        """Record an answer and re-estimate θ and its SE."""
        if any(seen.id == item.id for seen in self.items):
            raise ValueError(f"item {item.id!r} was already answered")
        self.items.append(item)
        self.responses.append(correct)
        self.theta, self.se = eap_estimate(self.items, self.responses)

    def stop_reason(self, se_target: float = SE_TARGET, max_items: int = MAX_ITEMS,
                    min_items: int = MIN_ITEMS) -> StopReason | None:
        """Why the test is over ("se": precise enough, "limit": item limit reached), or None to go on."""
        count = len(self.items)
        if count >= max_items:
            return "limit"
        if count >= min_items and self.se <= se_target:
            return "se"
        return None

    def finished(self, se_target: float = SE_TARGET, max_items: int = MAX_ITEMS, min_items: int = MIN_ITEMS) -> bool:
        """True once the SE is at most `se_target` (after `min_items`) or `max_items` were answered."""
        return self.stop_reason(se_target, max_items, min_items) is not None

    def to_dict(self) -> dict[str, Any]:
        return {"items": [item.to_dict() for item in self.items], "responses": list(self.responses),
                "theta": self.theta, "se": self.se}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PlacementSession":
        items = [Item.from_dict(item) for item in data.get("items", [])]
        responses = [bool(r) for r in data.get("responses", [])]
        if len(items) != len(responses):
            raise ValueError("a placement session needs one response per item")
        return cls(items, responses, float(data.get("theta", PRIOR_MEAN)), float(data.get("se", PRIOR_SD)))


def administer(bank: Sequence[Item], respond: Callable[[Item], bool], se_target: float = SE_TARGET,
               max_items: int = MAX_ITEMS, min_items: int = MIN_ITEMS, randomesque: int = 1,
               rng: random.Random | None = None) -> PlacementSession:
    """Run a whole test offline: ask `respond` each chosen item until a stopping rule or the bank runs out."""
    session = PlacementSession()
    while not session.finished(se_target, max_items, min_items):
        item = session.next_item(bank, randomesque=randomesque, rng=rng)
        if item is None:
            break
        session.answer(item, respond(item))
    return session


def level(theta: float) -> Level:
    """The starting level for an ability estimate (cut points BEGINNER_BELOW and ADVANCED_FROM)."""
    if theta < BEGINNER_BELOW:
        return "beginner"
    return "advanced" if theta >= ADVANCED_FROM else "intermediate"


def mastery_seed(theta: float, items: Iterable[Item]) -> dict[str, float]:
    """Per skill, the mean probability of answering that skill's items right at θ: a prior mastery
    for knowledge tracing. Skills without items are absent."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for item in items:
        p = probability_correct(theta, item)
        for skill in item.skills:
            sums[skill] = sums.get(skill, 0.0) + p
            counts[skill] = counts.get(skill, 0) + 1
    return {skill: sums[skill] / counts[skill] for skill in sums}
