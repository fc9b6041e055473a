"""The statistics of change: over-dispersed year-on-year and trend tests, BH, steps, words, top share."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from tasks.assess import stats as S
from tasks.assess.places import tied_at_threshold, top_count
from tasks.assess.steps import detect_step

CUR = [str(p) for p in pd.period_range("2024-10", "2025-09", freq="M")]
PREV = [str(p) for p in pd.period_range("2023-10", "2024-09", freq="M")]
BOTH = PREV + CUR


def _negative_binomial(mean: float, size: float, n: int, seed: int) -> np.ndarray:
    """Counts with variance mean + mean^2/size: far more variable than Poisson."""
    rng = np.random.default_rng(seed)
    return rng.negative_binomial(size, size / (size + mean), n).astype(float)


def test_over_dispersed_counts_get_wider_intervals_and_larger_p_than_poisson():
    y = _negative_binomial(60, 4, 24, seed=3)  # variance about 60 + 900: 16 times Poisson
    prev, cur = pd.Series(y[:12], index=PREV), pd.Series(y[12:], index=CUR)
    quasi = S.year_on_year(cur, prev, 0.05)
    poisson = S.year_on_year(cur, prev, 0.05, poisson_only=True)
    assert quasi.method == S.YOY_GLM and quasi.dispersion > 3
    assert quasi.ratio == pytest.approx(cur.sum() / prev.sum())  # balanced: the ratio of the totals
    assert quasi.ratio == pytest.approx(poisson.ratio)
    assert (quasi.ratio_high - quasi.ratio_low) > 1.5 * (poisson.ratio_high - poisson.ratio_low)
    assert quasi.p_value > poisson.p_value


def test_year_on_year_matches_an_independent_quasi_poisson_fit():
    y = _negative_binomial(40, 5, 24, seed=11) + np.r_[np.zeros(12), np.full(12, 12.0)]
    frame = pd.DataFrame({"y": y, "year": [0] * 12 + [1] * 12, "moy": [int(m[5:]) for m in BOTH]})
    poisson = smf.glm("y ~ year + C(moy)", frame, family=sm.families.Poisson()).fit()
    phi = max(1.0, float(np.sum(poisson.resid_pearson ** 2)) / poisson.df_resid)
    se = float(poisson.bse["year"]) * math.sqrt(phi)
    t = stats.t.ppf(0.975, poisson.df_resid)
    b = float(poisson.params["year"])
    result = S.year_on_year(pd.Series(y[12:], index=CUR), pd.Series(y[:12], index=PREV), 0.05)
    assert result.dispersion == pytest.approx(phi)
    assert result.ratio_low == pytest.approx(math.exp(b - t * se), rel=1e-6)
    assert result.ratio_high == pytest.approx(math.exp(b + t * se), rel=1e-6)
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(b / se), poisson.df_resid), rel=1e-6)


def test_an_empty_year_falls_back_to_the_exact_test_and_says_so():
    result = S.year_on_year(pd.Series([1.0] * 10 + [0, 0], index=CUR), pd.Series([0.0] * 12, index=PREV), 0.05)
    assert result.method == S.YOY_EXACT
    assert result.p_value == pytest.approx(2 * 0.5**10)
    assert result.change_pct is None and result.label == "significant increase"
    assert S.year_on_year(pd.Series([0.0] * 12, index=CUR), pd.Series([0.0] * 12, index=PREV),
                          0.05).label == "no significant change"


def test_benjamini_hochberg_adjusts_and_relabels():
    p = [0.01, 0.04, 0.03, 0.02, 0.5, None]
    q = S.bh_adjust(p, 0.05)
    # sorted p 0.01, 0.02, 0.03, 0.04, 0.5 (m = 5): p * m / rank = 0.05, 0.05, 0.05, 0.05, 0.5
    assert q[:5] == pytest.approx([0.05, 0.05, 0.05, 0.05, 0.5])
    assert q[5] is None
    q = S.bh_adjust([0.001, 0.03, 0.04], 0.05)  # 0.003, 0.045, 0.04 -> monotone: 0.003, 0.04, 0.04
    assert q == pytest.approx([0.003, 0.04, 0.04])
    tested = S.Change(120, 100, 20, 20.0, 0.03, "significant increase", 1.2, 1.02, 1.4, S.YOY_GLM, 1.0)
    assert S.relabel_change(tested, 0.06, 0.05).label == "no significant change"
    assert S.relabel_change(tested, 0.06, 0.05).q_value == 0.06
    assert S.relabel_change(tested, 0.01, 0.05).label == "significant increase"


def test_season_is_allowed_for_with_24_months_and_not_read_as_a_trend():
    season = 400 * np.exp(0.6 * np.sin(2 * math.pi * (np.arange(24) - 3) / 12))  # same cycle both years
    values = pd.Series(np.round(season), index=BOTH)
    naive = S.trend(values[CUR], 0.05)
    seasonal = S.trend(values[CUR], 0.05, seasonal_from=values)
    assert naive.method == S.TREND_GLM and seasonal.method == S.TREND_GLM_SEASONAL
    assert naive.dispersion > 10  # without season the seasonal swing is read as noise (or as a trend)
    assert S.trend(values[CUR], 0.05, poisson_only=True).label in ("rising", "falling")
    assert seasonal.label == "stable" and seasonal.ratio == pytest.approx(1.0, abs=0.005)
    assert seasonal.dispersion < 1.5
    growing = pd.Series(np.round(season * 1.01 ** np.arange(24)), index=BOTH)  # +1% a month on top
    found = S.trend(growing[CUR], 0.05, seasonal_from=growing)
    assert found.label == "rising" and found.ratio == pytest.approx(1.01, abs=0.003)
    assert S.trend(growing[CUR], 0.05).label == "stable"  # 12 months alone cannot tell it from season
    short = S.trend(values[CUR], 0.05, seasonal_from=values[6:])  # 18 months: no season possible
    assert short.method == S.TREND_GLM


def test_trend_allows_for_over_dispersion_and_handles_edges():
    rising = pd.Series([20, 21, 22, 23, 25, 26, 28, 29, 31, 33, 35, 37.0], index=CUR)
    result = S.trend(rising, 0.05)
    assert result.label == "rising" and 1.05 < result.ratio < 1.07
    assert result.ratio_low < result.ratio < result.ratio_high
    noisy = pd.Series(_negative_binomial(50, 3, 12, seed=5), index=CUR)
    q, p = S.trend(noisy, 0.05), S.trend(noisy, 0.05, poisson_only=True)
    assert q.dispersion > 2 and q.p_value > p.p_value
    assert S.trend(pd.Series([5.0, 6.0], index=CUR[:2]), 0.05).label == "too few months"
    assert S.trend(pd.Series([0.0] * 12, index=CUR), 0.05).ratio is None
    gap = S.trend(pd.Series([10, 10, np.nan, 10, 10.0], index=CUR[:5]), 0.05)
    assert gap.points == 4 and gap.ratio == pytest.approx(1.0)
    spike = S.trend(pd.Series([0.0] * 11 + [9], index=CUR), 0.05)
    assert spike.label == "too few months" and spike.ratio is None
    quarters = pd.Series(np.round(300 * 1.1 ** np.array([0, 3, 6, 9])), index=CUR[::3])
    assert S.trend(quarters, 0.05, period_months=3).ratio == pytest.approx(1.1, rel=2e-3)


def test_a_synthetic_recording_step_is_found_and_noise_is_not():
    noise = _negative_binomial(55, 8, 24, seed=7)
    stepped = noise.copy()
    stepped[15:] *= 10  # criminal damage in Gwent: about 55 a month to about 600 from October 2023
    hit = detect_step(pd.Series(stepped, index=BOTH), 0.05, 2.0, 3)
    assert hit is not None and hit[0] == BOTH[15]
    assert hit[2] / hit[1] > 5 and hit[3] < 0.001
    assert detect_step(pd.Series(noise, index=BOTH), 0.05, 2.0, 3) is None
    spike = noise.copy()
    spike[10] *= 8  # one bad month is not a sustained step
    assert detect_step(pd.Series(spike, index=BOTH), 0.05, 2.0, 3) is None
    drift = 30 * 1.06 ** np.arange(24)  # gradual growth to 4 times: a trend, not a step
    assert detect_step(pd.Series(np.round(drift), index=BOTH), 0.05, 2.0, 3) is None
    small = pd.Series([1.0] * 10 + [0.0] * 14, index=BOTH)  # one a month to none: small numbers
    assert detect_step(small, 0.05, 2.0, 3) is None
    new = pd.Series([0.0] * 12 + [30.0] * 12, index=BOTH)  # a category that starts from nothing
    assert detect_step(new, 0.05, 2.0, 3)[0] == CUR[0]


def test_plain_words_for_the_papers():
    assert S.describe_change("significant increase", 1.12, 1.05, 1.19) == (
        "significantly higher than last year (up 12%, 95% interval +5% to +19%)")
    assert S.describe_change("significant decrease", 0.8, 0.7, 0.9).startswith(
        "significantly lower than last year (down 20%")
    assert S.describe_change("no significant change", 1.03, 0.95, 1.1).startswith("no clear change on last year")
    assert S.describe_change("significant increase", 1.12, 1.05, 1.19, figures=False) == (
        "significantly higher than last year")
    assert S.describe_change("recording change", since="2023-10") == (
        "not compared with last year: the way this is recorded changed from October 2023")
    assert S.describe_trend("rising", 1.03, 1.01, 1.05).startswith("rising through the year (about 3% a month")
    assert S.describe_trend("stable", 1.0, 0.98, 1.02) == "no clear trend through the year"
    assert "season" in S.describe_trend("falling", 0.97, 0.95, 0.99, S.TREND_GLM_SEASONAL)
    assert "x1." not in S.describe_trend("rising", 1.028, 1.01, 1.04)
    for method in (S.YOY_GLM, S.YOY_EXACT, S.TREND_GLM, S.TREND_GLM_SEASONAL, S.BH):
        assert len(S.method_text(method)) > 60


def test_top_share_rounds_down_and_states_ties():
    assert [top_count(n, 0.2) for n in (4, 5, 9, 10, 11, 14, 15)] == [0, 1, 1, 2, 2, 2, 3]
    rates = pd.DataFrame({"All": [90.0, 80.0, 70.0, 60.0, 50.0, 40.0, 30.0, 20.0, 15.0, 12.0, 10.0]},
                         index=[f"a{i}" for i in range(11)])
    ranks = rates.rank(ascending=False, method="min")
    top = ranks <= top_count(11, 0.2)
    assert list(top.index[top["All"]]) == ["a0", "a1"]
    assert tied_at_threshold(top, ranks, 0.2) == {}
    rates.loc["a2", "All"] = 80.0  # tied with the second highest
    ranks = rates.rank(ascending=False, method="min")
    top = ranks <= top_count(11, 0.2)
    assert list(top.index[top["All"]]) == ["a0", "a1", "a2"]
    assert tied_at_threshold(top, ranks, 0.2) == {"All": ["a1", "a2"]}


def test_the_methods_appendix_names_the_tests_used_and_the_adjustment():
    paragraphs = S.methods_paragraphs({S.YOY_GLM, S.TREND_GLM_SEASONAL, S.YOY_EXACT}, 64, 0.05)
    assert [p.split(":")[0] for p in paragraphs] == [
        "Change against the previous year", "Change against the previous year where one year holds no events",
        "Trend over two years or more, allowing for season", "Many tests at once"]
    assert "quasi-Poisson" in paragraphs[0] and "64 tests" in paragraphs[-1]
    assert S.methods_paragraphs(set(), 0, 0.05) == ["No change or trend could be tested for this assessment."]
