"""The learner-level test of an interleaving experiment: does the learners' credit favour ranker B over ranker A?

Pure numpy/scipy, no I/O, the conventions of resolvers/experiments/statistics.py: nothing degenerate raises and no
NaN comes out (an unknown interval is `(-inf, inf)`, an unknown p-value 1.0, never significant); invalid arguments
(arrays of different lengths or not 1-D, negative or non-finite credit, alpha outside (0, 1), a mixture scale that
is not positive and finite) raise `ValueError`.

Each learner with any credit (credit_a + credit_b > 0; credit is clicks, or clicks and enrolments, on the items
each team contributed to the merged lists, recommenders/interleaving.py) gives one score s = (credit_b - credit_a)
/ (credit_a + credit_b) in [-1, 1]; the preference is the mean of s over those learners. A heavy user is one
bounded observation, not a thousand. Under no preference (the same ranker twice, or two equally good ones), team
draft makes each credit equally likely to go to either team, so E[s] = 0.

The p-value is the always-valid one of the normal-mixture SPRT (Johari, Pekelis, Walsh, "Always valid inference",
2022), the formula `statistics.compare` uses (copied: its helper is private), on the mean score with V = var(s) / n
(sample variance, ddof=1) and mixture variance tau^2 = `mixture_sd`^2:

    Lambda = sqrt(V / (V + tau^2)) * exp(tau^2 * score^2 / (2 V (V + tau^2))),    p = min(1, 1 / Lambda)

so `significant` may be read every day (the always-valid p-value proper is the running minimum over looks).

The default `mixture_sd` is DEFAULT_MIXTURE_SD = 0.1 / 2.1 ~= 0.048, the score when B's items earn 10% more credit
than A's (credit shares 1.1 : 1): the mixture is centred on the same 10% relative effects as the A/B test's default
(statistics.DEFAULT_RELATIVE_EFFECT). Any fixed scale keeps the guarantee; the scale only moves power. For an
estimate m of variance V, Lambda is largest at tau^2 = m^2 - V, so a scale near the effects to be found is the most
powerful, and scores live in [-1, 1] with per-learner sd <= 1, so no rescaling by the data is needed. In
bench/interleaving.py (bench/README.md, "Interleaving") a +10% A/B click-through lift shows as a score of +0.059;
there tau 0.048 and 0.1 gave the same power, 0.2 and 0.024 less, and A/A false positives with daily peeking
stayed at 1.0-1.6% over 500 runs.
"""

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from resolvers.experiments.statistics import DEFAULT_RELATIVE_EFFECT

DEFAULT_MIXTURE_SD = DEFAULT_RELATIVE_EFFECT / (2 + DEFAULT_RELATIVE_EFFECT)
"""The score of a 10% relative credit advantage: (1.1 - 1) / (1.1 + 1)."""

_CONFIDENCE = 0.95
_NO_VARIATION = 1e-9
"""Scores whose standard deviation is below this are all the same up to rounding: their variance is unknown."""


@dataclass(frozen=True)
class Preference:
    """Learners' preference between ranker A (control) and B: counts, the mean score, its 95% CI, a sequential p."""

    learners: int
    wins_a: int
    wins_b: int
    ties: int
    score: float
    interval: tuple[float, float]
    p_value: float
    significant: bool


def preference(
    credit_a: ArrayLike, credit_b: ArrayLike, alpha: float = 0.05, mixture_sd: float | None = None
) -> Preference:
    """The per-learner preference test of an interleaving experiment; one entry per learner in each credit array.

    `score` is the mean per-learner score (> 0: B preferred, 0.0 with no learner credited), `interval` its 95%
    normal interval, `p_value` the always-valid mSPRT p-value (see the module docstring), `significant` p < alpha.
    """
    a, b = _credits(credit_a, credit_b)
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    if mixture_sd is not None and not 0 < mixture_sd < math.inf:
        raise ValueError("mixture_sd must be positive and finite")
    total = a + b
    credited = total > 0
    scores = (b[credited] - a[credited]) / total[credited]
    learners = int(scores.size)
    score = float(scores.mean()) if learners else 0.0
    variance = _mean_variance(scores)
    half_width = float(stats.norm.ppf(0.5 + _CONFIDENCE / 2)) * math.sqrt(variance)
    interval = (score - half_width, score + half_width) if math.isfinite(half_width) else (-math.inf, math.inf)
    tau = DEFAULT_MIXTURE_SD if mixture_sd is None else mixture_sd
    p_value = _always_valid_p(score, variance, tau**2)
    return Preference(
        learners=learners,
        wins_a=int(np.count_nonzero(scores < 0)),
        wins_b=int(np.count_nonzero(scores > 0)),
        ties=int(np.count_nonzero(scores == 0)),
        score=score,
        interval=interval,
        p_value=p_value,
        significant=p_value < alpha,
    )


def _credits(credit_a: ArrayLike, credit_b: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Both credit arrays as float arrays, checked: 1-D, the same length, finite and not negative."""
    a = np.asarray(credit_a, dtype=np.float64)
    b = np.asarray(credit_b, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError("credit_a and credit_b must be 1-D arrays of the same length")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("credits must be finite")
    if np.any(a < 0) or np.any(b < 0):
        raise ValueError("credits must not be negative")
    return a, b


def _mean_variance(scores: NDArray[np.float64]) -> float:
    """var(scores, ddof=1) / n: the variance of the mean score; `math.inf` with < 2 scores or no variation."""
    if scores.size < 2:
        return math.inf
    variance = float(scores.var(ddof=1))
    if not variance > _NO_VARIATION**2:
        return math.inf
    return variance / scores.size


def _always_valid_p(mean: float, variance: float, tau2: float) -> float:
    """min(1, 1 / Lambda) of the normal-mixture SPRT, in logs; 1.0 when the variance is unknown.

    The formula of statistics._always_valid_p (private there, so copied here)."""
    if not (0 < variance < math.inf and tau2 > 0):
        return 1.0
    log_lambda = 0.5 * math.log(variance / (variance + tau2)) + tau2 * mean**2 / (2 * variance * (variance + tau2))
    return math.exp(-log_lambda) if log_lambda > 0 else 1.0
