"""Experiment statistics: learner-level rates, lift intervals, always-valid p-values, sample-ratio checks, sizes.

Pure numpy/scipy, no I/O. Conventions every function keeps:

- Learner level. A `Sample` holds one number pair per learner (e.g. clicks and impressions). The rate is
  sum(numerators) / sum(denominators), and its variance comes from the delta method over learners, so a
  heavy user adds one (noisy) observation, not a thousand independent ones.
- Nothing degenerate raises and no NaN comes out. Where data cannot say anything (fewer than two learners,
  no impressions, no variation between learners), a variance is `math.inf`, an interval is
  `(-math.inf, math.inf)`, a p-value is 1.0 and nothing is significant. A rate with no impressions is 0.0.
  A GraphQL or JSON layer must map non-finite floats to null: GraphQL's Float cannot carry infinity.
- Invalid arguments (arrays of different lengths, negative or non-finite denominators, alpha outside (0, 1),
  a mixture variance <= 0, shares that do not fit the counts) are caller bugs and raise `ValueError`.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

DEFAULT_RELATIVE_EFFECT = 0.1
"""The default mixture of the sequential test is centred on effects of this relative size (10% of the rate)."""

_CONFIDENCE = 0.95
_NO_VARIATION = 1e-9
"""A difference's standard error below this share of the rates is rounding, not variation: treated as unknown."""


@dataclass(frozen=True, eq=False)
class Sample:
    """One variant's per-learner outcomes: numerators (e.g. clicks) and denominators (e.g. impressions)."""

    numerators: NDArray[np.float64]
    denominators: NDArray[np.float64]

    def __post_init__(self) -> None:
        numerators = np.asarray(self.numerators, dtype=np.float64)
        denominators = np.asarray(self.denominators, dtype=np.float64)
        if numerators.ndim != 1 or numerators.shape != denominators.shape:
            raise ValueError("numerators and denominators must be 1-D arrays of the same length")
        if not (np.all(np.isfinite(numerators)) and np.all(np.isfinite(denominators))):
            raise ValueError("numerators and denominators must be finite")
        if np.any(denominators < 0):
            raise ValueError("denominators must not be negative")
        object.__setattr__(self, "numerators", numerators)
        object.__setattr__(self, "denominators", denominators)

    @property
    def learners(self) -> int:
        """How many learners the sample holds."""
        return int(self.numerators.size)

    @property
    def rate(self) -> float:
        """sum(numerators) / sum(denominators); 0.0 when there are no denominators."""
        total = float(self.denominators.sum())
        return float(self.numerators.sum()) / total if total > 0 else 0.0

    @property
    def rate_variance(self) -> float:
        """Delta-method variance of `rate` over learners; `math.inf` with fewer than two learners or none counted.

        With per-learner residuals e_i = x_i - rate * y_i (they sum to zero), Var(rate) = var(e) / (n * mean(y)^2),
        var with n - 1 degrees of freedom: the first-order Taylor expansion of mean(x) / mean(y).
        """
        mean_denominator = float(self.denominators.mean()) if self.learners else 0.0
        if self.learners < 2 or mean_denominator <= 0:
            return math.inf
        residuals = self.numerators - self.rate * self.denominators
        return float(residuals.var(ddof=1)) / (self.learners * mean_denominator**2)

    @property
    def effective_denominator(self) -> float:
        """How many independent Bernoulli trials one learner is worth: rate(1-rate) / (learners * rate_variance).

        Pass it as `required_learners(impressions_per_learner=...)`: between-learner differences make it smaller
        than the mean number of impressions. 0.0 when unknown (no variance, no learners, a rate outside (0, 1)).
        """
        variance = self.rate_variance
        if not 0 < self.rate < 1 or not 0 < variance < math.inf:
            return 0.0
        return self.rate * (1 - self.rate) / (self.learners * variance)


@dataclass(frozen=True)
class Comparison:
    """Treatment against control: rates, the difference and relative lift with 95% intervals, a sequential p."""

    control_rate: float
    treatment_rate: float
    difference: float
    difference_low: float
    difference_high: float
    lift: float
    lift_low: float
    lift_high: float
    p_value: float
    significant: bool


def compare(
    control: Sample, treatment: Sample, alpha: float = 0.05, mixture_variance: float | None = None
) -> Comparison:
    """Compares two samples: fixed-horizon 95% intervals, and an always-valid p-value (mSPRT, normal mixture).

    The intervals are the usual fixed-horizon ones (normal approximation, delta method); the lift's is the delta
    method on treatment_rate / control_rate. `p_value` is 1 / Lambda of the mixture sequential probability ratio
    test on the current data (Johari, Pekelis, Walsh, "Always valid inference", 2022), with V the variance of
    the difference and tau^2 = `mixture_variance`:

        Lambda = sqrt(V / (V + tau^2)) * exp(tau^2 * difference^2 / (2 V (V + tau^2)))

    Lambda is a martingale under no difference (exactly for normal data of known variance; here the variance is
    estimated at each look), so P(1 / Lambda < alpha at ANY look) <= alpha: a report recomputed from scratch
    every day may be read every day, and `significant` may be acted on the first day it is true.
    The always-valid p-value proper is the running minimum of `p_value` over looks; a caller that
    shows a p-value over time keeps that minimum. The default tau^2 is (DEFAULT_RELATIVE_EFFECT * pooled rate)^2:
    the mixture centred on 10% lifts, close to the best choice at the sample size `required_learners` gives for
    a 10% lift (there tau^2 is about 8 V). The intervals are not always valid: they can exclude zero on a day
    `significant` is still False.
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    if mixture_variance is not None and not 0 < mixture_variance < math.inf:
        raise ValueError("mixture_variance must be positive and finite")
    control_rate, treatment_rate = control.rate, treatment.rate
    if control.denominators.sum() <= 0 or treatment.denominators.sum() <= 0:  # a side not shown yet: nothing known
        return Comparison(control_rate, treatment_rate, math.inf, -math.inf, math.inf, math.inf, -math.inf, math.inf,
                          1.0, False)
    difference = treatment_rate - control_rate
    variance = _known(control.rate_variance + treatment.rate_variance, max(abs(control_rate), abs(treatment_rate)))
    z = float(stats.norm.ppf(0.5 + _CONFIDENCE / 2))
    difference_low, difference_high = _interval(difference, z * math.sqrt(variance))
    lift, lift_error = _lift(control, treatment)
    lift_low, lift_high = _interval(lift, z * lift_error)
    tau2 = mixture_variance if mixture_variance is not None else _default_mixture_variance(control, treatment)
    p_value = _always_valid_p(difference, variance, tau2)
    return Comparison(
        control_rate=control_rate,
        treatment_rate=treatment_rate,
        difference=difference,
        difference_low=difference_low,
        difference_high=difference_high,
        lift=lift,
        lift_low=lift_low,
        lift_high=lift_high,
        p_value=p_value,
        significant=p_value < alpha,
    )


def _interval(centre: float, half_width: float) -> tuple[float, float]:
    """centre -/+ half_width, or (-inf, inf) when either is not finite (never inf - inf = NaN)."""
    if not (math.isfinite(centre) and math.isfinite(half_width)):
        return -math.inf, math.inf
    return centre - half_width, centre + half_width


def _known(variance: float, scale: float) -> float:
    """The variance, or `math.inf` when it is zero or rounding (no variation between learners: unknown)."""
    if not variance > (_NO_VARIATION * max(abs(scale), 1e-300)) ** 2:
        return math.inf
    return variance


def _lift(control: Sample, treatment: Sample) -> tuple[float, float]:
    """treatment_rate / control_rate - 1 and the delta-method standard error of the ratio.

    With no control rate the lift is `math.inf` (0.0 when neither has one) and its standard error unknown.
    """
    control_rate, treatment_rate = control.rate, treatment.rate
    if control_rate == 0:
        return (math.inf if treatment_rate != 0 else 0.0), math.inf
    ratio = treatment_rate / control_rate
    variance = treatment.rate_variance / control_rate**2 + ratio**2 * control.rate_variance / control_rate**2
    return ratio - 1, math.sqrt(_known(variance, ratio))


def _default_mixture_variance(control: Sample, treatment: Sample) -> float:
    """(DEFAULT_RELATIVE_EFFECT * pooled rate)^2; 0.0 when there is no rate at all."""
    denominators = float(control.denominators.sum() + treatment.denominators.sum())
    if denominators <= 0:
        return 0.0
    pooled = float(control.numerators.sum() + treatment.numerators.sum()) / denominators
    return (DEFAULT_RELATIVE_EFFECT * pooled) ** 2


def _always_valid_p(difference: float, variance: float, tau2: float) -> float:
    """min(1, 1 / Lambda) of the normal-mixture SPRT, computed in logs; 1.0 when the variance is unknown."""
    if not (0 < variance < math.inf and tau2 > 0):
        return 1.0
    log_lambda = 0.5 * math.log(variance / (variance + tau2)) + tau2 * difference**2 / (
        2 * variance * (variance + tau2)
    )
    return math.exp(-log_lambda) if log_lambda > 0 else 1.0


@dataclass(frozen=True)
class SampleRatioCheck:
    """Learners per variant against the shares they were meant to get (chi-square goodness of fit)."""

    observed: tuple[int, ...]
    expected_shares: tuple[float, ...]
    p_value: float
    mismatch: bool


def sample_ratio_check(
    observed: Sequence[int], expected_shares: Sequence[float], threshold: float = 0.001
) -> SampleRatioCheck:
    """Flags a sample-ratio mismatch when the chi-square goodness-of-fit p-value is below `threshold`.

    Shares are normalised to sum to 1. Learners in a variant with share 0 are a mismatch (p 0.0); with no
    learners, or a single variant with a share, there is nothing to test (p 1.0).
    """
    counts = tuple(int(count) for count in observed)
    shares = tuple(float(share) for share in expected_shares)
    if len(counts) != len(shares) or any(count < 0 for count in counts):
        raise ValueError("observed must be non-negative counts, one per expected share")
    if any(not 0 <= share < math.inf for share in shares) or sum(shares) <= 0:
        raise ValueError("expected shares must be non-negative, finite and not all zero")
    p_value = _goodness_of_fit(counts, shares)
    return SampleRatioCheck(counts, shares, p_value, p_value < threshold)


def _goodness_of_fit(counts: tuple[int, ...], shares: tuple[float, ...]) -> float:
    if any(count > 0 and share == 0 for count, share in zip(counts, shares, strict=True)):
        return 0.0
    kept = [(count, share) for count, share in zip(counts, shares, strict=True) if share > 0]
    total = sum(count for count, _ in kept)
    if total == 0 or len(kept) < 2:
        return 1.0
    share_sum = sum(share for _, share in kept)
    expected = [total * share / share_sum for _, share in kept]
    result: Any = stats.chisquare([count for count, _ in kept], f_exp=expected)
    return float(result.pvalue)


def required_learners(
    baseline_rate: float,
    relative_lift: float,
    alpha: float = 0.05,
    power: float = 0.8,
    impressions_per_learner: float = 1.0,
) -> int:
    """Learners per variant for a fixed-horizon two-sided test to detect `relative_lift` with `power`.

    The two-proportion normal approximation (unpooled): n = (z_{1-alpha/2} + z_power)^2 (p1(1-p1) + p2(1-p2))
    / (m (p2 - p1)^2), with p2 = baseline_rate * (1 + relative_lift) and m = `impressions_per_learner`. It treats
    a learner's impressions as independent trials; learners differ, so pass the effective number
    (`Sample.effective_denominator` of a pilot or of the control so far), not the mean. The sequential p-value of
    `compare` needs about 2.25 times as many learners for the same power (bench/experiment_statistics.py).
    """
    treated_rate = baseline_rate * (1 + relative_lift)
    if not 0 < baseline_rate < 1 or relative_lift == 0 or not 0 < treated_rate <= 1:
        raise ValueError("baseline_rate must be in (0, 1), relative_lift non-zero and the treated rate <= 1")
    if not 0 < alpha < 1 or not 0 < power < 1 or not impressions_per_learner > 0:
        raise ValueError("alpha and power must be in (0, 1) and impressions_per_learner positive")
    z_sum = float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power))
    variance = baseline_rate * (1 - baseline_rate) + treated_rate * (1 - treated_rate)
    learners = z_sum**2 * variance / (impressions_per_learner * (treated_rate - baseline_rate) ** 2)
    return math.ceil(learners)
