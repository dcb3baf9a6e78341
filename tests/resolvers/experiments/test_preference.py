"""resolvers.experiments.preference: the per-learner test of an interleaving experiment."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolvers.experiments.preference import DEFAULT_MIXTURE_SD, Preference, preference

Z95 = 1.959963984540054
CREDITS = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=40)


def _no_nan(result: Preference) -> bool:
    values = [result.score, result.p_value, *result.interval]
    return not any(math.isnan(value) for value in values)


def _mixture_p(mean: float, variance: float, tau2: float) -> float:
    """1 / Lambda of the normal-mixture SPRT, written out."""
    lam = math.sqrt(variance / (variance + tau2)) * math.exp(tau2 * mean**2 / (2 * variance * (variance + tau2)))
    return min(1.0, 1 / lam)


def test_scores_are_per_learner_shares_and_learners_without_credit_are_left_out() -> None:
    result = preference([1, 0, 2, 0, 3], [3, 1, 2, 0, 0])
    scores = np.array([0.5, 1.0, 0.0, -1.0])
    assert (result.learners, result.wins_a, result.wins_b, result.ties) == (4, 1, 2, 1)
    assert result.score == pytest.approx(scores.mean())
    half = Z95 * scores.std(ddof=1) / 2
    assert result.interval == pytest.approx((scores.mean() - half, scores.mean() + half))
    assert result.p_value == pytest.approx(_mixture_p(scores.mean(), scores.var(ddof=1) / 4, DEFAULT_MIXTURE_SD**2))
    assert not result.significant


def test_a_heavy_learner_counts_once() -> None:
    light = preference([1, 1, 0], [0, 0, 1])
    heavy = preference([1, 1, 0], [0, 0, 1000])
    assert heavy.score == pytest.approx(light.score)
    assert heavy.score == pytest.approx(-1 / 3)


def test_the_default_mixture_is_centred_on_a_ten_percent_credit_advantage() -> None:
    assert math.isclose(DEFAULT_MIXTURE_SD, (1.1 - 1) / (1.1 + 1))


def test_a_given_mixture_scale_is_used() -> None:
    a, b = [1, 2, 0, 1, 3, 0], [2, 1, 1, 1, 4, 2]
    scores = (np.array(b) - a) / (np.array(a) + b)
    variance = scores.var(ddof=1) / scores.size
    for tau in (0.01, 0.3):
        assert preference(a, b, mixture_sd=tau).p_value == pytest.approx(_mixture_p(scores.mean(), variance, tau**2))


def test_a_strong_preference_is_significant_and_a_balanced_one_is_not() -> None:
    rng = np.random.default_rng(13)
    clicks = rng.poisson(3, size=2_000) + 1
    strong = rng.binomial(clicks, 0.6)
    strong_result = preference(clicks - strong, strong)
    assert strong_result.significant and strong_result.score > 0 and strong_result.interval[0] > 0
    balanced = rng.binomial(clicks, 0.5)
    balanced_result = preference(clicks - balanced, balanced)
    assert not balanced_result.significant
    assert balanced_result.interval[0] < 0 < balanced_result.interval[1]


def test_alpha_sets_the_significance_threshold() -> None:
    a, b = [0, 1, 0, 0, 1, 0, 0, 0], [1, 0, 2, 1, 0, 1, 1, 3]
    p = preference(a, b).p_value
    assert 0 < p < 1
    assert preference(a, b, alpha=min(1.0, p * 1.01)).significant
    assert not preference(a, b, alpha=p).significant


@given(CREDITS)
def test_swapping_the_rankers_negates_score_and_interval(pairs: list[tuple[int, int]]) -> None:
    a = [pair[0] for pair in pairs]
    b = [pair[1] for pair in pairs]
    forward, backward = preference(a, b), preference(b, a)
    assert backward.score == pytest.approx(-forward.score)
    assert backward.interval == pytest.approx((-forward.interval[1], -forward.interval[0]))
    assert (backward.wins_a, backward.wins_b, backward.ties) == (forward.wins_b, forward.wins_a, forward.ties)
    assert backward.p_value == pytest.approx(forward.p_value)


@given(CREDITS)
def test_no_input_gives_nan_and_everything_stays_in_range(pairs: list[tuple[int, int]]) -> None:
    result = preference([pair[0] for pair in pairs], [pair[1] for pair in pairs])
    assert _no_nan(result)
    assert -1 <= result.score <= 1 and 0 < result.p_value <= 1
    assert result.learners == result.wins_a + result.wins_b + result.ties == sum(a + b > 0 for a, b in pairs)
    assert result.interval[0] <= result.score <= result.interval[1]


@pytest.mark.parametrize(
    ("a", "b"),
    [([], []), ([0, 0], [0, 0]), ([2], [0]), ([0, 0, 0], [1, 4, 2]), ([1, 2], [1, 2])],
    ids=["nobody", "no-credit", "one-learner", "all-prefer-b", "all-tied"],
)
def test_degenerate_inputs_give_an_unknown_interval_and_p_value_one(a: list[int], b: list[int]) -> None:
    result = preference(a, b)
    assert result.interval == (-math.inf, math.inf)
    assert result.p_value == 1.0 and not result.significant
    assert _no_nan(result)


def test_a_unanimous_preference_still_reports_its_score_and_counts() -> None:
    result = preference([0, 0, 0], [1, 4, 2])
    assert (result.score, result.wins_b, result.learners) == (1.0, 3, 3)


@pytest.mark.parametrize(
    ("a", "b", "kwargs"),
    [
        ([1, 2], [1], {}),
        ([[1, 2]], [[1, 2]], {}),
        ([1, -1], [1, 1], {}),
        ([1, math.nan], [1, 1], {}),
        ([1, 1], [1, math.inf], {}),
        ([1, 1], [1, 1], {"alpha": 0.0}),
        ([1, 1], [1, 1], {"alpha": 1.0}),
        ([1, 1], [1, 1], {"mixture_sd": 0.0}),
        ([1, 1], [1, 1], {"mixture_sd": math.inf}),
    ],
    ids=["lengths", "two-d", "negative", "nan", "inf", "alpha-0", "alpha-1", "mixture-0", "mixture-inf"],
)
def test_invalid_arguments_raise_value_error(a: list[object], b: list[object], kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        preference(a, b, **kwargs)  # type: ignore[arg-type]


def test_false_positives_stay_under_alpha_when_read_every_day() -> None:
    """A/A: 300 experiments of 28 days, credits split by fair coins, read daily: <= 5% ever significant."""
    rng = np.random.default_rng(2026)
    experiments, learners, days = 300, 400, 28
    arrival = rng.integers(0, days, size=(experiments, learners))
    daily_clicks = rng.poisson(0.3, size=(experiments, learners, days)) * (np.arange(days) >= arrival[..., None])
    credit_b = rng.binomial(daily_clicks, 0.5).cumsum(axis=2)
    credit_a = daily_clicks.cumsum(axis=2) - credit_b
    rejected = sum(
        any(preference(credit_a[run, :, day], credit_b[run, :, day]).significant for day in range(days))
        for run in range(experiments)
    )
    assert rejected <= 0.05 * experiments
