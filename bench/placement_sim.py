"""Placement test simulation: simulated learners with known abilities over a simulated 2PL item bank.

Learners have θ ~ N(0, 1); the bank has `--items` items with a ~ U(0.8, 2.0) and b ~ N(0, 1.2). Each learner
takes the adaptive test (recommenders.placement.administer) answering each item right with its true 2PL
probability. Prints the mean absolute and RMS ability error, the items used, and how tests stopped.
Issue target: mean absolute error ≤ 0.3 logits with ≤ 15 items on average. Not a test: run it by hand.
"""

import argparse
import math
import random
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from recommenders.placement import (  # noqa: E402
    MAX_ITEMS,
    MIN_ITEMS,
    SE_TARGET,
    Item,
    administer,
    level,
    probability_correct,
)


def simulated_bank(rng: random.Random, size: int) -> list[Item]:
    return [Item(f"item-{i}", rng.uniform(0.8, 2.0), rng.gauss(0.0, 1.2), (f"skill-{i % 10}",))
            for i in range(size)]


def simulated_learner(true_theta: float, rng: random.Random) -> Callable[[Item], bool]:
    """Answers right with the item's true 2PL probability at `true_theta`."""
    return lambda item: rng.random() < probability_correct(true_theta, item)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--se-target", type=float, default=SE_TARGET)
    parser.add_argument("--max-items", type=int, default=MAX_ITEMS)
    parser.add_argument("--min-items", type=int, default=MIN_ITEMS)
    parser.add_argument("--randomesque", type=int, default=1, help="choose among this many most informative items")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    bank = simulated_bank(rng, args.items)
    errors: list[float] = []
    used: list[int] = []
    stopped_by_se = 0
    levels_right = 0
    exposure: dict[str, int] = {}
    for _ in range(args.learners):
        true_theta = rng.gauss(0.0, 1.0)
        respond = simulated_learner(true_theta, rng)
        session = administer(bank, respond, args.se_target, args.max_items, args.min_items, args.randomesque, rng)
        errors.append(session.theta - true_theta)
        used.append(len(session.items))
        stopped_by_se += session.stop_reason(args.se_target, args.max_items, args.min_items) == "se"
        levels_right += level(session.theta) == level(true_theta)
        for item in session.items:
            exposure[item.id] = exposure.get(item.id, 0) + 1

    n = args.learners
    print(f"learners={n} bank={args.items} seed={args.seed} se_target={args.se_target} "
          f"max_items={args.max_items} min_items={args.min_items} randomesque={args.randomesque}")
    print(f"mean absolute error   {statistics.fmean(abs(e) for e in errors):.3f} logits")
    print(f"RMSE                  {math.sqrt(statistics.fmean(e * e for e in errors)):.3f} logits")
    print(f"bias (mean error)     {statistics.fmean(errors):+.3f} logits")
    print(f"items used            mean {statistics.fmean(used):.2f}  median {statistics.median(used):.0f}  "
          f"max {max(used)}")
    print(f"stopped by SE         {stopped_by_se / n:.1%}   by item limit {1 - stopped_by_se / n:.1%}")
    print(f"level agrees w/ truth {levels_right / n:.1%}")
    print(f"items ever used       {len(exposure)} of {args.items}; max exposure {max(exposure.values()) / n:.1%}")


if __name__ == "__main__":
    main()
