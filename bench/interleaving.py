"""Simulation: how many fewer learners team-draft interleaving needs than an A/B test to find the better ranker.

Synthetic learners, no API. A learner u has a factor vector (8 dimensions) and a click bias; course i has a
factor vector; the learner's affinity for a course is their dot product (variance 1), and the probability that
the learner clicks the course when they look at it is sigmoid(BASE + bias_u + SLOPE * affinity). A ranker shows
its top 10 of the 200-course catalog by affinity + noise (noise fixed per learner, course and ranker, so a ranker
shows a learner the same list every session); ranker A's noise sd is 1.5, ranker B's is calibrated (bisection on
a fixed population, expected click-through computed exactly) so that B's click-through rate in an A/B test is
+10% relative to A's. The achieved lift is then measured on simulated clicks and printed.
Clicks are position-biased: the learner looks at rank r with probability 1 / log2(r + 1) and clicks a course
looked at with its click probability. Learners arrive uniformly over 28 days with 1 + Poisson(lambda) sessions
that day, then Poisson(lambda) a day, lambda lognormal (mean 0.5, sigma 1); every session shows 10 courses.
Results are read every day (peeking) over the learners seen so far:
  A/B: half the learners see A, half B; per learner (clicks, impressions) go to
       `resolvers.experiments.statistics.compare` (delta method, always-valid mSPRT p-value, default mixture);
  interleaving: every learner sees team_draft(A, B) each session (fresh coins per session; the draft is
       vectorised here and checked at start against `recommenders.interleaving.team_draft`); per learner the
       clicks on each team's courses go to `resolvers.experiments.preference.preference`.
A run detects B when on some day the always-valid p < 0.05 with B ahead. Power per total learner count, the
smallest ladder count with power >= 80% (and a log-linear interpolation of the 80% point), their ratio; then A/A
false positives (significant either way on any day) for interleaving at its 80% size: A against A (the same
list twice) and A against A' (a second ranker as good as A, other lists).
Seeded and reproducible. Not a test: run it by hand.
"""

import argparse
import math
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # tiny products: a second BLAS thread only spins (2x the CPU)

import numpy as np
from numpy.typing import NDArray
from scipy import stats

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from recommenders.interleaving import team_draft  # noqa: E402
from resolvers.experiments.preference import preference  # noqa: E402
from resolvers.experiments.statistics import Sample, compare  # noqa: E402

DAYS, K, CATALOG, FACTORS = 28, 10, 200, 8
BASE, SLOPE, BIAS_SD = -3.0, 1.0, 0.5
NOISE_A = 1.5
STOP_POWER = 0.97
AS_GOOD = (NOISE_A, NOISE_A)
DAILY_SESSIONS, SESSIONS_SIGMA = 0.5, 1.0
EXAMINATION = 1 / np.log2(np.arange(2, K + 2))
Ints = NDArray[np.int64]
Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Learners:
    """A batch of learners: per ranker the list it shows each learner and the click probabilities of its courses
    when looked at; sessions per learner and day."""

    lists: tuple[Ints, ...]
    relevance: tuple[Floats, ...]
    sessions: Ints


def top_k(scores: NDArray[np.float32]) -> Ints:
    """Each row's K highest-scoring columns, best first."""
    top = np.argpartition(-scores, K, axis=1)[:, :K]
    order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
    return np.take_along_axis(top, order, axis=1)


def preferences(rng: np.random.Generator, courses: Floats, n: int) -> tuple[NDArray[np.float32], Floats]:
    """`n` learners' hidden truths: their affinity for every course, and their click bias."""
    affinity = (rng.normal(0, FACTORS**-0.25, size=(n, FACTORS)) @ courses.T).astype(np.float32)
    return affinity, rng.normal(0, BIAS_SD, size=(n, 1))


def click_probability(affinity: NDArray[np.float32], bias: Floats, shown: Ints) -> Floats:
    """The probability that each learner clicks each course shown to them when they look at it."""
    return 1 / (1 + np.exp(-(BASE + bias + SLOPE * np.take_along_axis(affinity, shown, axis=1))))


def ranked(rng: np.random.Generator, affinity: NDArray[np.float32], noise: float) -> Ints:
    """A ranker's lists: the top K by affinity plus noise of sd `noise` (fixed per learner and course)."""
    return top_k(affinity + np.float32(noise) * rng.standard_normal(affinity.shape, dtype=np.float32))


def learners(rng: np.random.Generator, courses: Floats, n: int, noises: tuple[float, ...]) -> Learners:
    """`n` fresh learners and the lists of one ranker per noise sd in `noises`."""
    affinity, bias = preferences(rng, courses, n)
    lists = tuple(ranked(rng, affinity, noise) for noise in noises)
    arrival = rng.integers(0, DAYS, size=(n, 1))
    intensity = rng.lognormal(math.log(DAILY_SESSIONS) - SESSIONS_SIGMA**2 / 2, SESSIONS_SIGMA, size=(n, 1))
    day = np.arange(DAYS)
    sessions = rng.poisson(intensity, size=(n, DAYS)) * (day >= arrival) + (day == arrival)
    return Learners(lists, tuple(click_probability(affinity, bias, shown) for shown in lists), sessions)


def session_cells(sessions: Ints) -> Ints:
    """One entry per session: its (learner * DAYS + day) cell."""
    return np.repeat(np.arange(sessions.size), sessions.ravel())


def daily_totals(cells: Ints, values: Floats, n: int) -> Floats:
    """Per-session values summed per learner and day, cumulated over days: an n x DAYS array."""
    return np.bincount(cells, weights=values, minlength=n * DAYS).reshape(n, DAYS).cumsum(axis=1)


def ab_totals(rng: np.random.Generator, relevance: Floats, sessions: Ints) -> tuple[Floats, Floats]:
    """Cumulative (clicks, impressions) per learner and day for learners shown lists with this `relevance`."""
    cells = session_cells(sessions)
    clicks = (rng.random((cells.size, K)) < EXAMINATION * relevance[cells // DAYS]).sum(axis=1)
    return daily_totals(cells, clicks.astype(np.float64), len(sessions)), K * sessions.cumsum(axis=1).astype(float)


def ab_run(rng: np.random.Generator, courses: Floats, n: int, noise_b: float) -> int:
    """One A/B experiment with `n` learners in all: +1 when B is found better at some daily look, -1 A, else 0."""
    control, treated = learners(rng, courses, n // 2, (NOISE_A,)), learners(rng, courses, n - n // 2, (noise_b,))
    c_clicks, c_shown = ab_totals(rng, control.relevance[0], control.sessions)
    t_clicks, t_shown = ab_totals(rng, treated.relevance[0], treated.sessions)
    for day in range(DAYS):
        c_seen, t_seen = c_shown[:, day] > 0, t_shown[:, day] > 0
        result = compare(Sample(c_clicks[c_seen, day], c_shown[c_seen, day]),
                         Sample(t_clicks[t_seen, day], t_shown[t_seen, day]))
        if result.significant:
            return 1 if result.treatment_rate > result.control_rate else -1
    return 0


def draft(list_a: Ints, list_b: Ints, a_first: NDArray[np.bool_]) -> tuple[NDArray[np.bool_], Ints]:
    """Team draft of K items for every row (lists of K distinct items, so no team runs out): per position whether
    team B picked it, and the position of the item in its team's list. `a_first[:, r]`: A picks first in round r."""
    rows = np.arange(len(list_a))
    taken_a, taken_b = np.zeros(list_a.shape, bool), np.zeros(list_b.shape, bool)
    team_b, position = np.zeros(list_a.shape, bool), np.zeros(list_a.shape, np.int64)
    for step in range(K):
        by_b = ~a_first[:, step // 2] if step % 2 == 0 else ~team_b[:, step - 1]
        next_a, next_b = np.argmax(~taken_a, axis=1), np.argmax(~taken_b, axis=1)
        item = np.where(by_b, list_b[rows, next_b], list_a[rows, next_a])
        taken_a |= list_a == item[:, None]
        taken_b |= list_b == item[:, None]
        team_b[:, step], position[:, step] = by_b, np.where(by_b, next_b, next_a)
    return team_b, position


def check_draft(rng: np.random.Generator, sessions: int = 2_000) -> None:
    """Stops the run unless `draft` picks exactly what `team_draft` picks under the same seeds."""
    pool = np.argsort(rng.random((sessions, 2, 3 * K)), axis=2)[:, :, :K]  # heavy overlap between the two lists
    coins = np.array([_coins(seed) for seed in range(sessions)])
    team_b, position = draft(pool[:, 0], pool[:, 1], coins)
    for row in range(sessions):
        a, b = (list(map(str, pool[row, side])) for side in (0, 1))
        mine = [(b if on_b else a)[at] for on_b, at in zip(team_b[row], position[row], strict=True)]
        expected = team_draft(a, b, K, row)
        if mine != [d.item_id for d in expected] or list(team_b[row]) != [d.team == 1 for d in expected]:
            raise SystemExit(f"vectorised draft differs from team_draft for seed {row}")


def _coins(seed: int) -> list[bool]:
    """Whether A picks first in each round, as team_draft draws it from `seed`."""
    coin = random.Random(seed)
    return [coin.random() < 0.5 for _ in range(K // 2)]


def interleaved_credits(rng: np.random.Generator, group: Learners) -> tuple[Floats, Floats]:
    """Cumulative (credit A, credit B) per learner and day: clicks on each team's courses of the merged lists.
    Ranker A shows `group.lists[0]`, B the last list (A's again when the group has one list: A against A)."""
    cells = session_cells(group.sessions)
    learner = cells // DAYS
    list_a, list_b = group.lists[0][learner], group.lists[-1][learner]
    team_b, position = draft(list_a, list_b, rng.random((cells.size, K // 2)) < 0.5)
    relevance = np.where(team_b, np.take_along_axis(group.relevance[-1][learner], position, axis=1),
                         np.take_along_axis(group.relevance[0][learner], position, axis=1))
    clicks = rng.random(relevance.shape) < EXAMINATION * relevance
    n = len(group.sessions)
    credit_a = daily_totals(cells, (clicks & ~team_b).sum(axis=1).astype(np.float64), n)
    return credit_a, daily_totals(cells, (clicks & team_b).sum(axis=1).astype(np.float64), n)


def interleaving_run(rng: np.random.Generator, courses: Floats, n: int, noises: tuple[float, ...],
                     mixture_sd: float | None = None) -> int:
    """One interleaving experiment with `n` learners, rankers A and B of these noise sds (one: A against itself):
    +1 when B is found better at some daily look, -1 when A is, else 0."""
    credit_a, credit_b = interleaved_credits(rng, learners(rng, courses, n, noises))
    for day in range(DAYS):
        result = preference(credit_a[:, day], credit_b[:, day], mixture_sd=mixture_sd)
        if result.significant:
            return 1 if result.score > 0 else -1
    return 0


def expected_ctr(affinity: NDArray[np.float32], bias: Floats, shown: Ints) -> float:
    """The click-through rate a ranker showing these lists gets in expectation: learners weigh alike, since how
    often a learner comes is independent of what they like."""
    return float((EXAMINATION * click_probability(affinity, bias, shown)).mean())


def calibrate(rng: np.random.Generator, courses: Floats, lift: float, population: int) -> float:
    """Ranker B's noise sd that gives it `lift` over A's expected click-through rate on one fixed population."""
    affinity, bias = preferences(rng, courses, population)
    ctr_a = expected_ctr(affinity, bias, ranked(rng, affinity, NOISE_A))
    noise = rng.standard_normal(affinity.shape, dtype=np.float32)

    def achieved(noise_b: float) -> float:
        return expected_ctr(affinity, bias, top_k(affinity + np.float32(noise_b) * noise)) / ctr_a - 1

    low, high = 0.0, NOISE_A
    if achieved(low) < lift:
        raise SystemExit(f"even a perfect ranker B lifts the click-through rate by only {achieved(low):.1%}")
    for _ in range(20):
        middle = (low + high) / 2
        low, high = (middle, high) if achieved(middle) > lift else (low, middle)
    return (low + high) / 2


def truth(rng: np.random.Generator, courses: Floats, noise_b: float, n: int) -> str:
    """The A/B lift and the interleaving score on `n` learners per arm (simulated clicks, last day), as text."""
    chunks = [min(20_000, n - start) for start in range(0, n, 20_000)]
    control, treated, credits = [], [], []
    for size in chunks:
        group = learners(rng, courses, size, (NOISE_A,))
        control.append([column[:, -1] for column in ab_totals(rng, group.relevance[0], group.sessions)])
        group = learners(rng, courses, size, (noise_b,))
        treated.append([column[:, -1] for column in ab_totals(rng, group.relevance[0], group.sessions)])
        group = learners(rng, courses, size, (NOISE_A, noise_b))
        credits.append([column[:, -1] for column in interleaved_credits(rng, group)])
    ab = compare(Sample(*np.concatenate(control, axis=1)), Sample(*np.concatenate(treated, axis=1)))
    score = preference(*np.concatenate(credits, axis=1))
    return (f"A/B with {n:,} learners per arm: CTR A {ab.control_rate:.4f}, B {ab.treatment_rate:.4f}, "
            f"lift {ab.lift:+.1%} [{ab.lift_low:+.1%}, {ab.lift_high:+.1%}]\n"
            f"interleaving with {n:,} learners: score {score.score:+.4f} [{score.interval[0]:+.4f}, "
            f"{score.interval[1]:+.4f}], {score.learners:,} credited learners, wins B {score.wins_b:,} / "
            f"A {score.wins_a:,} / ties {score.ties:,}")


def share(count: int, runs: int) -> str:
    interval = stats.binomtest(count, runs).proportion_ci(confidence_level=0.95)
    return f"{count / runs:6.1%} [{interval.low:.1%}, {interval.high:.1%}]"


def power_curve(run: Callable[[int], int], ladder: list[int], runs: int, stop: float) -> dict[int, int]:
    """Runs that found B better, per learner count, up the ladder until the share reaches `stop`."""
    found: dict[int, int] = {}
    for n in ladder:
        found[n] = sum(run(n) == 1 for _ in range(runs))
        if found[n] >= stop * runs:
            break
    return found


def size_for(found: dict[int, int], runs: int, target: float = 0.8) -> tuple[int | None, float | None]:
    """The smallest count with power >= `target`, and the count where log-linear interpolation crosses it."""
    sizes = sorted(found)
    for index, n in enumerate(sizes):
        if found[n] >= target * runs:
            if index == 0:
                return n, float(n)
            below, low = sizes[index - 1], found[sizes[index - 1]] / runs
            fraction = (target - low) / (found[n] / runs - low)
            return n, math.exp(math.log(below) + fraction * (math.log(n) - math.log(below)))
    return None, None


def false_positives(run: Callable[[], int], runs: int) -> str:
    """The share of A/A runs declared significant, either way, at some daily look."""
    return share(sum(run() != 0 for _ in range(runs)), runs)


def report_power(ab: dict[int, int], il: dict[int, int], runs: int) -> int | None:
    """Prints the power table, the 80% sizes and their ratio; returns interleaving's 80% ladder size."""
    print(f"| learners (total) | A/B power ({runs} runs) | interleaving power ({runs} runs) |\n|---|---|---|")
    for n in sorted(set(ab) | set(il)):
        print(f"| {n:,} | {share(ab[n], runs) if n in ab else '-'} | {share(il[n], runs) if n in il else '-'} |")
    (ab_size, ab_smooth), (il_size, il_smooth) = size_for(ab, runs), size_for(il, runs)
    print(f"\n80% power: A/B {ab_size} learners (interpolated {ab_smooth or math.nan:,.0f}), "
          f"interleaving {il_size} (interpolated {il_smooth or math.nan:,.0f})")
    if ab_size and il_size and ab_smooth and il_smooth:
        print(f"ratio A/B / interleaving: {ab_size / il_size:.1f} (ladder), {ab_smooth / il_smooth:.1f} (interpolated)")
    return il_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400, help="simulated experiments per ladder size (400)")
    parser.add_argument("--aa-runs", type=int, default=500, help="A/A interleaving experiments of each kind (500)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lift", type=float, default=0.1, help="B's true relative click-through lift in A/B (0.1)")
    parser.add_argument("--mixture-sd", type=float, help="preference's mixture sd (default: its DEFAULT_MIXTURE_SD)")
    parser.add_argument("--quick", action="store_true", help="40 runs, 100 A/A runs, a coarser ladder: < 1 minute")
    args = parser.parse_args()
    runs, aa_runs, step = (40, 100, 2.0) if args.quick else (args.runs, args.aa_runs, math.sqrt(2))
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    check_draft(rng)
    courses = rng.normal(0, FACTORS**-0.25, size=(CATALOG, FACTORS))
    noise_b = calibrate(rng, courses, args.lift, 5_000 if args.quick else 50_000)
    print(f"ranker noise sd: A {NOISE_A}, B {noise_b:.3f} (calibrated to a +{args.lift:.0%} expected CTR lift)")
    print(truth(rng, courses, noise_b, 20_000 if args.quick else 200_000), "\n")
    ladder = [round(250 * step**i) for i in range(int(math.log(256) / math.log(step)) + 1)]
    ab = power_curve(lambda n: ab_run(rng, courses, n, noise_b), ladder, runs, STOP_POWER)
    il = power_curve(lambda n: interleaving_run(rng, courses, n, (NOISE_A, noise_b), args.mixture_sd), ladder, runs,
                     STOP_POWER)
    size = report_power(ab, il, runs) or ladder[-1]
    print(f"\ninterleaving A/A at {size:,} learners, {aa_runs} runs, significant at any daily look:")
    for name, noises in (("A vs A (the same list)", (NOISE_A,)), ("A vs A' (as good, other lists)", AS_GOOD)):
        run = partial(interleaving_run, rng, courses, size, noises, args.mixture_sd)
        print(f"  {name}: {false_positives(run, aa_runs)}")
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
