"""Simulation of the experiment statistics: false positives under daily peeking, power and lift-interval coverage.

Synthetic learners, no API (bench/experiments.py will drive the real API). Each arm has N learners arriving
uniformly over `--days` days (28). A learner has a daily impression intensity lambda ~ lognormal (mean 0.5 a
day, sigma 1: a few learners see many times more than most) and a click propensity p ~ Beta(k * ctr, k * (1-ctr))
around the baseline CTR (0.1, concentration k = 20: learners differ). On its arrival day a learner gets
1 + Poisson(lambda) impressions, then Poisson(lambda) a day; each impression is clicked with probability p
(treatment: p * (1 + lift), capped at 1, so the true relative lift of the click-through rate is `--lift`).
Every day the report is computed from scratch with `resolvers.experiments.statistics.compare` over the
learners seen so far (peeking), as a partner reading it daily would.

The sample size is the one `required_learners` recommends for the baseline and lift, with the effective
impressions per learner taken from a pilot (one control arm of 50,000 learners, `Sample.effective_denominator`),
as a report would take it from the control so far. Then, for each multiple of it in `--scales`:
  A/A: share of runs declared significant at any daily look (target <= 5%), with its 95% binomial interval;
       for comparison the share whose fixed-horizon 95% interval excluded 0 on some day (naive peeking);
  A/B: share detected at any daily look (power, target >= 80%), the share the fixed-horizon interval detects
       on the last day only, the share whose last-day 95% lift interval covers the true lift, median day found.
Seeded and reproducible. Not a test: run it by hand.
"""

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import stats

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from resolvers.experiments.statistics import Sample, compare, required_learners  # noqa: E402

DAILY_IMPRESSIONS, IMPRESSIONS_SIGMA = 0.5, 1.0
CONCENTRATION = 20.0
PILOT_LEARNERS = 50_000
BATCH = 50


@dataclass(frozen=True)
class Population:
    """Per-learner hidden truths of a batch of runs: arrival day, impression intensity, click propensity."""

    arrival: NDArray[np.int64]
    intensity: NDArray[np.float64]
    propensity: NDArray[np.float64]


@dataclass
class Tally:
    """Outcomes counted over runs of one kind at one size."""

    runs: int = 0
    sequential: int = 0
    fixed_any_day: int = 0
    fixed_last_day: int = 0
    covered: int = 0
    detection_days: list[int] | None = None


def population(rng: np.random.Generator, shape: tuple[int, int], ctr: float, lift: float, days: int) -> Population:
    mu = np.log(DAILY_IMPRESSIONS) - IMPRESSIONS_SIGMA**2 / 2
    propensity = rng.beta(CONCENTRATION * ctr, CONCENTRATION * (1 - ctr), size=shape)
    return Population(
        arrival=rng.integers(0, days, size=shape),
        intensity=rng.lognormal(mu, IMPRESSIONS_SIGMA, size=shape),
        propensity=np.minimum(1.0, propensity * (1 + lift)),
    )


def daily_totals(rng: np.random.Generator, learners: Population, days: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cumulative (clicks, impressions) per learner at the end of each day."""
    clicks = np.zeros(learners.arrival.shape)
    impressions = np.zeros(learners.arrival.shape)
    totals = []
    for day in range(days):
        today = rng.poisson(learners.intensity) * (learners.arrival <= day) + (learners.arrival == day)
        clicks += rng.binomial(today, learners.propensity)
        impressions += today
        totals.append((clicks.copy(), impressions.copy()))
    return totals


def effective_impressions(rng: np.random.Generator, ctr: float, days: int) -> tuple[float, float]:
    """A pilot control arm: (effective impressions per learner, mean impressions per learner) at the last day."""
    pilot = population(rng, (1, PILOT_LEARNERS), ctr, 0.0, days)
    clicks, impressions = daily_totals(rng, pilot, days)[-1]
    sample = Sample(clicks[0], impressions[0])
    return sample.effective_denominator, float(impressions.mean())


def simulate(rng: np.random.Generator, runs: int, learners: int, ctr: float, lift: float, days: int) -> Tally:
    tally = Tally(detection_days=[])
    for start in range(0, runs, BATCH):
        batch = min(BATCH, runs - start)
        control = daily_totals(rng, population(rng, (batch, learners), ctr, 0.0, days), days)
        treated = daily_totals(rng, population(rng, (batch, learners), ctr, lift, days), days)
        for run in range(batch):
            _one_run(tally, control, treated, run, lift)
    return tally


def _one_run(
    tally: Tally,
    control: list[tuple[np.ndarray, np.ndarray]],
    treated: list[tuple[np.ndarray, np.ndarray]],
    run: int,
    lift: float,
) -> None:
    found_day, fixed_any = None, False
    for day, ((c_clicks, c_imps), (t_clicks, t_imps)) in enumerate(zip(control, treated, strict=True)):
        c_seen, t_seen = c_imps[run] > 0, t_imps[run] > 0
        result = compare(
            Sample(c_clicks[run][c_seen], c_imps[run][c_seen]), Sample(t_clicks[run][t_seen], t_imps[run][t_seen])
        )
        if result.significant and found_day is None:
            found_day = day + 1
        fixed_any = fixed_any or result.difference_low > 0 or result.difference_high < 0
    tally.runs += 1
    tally.sequential += found_day is not None
    tally.fixed_any_day += fixed_any
    tally.fixed_last_day += result.difference_low > 0 or result.difference_high < 0
    tally.covered += result.lift_low <= lift <= result.lift_high
    if found_day is not None and tally.detection_days is not None:
        tally.detection_days.append(found_day)


def share(count: int, runs: int) -> str:
    interval = stats.binomtest(count, runs).proportion_ci(confidence_level=0.95)
    return f"{count / runs:6.1%} [{interval.low:.1%}, {interval.high:.1%}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500, help="simulated experiments per row (500)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--ctr", type=float, default=0.1, help="baseline click-through rate (0.1)")
    parser.add_argument("--lift", type=float, default=0.1, help="true relative lift in A/B (0.1)")
    parser.add_argument("--scales", default="1,2.25", help="multiples of the recommended learners to run (1,2.25)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    effective, mean = effective_impressions(rng, args.ctr, args.days)
    recommended = required_learners(args.ctr, args.lift, impressions_per_learner=effective)
    naive = required_learners(args.ctr, args.lift, impressions_per_learner=mean)
    print(f"pilot: {mean:.2f} impressions per learner, worth {effective:.2f} independent ones")
    print(f"required_learners per arm: {recommended:,} (with the mean impressions instead: {naive:,})\n")
    print(
        "| kind | learners/arm | runs | significant at any daily look (mSPRT) | fixed CI, any day "
        "| fixed CI, last day | lift CI covers truth | median day found |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for scale in (float(value) for value in args.scales.split(",")):
        learners = round(recommended * scale)
        for kind, lift in (("A/A", 0.0), ("A/B", args.lift)):
            tally = simulate(rng, args.runs, learners, args.ctr, lift, args.days)
            days = tally.detection_days or []
            median = f"{np.median(days):.0f}" if days else "-"
            print(
                f"| {kind} | {learners:,} ({scale:g}x) | {tally.runs} | {share(tally.sequential, tally.runs)} "
                f"| {share(tally.fixed_any_day, tally.runs)} | {share(tally.fixed_last_day, tally.runs)} "
                f"| {share(tally.covered, tally.runs)} | {median} |",
                flush=True,
            )
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
