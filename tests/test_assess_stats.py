"""The statistics of change: the exact test against last year and the within-period Poisson trend."""

import math

import numpy as np
import pytest
from scipy import optimize, stats

from tasks.assess.change import count_change, poisson_trend


def _binom_two_sided(k: int, n: int) -> float:
    """Hand computation for p = 0.5: twice the upper tail (the distribution is symmetric)."""
    tail = sum(math.comb(n, i) for i in range(max(k, n - k), n + 1)) / 2**n
    return min(1.0, 2 * tail)


def test_sixty_against_thirty_is_a_significant_increase():
    # 60 vs 30: n = 90; P(X >= 60 | Bin(90, 0.5)) * 2 = 0.0020602656809630745 (scipy's binomtest agrees)
    result = count_change(60, 30, comparable=True, alpha=0.05)
    assert result.label == "significant increase"
    assert result.change_count == 30
    assert result.change_pct == pytest.approx(100.0)
    assert result.p_value == pytest.approx(0.0020602656809630745, rel=1e-12)
    assert result.p_value == pytest.approx(_binom_two_sided(60, 90), rel=1e-12)


def test_thirty_against_sixty_is_a_significant_decrease():
    result = count_change(30, 60, comparable=True, alpha=0.05)
    assert result.label == "significant decrease"
    assert result.change_pct == pytest.approx(-50.0)
    assert result.p_value == pytest.approx(_binom_two_sided(30, 90))


def test_small_swing_is_not_significant_even_when_the_percentage_is_large():
    # 6 vs 3 is +100% but p = P(|X - 4.5| >= 1.5 | Bin(9, .5)) = 2 * (84 + 36 + 9 + 1) / 512 = 0.5078
    result = count_change(6, 3, comparable=True, alpha=0.05)
    assert result.change_pct == pytest.approx(100.0)
    assert result.p_value == pytest.approx(260 / 512)
    assert result.label == "no significant change"


def test_zero_previous_gives_no_percentage_and_never_inf():
    result = count_change(3, 0, comparable=True, alpha=0.05)
    assert result.change_pct is None
    assert result.p_value == pytest.approx(0.25)  # 2 * 0.5**3
    both_zero = count_change(0, 0, comparable=True, alpha=0.05)
    assert both_zero.change_pct is None and both_zero.p_value == 1.0
    assert both_zero.label == "no significant change"


def test_category_gone_from_this_year_is_a_significant_decrease():
    result = count_change(0, 10, comparable=True, alpha=0.05)
    assert result.change_pct == pytest.approx(-100.0)
    assert result.p_value == pytest.approx(2 * 0.5**10)
    assert result.label == "significant decrease"


def test_no_comparable_period_is_said_so():
    result = count_change(100, None, comparable=False, alpha=0.05)
    assert result.label == "no comparable period"
    assert result.change_pct is None and result.p_value is None and result.change_count is None


def test_threshold_is_a_parameter():
    assert count_change(60, 30, True, alpha=0.001).label == "no significant change"


RISING = [20, 21, 22, 23, 25, 26, 28, 29, 31, 33, 35, 37]  # about 20 * 1.06**t


def _independent_fit(y, t):
    """The same model fitted by scipy's optimiser: negative Poisson log-likelihood in (a, b)."""
    def nll(beta):
        eta = beta[0] + beta[1] * t
        return float(np.sum(np.exp(eta) - y * eta))
    return optimize.minimize(nll, x0=[math.log(y.mean()), 0.0], method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000}).x


def test_trend_on_a_rising_series():
    y = np.array(RISING, dtype=float)
    t = np.arange(12, dtype=float)
    trend = poisson_trend(y, t, alpha=0.05)
    a, b = _independent_fit(y, t)
    assert trend.ratio == pytest.approx(math.exp(b), rel=1e-5)
    assert 1.05 < trend.ratio < 1.07
    # likelihood-ratio test by hand: 2 * (loglik(fitted) - loglik(constant mean)), chi-squared 1 df
    mu = np.exp(a + b * t)
    ll1 = np.sum(y * np.log(mu) - mu)
    ll0 = np.sum(y * np.log(y.mean()) - y.mean())
    assert trend.p_value == pytest.approx(stats.chi2.sf(2 * (ll1 - ll0), 1), rel=1e-4)
    assert trend.p_value < 0.001
    assert trend.label == "rising"


def test_fitted_trend_satisfies_the_score_equations():
    # At the maximum, sum(y) = sum(mu) and sum(t*y) = sum(t*mu) (Poisson regression with intercept).
    y = np.array(RISING, dtype=float)
    t = np.arange(12, dtype=float)
    trend = poisson_trend(y, t, alpha=0.05)
    b = math.log(trend.ratio)
    a = math.log(y.sum() / np.exp(b * t).sum())
    mu = np.exp(a + b * t)
    assert np.sum(t * y) == pytest.approx(np.sum(t * mu), rel=1e-8)


def test_falling_and_stable_series():
    t = np.arange(12)
    assert poisson_trend(list(reversed(RISING)), t, 0.05).label == "falling"
    flat = poisson_trend([30, 28, 31, 29, 30, 32, 29, 30, 31, 28, 30, 30], t, 0.05)
    assert flat.label == "stable" and flat.p_value > 0.5


def test_trend_edge_cases():
    assert poisson_trend([5, 6], [0, 1], 0.05).label == "too few months"
    zeros = poisson_trend([0] * 12, range(12), 0.05)
    assert zeros.ratio is None and zeros.label == "stable"
    # a missing month (NaN) is left out, not read as zero
    gap = poisson_trend([10, 10, np.nan, 10, 10], range(5), 0.05)
    assert gap.points == 4 and gap.ratio == pytest.approx(1.0)
    one_spike = poisson_trend([0] * 11 + [9], range(12), 0.05)
    assert math.isfinite(one_spike.ratio) and one_spike.label == "rising"


def test_quarterly_counts_use_exposure_so_the_ratio_is_per_month():
    # Quarters of 3 months at months 0, 3, 6, 9 with counts rising 10% a month in rate.
    months = np.array([0, 3, 6, 9], dtype=float)
    counts = np.round(300 * 1.1 ** months)
    trend = poisson_trend(counts, months, 0.05, exposure=[3, 3, 3, 3])
    assert trend.ratio == pytest.approx(1.1, rel=2e-3)
