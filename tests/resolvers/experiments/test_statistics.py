"""resolvers.experiments.statistics: delta-method rates, lift intervals, mSPRT p-values, SRM, sample sizes."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from resolvers.experiments.statistics import (
    DEFAULT_RELATIVE_EFFECT,
    Comparison,
    Sample,
    compare,
    required_learners,
    sample_ratio_check,
)

Z95 = 1.959963984540054


def _learners(rng: np.random.Generator, count: int, ctr: float, impressions: int = 10) -> Sample:
    """Learners with `impressions` each, clicks binomial at `ctr`."""
    denominators = np.full(count, float(impressions))
    return Sample(rng.binomial(impressions, ctr, size=count).astype(float), denominators)


def _skewed(rng: np.random.Generator, count: int, ctr: float) -> Sample:
    """Learners with lognormal impression counts and Beta-distributed propensities around `ctr`."""
    impressions = 1 + rng.poisson(rng.lognormal(1.5, 1.0, size=count))
    propensity = rng.beta(20 * ctr, 20 * (1 - ctr), size=count)
    return Sample(rng.binomial(impressions, propensity).astype(float), impressions.astype(float))


def _finite_or_infinite(comparison: Comparison) -> bool:
    """True when no field of the comparison is NaN."""
    values = [getattr(comparison, name) for name in comparison.__dataclass_fields__]
    return not any(isinstance(value, float) and math.isnan(value) for value in values)


def test_rate_is_the_ratio_of_sums_and_learners_count_once() -> None:
    sample = Sample(np.array([1.0, 0.0, 9.0]), np.array([2.0, 3.0, 100.0]))
    assert sample.learners == 3
    assert sample.rate == pytest.approx(10 / 105)


def test_rate_variance_is_the_taylor_expansion_of_a_ratio_of_means() -> None:
    x = np.array([1.0, 0.0, 3.0, 2.0, 5.0])
    y = np.array([4.0, 2.0, 10.0, 5.0, 20.0])
    n, mx, my = x.size, x.mean(), y.mean()
    cov = np.cov(x, y, ddof=1)
    by_hand = (cov[0, 0] / my**2 - 2 * mx * cov[0, 1] / my**3 + mx**2 * cov[1, 1] / my**4) / n
    assert Sample(x, y).rate_variance == pytest.approx(by_hand, rel=1e-12)


def test_rate_variance_matches_a_bootstrap_over_learners() -> None:
    rng = np.random.default_rng(20261203)
    sample = _skewed(rng, 2_000, 0.1)
    draws = rng.integers(0, sample.learners, size=(4_000, sample.learners))
    rates = sample.numerators[draws].sum(axis=1) / sample.denominators[draws].sum(axis=1)
    assert sample.rate_variance == pytest.approx(rates.var(ddof=1), rel=0.1)


def test_rate_variance_exceeds_the_binomial_one_when_learners_differ() -> None:
    sample = _skewed(np.random.default_rng(3), 5_000, 0.1)
    binomial = sample.rate * (1 - sample.rate) / sample.denominators.sum()
    assert sample.rate_variance > 1.5 * binomial


def test_effective_denominator_is_the_impressions_when_learners_are_alike() -> None:
    sample = _learners(np.random.default_rng(5), 20_000, 0.1, impressions=8)
    assert sample.effective_denominator == pytest.approx(8, rel=0.05)


def test_effective_denominator_is_smaller_than_the_mean_when_learners_differ() -> None:
    sample = _skewed(np.random.default_rng(6), 20_000, 0.1)
    assert 0 < sample.effective_denominator < 0.8 * sample.denominators.mean()


def test_compare_intervals_are_the_delta_method_by_hand() -> None:
    rng = np.random.default_rng(11)
    control, treatment = _skewed(rng, 3_000, 0.10), _skewed(rng, 3_000, 0.12)
    result = compare(control, treatment)
    vc, vt = control.rate_variance, treatment.rate_variance
    difference = treatment.rate - control.rate
    assert result.difference == pytest.approx(difference)
    assert result.difference_low == pytest.approx(difference - Z95 * math.sqrt(vc + vt))
    assert result.difference_high == pytest.approx(difference + Z95 * math.sqrt(vc + vt))
    ratio = treatment.rate / control.rate
    lift_error = math.sqrt(vt / control.rate**2 + ratio**2 * vc / control.rate**2)
    assert result.lift == pytest.approx(ratio - 1)
    assert result.lift_low == pytest.approx(ratio - 1 - Z95 * lift_error)
    assert result.lift_high == pytest.approx(ratio - 1 + Z95 * lift_error)


def test_p_value_is_one_over_the_mixture_likelihood_ratio() -> None:
    rng = np.random.default_rng(12)
    control, treatment = _skewed(rng, 4_000, 0.10), _skewed(rng, 4_000, 0.115)
    variance = control.rate_variance + treatment.rate_variance
    difference = treatment.rate - control.rate
    for tau2 in (1e-5, 1e-4, 1e-3):
        ratio = math.sqrt(variance / (variance + tau2)) * math.exp(
            tau2 * difference**2 / (2 * variance * (variance + tau2))
        )
        result = compare(control, treatment, mixture_variance=tau2)
        assert result.p_value == pytest.approx(min(1.0, 1 / ratio), rel=1e-9)
        assert result.significant is (result.p_value < 0.05)


def test_default_mixture_is_centred_on_a_ten_percent_lift_of_the_pooled_rate() -> None:
    rng = np.random.default_rng(13)
    control, treatment = _skewed(rng, 4_000, 0.10), _skewed(rng, 4_000, 0.115)
    pooled = (control.numerators.sum() + treatment.numerators.sum()) / (
        control.denominators.sum() + treatment.denominators.sum()
    )
    explicit = compare(control, treatment, mixture_variance=(DEFAULT_RELATIVE_EFFECT * pooled) ** 2)
    assert compare(control, treatment).p_value == explicit.p_value


def test_sequential_p_value_is_stricter_than_a_fixed_horizon_test() -> None:
    rng = np.random.default_rng(14)
    control, treatment = _skewed(rng, 4_000, 0.10), _skewed(rng, 4_000, 0.11)
    result = compare(control, treatment)
    z = result.difference / math.sqrt(control.rate_variance + treatment.rate_variance)
    assert result.p_value > 2 * stats.norm.sf(abs(z))


def test_a_clear_difference_is_significant_and_its_interval_excludes_zero() -> None:
    rng = np.random.default_rng(15)
    result = compare(_learners(rng, 5_000, 0.10), _learners(rng, 5_000, 0.13))
    assert result.significant
    assert result.difference_low > 0
    assert result.lift_low > 0


def test_one_heavy_user_does_not_make_a_difference_significant() -> None:
    rng = np.random.default_rng(1)
    control = _learners(rng, 200, 0.1)
    treatment = _learners(rng, 200, 0.1)
    heavy = Sample(np.append(treatment.numerators, 400.0), np.append(treatment.denominators, 1_000.0))
    assert not compare(control, treatment).significant
    result = compare(control, heavy)
    assert not result.significant
    assert result.difference_low < 0 < result.difference_high
    clicks = (control.numerators.sum(), heavy.numerators.sum())
    impressions = (control.denominators.sum(), heavy.denominators.sum())
    pooled = sum(clicks) / sum(impressions)
    naive_z = (clicks[1] / impressions[1] - clicks[0] / impressions[0]) / math.sqrt(
        pooled * (1 - pooled) * (1 / impressions[0] + 1 / impressions[1])
    )
    assert 2 * stats.norm.sf(naive_z) < 1e-6  # counted by impression, the heavy user would fake significance


def test_daily_peeking_keeps_false_positives_under_alpha() -> None:
    rng = np.random.default_rng(16)
    runs, looks, per_look = 300, 10, 300
    sequential = naive = 0
    for _ in range(runs):
        control, treatment = _learners(rng, per_look * looks, 0.1), _learners(rng, per_look * looks, 0.1)
        results = [
            compare(
                Sample(control.numerators[: per_look * look], control.denominators[: per_look * look]),
                Sample(treatment.numerators[: per_look * look], treatment.denominators[: per_look * look]),
            )
            for look in range(1, looks + 1)
        ]
        sequential += any(result.significant for result in results)
        naive += any(result.difference_low > 0 or result.difference_high < 0 for result in results)
    assert sequential / runs <= 0.05
    assert naive / runs > 0.1  # the fixed-horizon interval read at every look is not safe; the test can tell


@pytest.mark.parametrize(
    ("control", "treatment"),
    [
        (Sample(np.array([]), np.array([])), Sample(np.array([]), np.array([]))),
        (Sample(np.array([1.0]), np.array([5.0])), Sample(np.array([2.0]), np.array([5.0]))),
        (Sample(np.zeros(3), np.zeros(3)), Sample(np.ones(3), np.full(3, 2.0))),
        (Sample(np.zeros(50), np.full(50, 10.0)), Sample(np.zeros(50), np.full(50, 10.0))),
        (Sample(np.zeros(50), np.full(50, 10.0)), Sample(np.ones(50), np.full(50, 10.0))),
        (Sample(np.full(50, 1.0), np.full(50, 10.0)), Sample(np.full(50, 2.0), np.full(50, 10.0))),
    ],
    ids=["no learners", "one learner each", "no impressions", "no clicks", "no control clicks", "no variation"],
)
def test_degenerate_samples_give_an_honest_nothing(control: Sample, treatment: Sample) -> None:
    result = compare(control, treatment)
    assert _finite_or_infinite(result)
    assert result.p_value == 1.0
    assert not result.significant
    assert (result.difference_low, result.difference_high) == (-math.inf, math.inf)
    assert (result.lift_low, result.lift_high) == (-math.inf, math.inf)


def test_undefined_lift_is_infinite_or_zero_never_nan() -> None:
    none = Sample(np.zeros(3), np.full(3, 10.0))
    some = Sample(np.array([1.0, 2.0, 0.0]), np.full(3, 10.0))
    assert compare(none, some).lift == math.inf
    assert compare(none, none).lift == 0.0
    assert Sample(np.array([]), np.array([])).rate_variance == math.inf
    assert Sample(np.array([]), np.array([])).rate == 0.0


@pytest.mark.parametrize(
    ("numerators", "denominators"),
    [([1.0, 2.0], [1.0]), ([1.0], [-1.0]), ([math.nan], [1.0]), ([[1.0]], [[1.0]])],
)
def test_invalid_samples_are_refused(numerators: list[float], denominators: list[float]) -> None:
    with pytest.raises(ValueError):
        Sample(np.array(numerators), np.array(denominators))


@pytest.mark.parametrize(("alpha", "tau2"), [(0.0, None), (1.0, None), (0.05, 0.0), (0.05, -1.0), (0.05, math.inf)])
def test_invalid_compare_arguments_are_refused(alpha: float, tau2: float | None) -> None:
    sample = _learners(np.random.default_rng(2), 10, 0.1)
    with pytest.raises(ValueError):
        compare(sample, sample, alpha=alpha, mixture_variance=tau2)


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=8),
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=8),
)
@settings(max_examples=200, deadline=None)
def test_compare_never_leaks_nan(control_pairs: list[tuple[int, int]], treatment_pairs: list[tuple[int, int]]) -> None:
    def sample(pairs: list[tuple[int, int]]) -> Sample:
        return Sample(np.array([float(x) for x, _ in pairs]), np.array([float(y) for _, y in pairs]))

    result = compare(sample(control_pairs), sample(treatment_pairs))
    assert _finite_or_infinite(result)
    assert 0.0 <= result.p_value <= 1.0
    assert result.difference_low <= result.difference <= result.difference_high
    assert result.lift_low <= result.lift <= result.lift_high or math.isinf(result.lift)


def test_sample_ratio_mismatch_of_52_48_is_flagged_at_100k_not_at_1k() -> None:
    large = sample_ratio_check([52_000, 48_000], [0.5, 0.5])
    small = sample_ratio_check([520, 480], [0.5, 0.5])
    assert large.mismatch and large.p_value < 1e-30
    assert not small.mismatch
    assert small.p_value == pytest.approx(stats.chisquare([520, 480]).pvalue)
    assert small.observed == (520, 480) and small.expected_shares == (0.5, 0.5)


def test_sample_ratio_check_follows_uneven_shares() -> None:
    fits = sample_ratio_check([10_050, 29_950], [1, 3])
    assert not fits.mismatch
    assert fits.p_value == pytest.approx(stats.chisquare([10_050, 29_950], f_exp=[10_000, 30_000]).pvalue)
    assert sample_ratio_check([20_000, 20_000], [0.25, 0.75]).mismatch


def test_sample_ratio_check_of_three_variants() -> None:
    assert not sample_ratio_check([3_340, 3_300, 3_360], [1 / 3] * 3).mismatch
    assert sample_ratio_check([3_700, 3_300, 3_000], [1 / 3] * 3).mismatch


@pytest.mark.parametrize(
    ("observed", "shares", "p_value", "mismatch"),
    [([0, 0], [0.5, 0.5], 1.0, False), ([5, 0], [1.0, 0.0], 1.0, False), ([5, 1], [1.0, 0.0], 0.0, True)],
    ids=["no learners", "one variant with a share", "learners in a variant with no share"],
)
def test_sample_ratio_check_edges(observed: list[int], shares: list[float], p_value: float, mismatch: bool) -> None:
    check = sample_ratio_check(observed, shares)
    assert (check.p_value, check.mismatch) == (p_value, mismatch)


@pytest.mark.parametrize(("observed", "shares"), [([1, 2], [1.0]), ([-1, 2], [0.5, 0.5]), ([1, 2], [0.0, 0.0])])
def test_invalid_sample_ratio_checks_are_refused(observed: list[int], shares: list[float]) -> None:
    with pytest.raises(ValueError):
        sample_ratio_check(observed, shares)


def test_required_learners_is_the_textbook_two_proportion_size() -> None:
    by_hand = (Z95 + stats.norm.ppf(0.8)) ** 2 * (0.1 * 0.9 + 0.11 * 0.89) / 0.01**2
    assert required_learners(0.1, 0.1) == math.ceil(by_hand) == 14_749


def test_required_learners_shrinks_with_impressions_and_grows_with_power() -> None:
    by_hand = (Z95 + stats.norm.ppf(0.8)) ** 2 * (0.1 * 0.9 + 0.11 * 0.89) / 0.01**2
    assert required_learners(0.1, 0.1, impressions_per_learner=4) == math.ceil(by_hand / 4)
    assert required_learners(0.1, 0.1, power=0.9) > required_learners(0.1, 0.1)
    assert required_learners(0.1, 0.1, alpha=0.01) > required_learners(0.1, 0.1)
    assert required_learners(0.1, -0.1) > 0


def test_required_learners_gives_the_power_it_promises() -> None:
    rng = np.random.default_rng(17)
    learners = required_learners(0.2, 0.2, impressions_per_learner=5)
    detected = 0
    for _ in range(400):
        control, treatment = _learners(rng, learners, 0.2, 5), _learners(rng, learners, 0.24, 5)
        z = (treatment.rate - control.rate) / math.sqrt(control.rate_variance + treatment.rate_variance)
        detected += abs(z) > Z95
    assert 0.74 <= detected / 400 <= 0.86


@pytest.mark.parametrize(
    "arguments",
    [(0.0, 0.1), (1.0, 0.1), (0.1, 0.0), (0.6, 1.0), (0.1, 0.1, 0.0), (0.1, 0.1, 0.05, 1.0), (0.1, 0.1, 0.05, 0.8, 0)],
)
def test_invalid_sizes_are_refused(arguments: tuple[float, ...]) -> None:
    with pytest.raises(ValueError):
        required_learners(*arguments)


def test_a_variant_not_shown_yet_has_no_difference_and_no_lift() -> None:
    control = Sample(np.array([1.0, 0.0, 2.0]), np.array([3.0, 2.0, 4.0]))
    unseen = Sample(np.array([], dtype=float), np.array([], dtype=float))
    result = compare(control, unseen)
    assert math.isinf(result.difference) and math.isinf(result.lift)
    assert (result.lift_low, result.lift_high) == (-math.inf, math.inf)
    assert result.p_value == 1.0 and not result.significant
