"""Spaced repetition simulation: FSRS review queue vs fixed intervals on learners with a known forgetting curve.

True memory model (known to the simulation, not to the scheduler). Each learner × item has a true stability S
(days) and true recall R(t) = exp(-t / S), t = days since the item was last seen. Initial S ~ lognormal
(median 20 days, so recall falls to 0.9 after ~2.1 days; sigma 0.5); a learner × item growth G ~ lognormal
(median 2.5, sigma 0.3). Rule on a review at recall R:
  right: S ← S × (1 + G × min(1, ln R / ln 0.9))  (full gain once recall has fallen to 0.9, less when earlier:
         reviewing too soon helps little)
  wrong: S ← max(1, S × 0.4)  (a lapse; the learner then sees the answer)
Either way the item counts as seen at the review. Answers are right with probability R (no hints or timings,
so FSRS sees Good or Again). Each learner meets `--new-per-day` new items a day (studied, then answered right)
until all items are introduced; every day (at 09:00 UTC) the learner first reviews every item the policy
returns: the FSRS review queue (all due items) or, for the baseline, each item every `--fixed-days` days since
its introduction. Introductions are not counted as reviews.
Reported per policy: reviews whose true recall was still ≥ the target (0.9), mean true recall at review,
reviews per item per month (30 days) of the days items were known, share answered wrong, mean true recall over
all items at the end. Seeded and reproducible. Not a test: run it by hand.
"""

import argparse
import math
import random
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from recommenders.spaced_repetition import ItemMemory, QuizOutcome, SpacedRepetition  # noqa: E402

TARGET = 0.9
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
S0_MEDIAN, S0_SIGMA = 20.0, 0.5
GROWTH_MEDIAN, GROWTH_SIGMA = 2.5, 0.3
LAPSE_FACTOR, S_MIN = 0.4, 1.0


@dataclass
class TrueMemory:
    stability: float
    growth: float
    last_seen: float = 0.0  # day

    def recall(self, day: float) -> float:
        return math.exp(-(day - self.last_seen) / self.stability)

    def answer(self, day: float, rng: random.Random) -> tuple[bool, float]:
        """Answers at `day`, updates the true stability by the documented rule; returns (right, recall before)."""
        recall = self.recall(day)
        right = rng.random() < recall
        if right:
            self.stability *= 1 + self.growth * min(1.0, math.log(recall) / math.log(TARGET))
        else:
            self.stability = max(S_MIN, self.stability * LAPSE_FACTOR)
        self.last_seen = day
        return right, recall


@dataclass
class Result:
    recalls: list[float] = field(default_factory=list)
    wrong: int = 0
    item_days: float = 0.0
    final_recall: list[float] = field(default_factory=list)

    def add(self, other: "Result") -> None:
        self.recalls += other.recalls
        self.wrong += other.wrong
        self.item_days += other.item_days
        self.final_recall += other.final_recall

    def row(self) -> tuple[int, float, float, float, float, float]:
        n = len(self.recalls)
        on_time = sum(r >= TARGET for r in self.recalls) / n if n else 0.0
        mean = statistics.fmean(self.recalls) if n else 0.0
        return (n, on_time, mean, n / self.item_days * 30, self.wrong / n if n else 0.0,
                statistics.fmean(self.final_recall))


def true_memories(rng: random.Random, items: int) -> list[TrueMemory]:
    return [TrueMemory(rng.lognormvariate(math.log(S0_MEDIAN), S0_SIGMA),
                       rng.lognormvariate(math.log(GROWTH_MEDIAN), GROWTH_SIGMA)) for _ in range(items)]


def intro_day(item: int, new_per_day: int) -> int:
    return item // new_per_day


# A policy reviews one learner's items for `days` days; it returns the recall (and outcome) of every review.
Policy = Callable[[list[TrueMemory], int, int, random.Random], Result]


def fsrs_policy(retention: float) -> Policy:
    def run(truth: list[TrueMemory], days: int, new_per_day: int, rng: random.Random) -> Result:
        srs, result = SpacedRepetition(retention), Result()
        memories: dict[int, ItemMemory] = {}
        for day in range(days):
            now = START + timedelta(days=day)
            for memory, _ in srs.review_queue(memories.values(), now, len(memories)):
                item = int(memory.item_id)
                right, recall = truth[item].answer(day, rng)
                result.recalls.append(recall)
                result.wrong += not right
                memories[item] = srs.review(memory, QuizOutcome(correct=right), now)
            for item in (i for i in range(len(truth)) if intro_day(i, new_per_day) == day):
                truth[item].last_seen = day
                memories[item] = srs.review(srs.new(str(item), now), QuizOutcome(correct=True), now)
        return result
    return run


def fixed_policy(interval_days: int) -> Policy:
    def run(truth: list[TrueMemory], days: int, new_per_day: int, rng: random.Random) -> Result:
        result = Result()
        for day in range(days):
            for item, memory in enumerate(truth):
                since = day - intro_day(item, new_per_day)
                if since > 0 and since % interval_days == 0:
                    right, recall = memory.answer(day, rng)
                    result.recalls.append(recall)
                    result.wrong += not right
                elif since == 0:
                    memory.last_seen = day
        return result
    return run


def simulate(policy: Policy, learners: int, items: int, days: int, new_per_day: int, seed: int) -> Result:
    """Runs `policy` for every learner; learners' true parameters depend only on the seed, not on the policy."""
    params_rng, answers_rng, total = random.Random(seed), random.Random(seed + 1), Result()
    for _ in range(learners):
        truth = true_memories(params_rng, items)
        result = policy(truth, days, new_per_day, answers_rng)
        result.item_days = sum(days - intro_day(i, new_per_day) for i in range(items))
        result.final_recall = [memory.recall(days) for memory in truth]
        total.add(result)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--new-per-day", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--retention", type=float, nargs="+", default=[0.9, 0.95], help="FSRS desired retention")
    parser.add_argument("--fixed-days", type=int, nargs="+", default=[7, 3], help="baseline intervals (days)")
    args = parser.parse_args()

    policies = [(f"FSRS queue, retention {r:.2f}", fsrs_policy(r)) for r in args.retention]
    policies += [(f"fixed every {d} days", fixed_policy(d)) for d in args.fixed_days]
    print(f"learners={args.learners} items={args.items} days={args.days} new/day={args.new_per_day} "
          f"seed={args.seed} target={TARGET}")
    print(f"{'policy':<28} {'reviews':>8} {'R≥0.9 at review':>16} {'mean R':>7} {'rev/item/mo':>12} "
          f"{'wrong':>6} {'R at end':>9}")
    for name, policy in policies:
        n, on_time, mean, per_month, wrong, final = simulate(
            policy, args.learners, args.items, args.days, args.new_per_day, args.seed).row()
        print(f"{name:<28} {n:>8} {on_time:>16.1%} {mean:>7.3f} {per_month:>12.2f} {wrong:>6.1%} {final:>9.3f}")


if __name__ == "__main__":
    main()
