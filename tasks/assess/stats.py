"""Tests of change that allow for over-dispersion, with statsmodels; plain words for the papers.

Monthly counts of crime vary more than a Poisson model allows (3-9 times the mean on the bundled
data: weather, events, operations, how incidents are batched into months). A test that assumes Poisson
variation calls ordinary wobble "significant". Every test here is a Poisson generalised linear model
(statsmodels ``GLM``) whose variance is allowed to exceed the mean: *quasi-Poisson*, with the scale
estimated as Pearson chi-squared / residual degrees of freedom, never below 1 (a model is not allowed
to claim *less* noise than Poisson), and t-based intervals and p-values on the residual degrees of
freedom where the scale was estimated above 1 (normal ones where the counts are no more variable than
Poisson). Effects are rate ratios with 95% intervals.

* **Year on year** (:func:`year_on_year`): the 24 monthly counts (8 quarterly) of the two periods, with
  a year indicator and month-of-year terms. With both periods complete the estimated rate ratio is
  exactly this year's total over last year's; the month-of-year terms take the seasonal pattern out of
  the noise estimate, so the dispersion measures how far the months of the two years disagree beyond
  Poisson. Where one year holds no events the model cannot be fitted (the ratio is 0 or infinite) and
  the exact conditional test for two Poisson counts is used instead (``scipy.stats.binomtest``), and
  said so.
* **Trend** (:func:`trend`): the months of the assessment period on a month index (log-linear: a
  constant percentage a month). Where the series holds 24 or more months the model runs over all of
  them with an annual harmonic pair (sine and cosine of the month of year), so a seasonal peak is
  not read as a trend.
* **Multiple testing** (:func:`adjust`): an assessment runs dozens of tests; Benjamini-Hochberg
  (``statsmodels.stats.multitest.multipletests``, ``fdr_bh``) controls the expected share of false
  discoveries among the tests called significant. Labels use the adjusted q-value; the raw p-value is
  kept beside it.

Each result carries its ``method`` id; :data:`METHODS` says in words what it is and why it was used,
for the methods appendix.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from csp import metrics as M

INCREASE, DECREASE, NO_CHANGE, NOT_COMPARABLE = M.CHANGE_LABELS
RISING, FALLING, STABLE, TOO_FEW = M.TREND_LABELS
RECORDING = M.RECORDING_CHANGE_LABEL
MIN_TREND_POINTS = 3
SEASONAL_MIN_MONTHS = 24
MAX_LOG_SLOPE = 2.0  # |log rate ratio| per month beyond which a fitted trend is degenerate
CONFIDENCE = 0.95

YOY_GLM = "quasi_poisson_glm_year"
YOY_GLM_NO_SEASON = "quasi_poisson_glm_year_totals"
YOY_EXACT = "exact_conditional_binomial"
TREND_GLM = "quasi_poisson_glm_trend"
TREND_GLM_SEASONAL = "quasi_poisson_glm_trend_seasonal"
BH = "fdr_bh"

METHODS: dict[str, str] = {
    YOY_GLM: "Poisson regression of the monthly counts of both years on a year indicator and the month "
             "of year, allowing the months to vary more than chance alone would (quasi-Poisson: scale = "
             "Pearson chi-squared / degrees of freedom, at least 1). The rate ratio is this year's total "
             "over last year's; its 95% interval and p-value use the t distribution. Used because "
             "monthly crime counts vary several times more than a Poisson count.",
    YOY_GLM_NO_SEASON: "As the year-on-year regression, without month-of-year terms (used where the "
                       "two periods do not hold the same months of the year).",
    YOY_EXACT: "Exact conditional test for two Poisson counts (this year's count is Binomial(n, 1/2) "
               "if nothing changed). Used only where one year holds no events, so the regression "
               "cannot be fitted; it assumes no over-dispersion and so overstates significance.",
    TREND_GLM: "Poisson regression of the months of the assessment period on the month (a constant "
               "percentage change a month), allowing for over-dispersion (quasi-Poisson, scale at "
               "least 1). Used where no two full years are held, so season cannot be separated.",
    TREND_GLM_SEASONAL: "Poisson regression of 24 or more months on the month with an annual seasonal "
                        "cycle (sine and cosine of the month of year), allowing for over-dispersion "
                        "(quasi-Poisson, scale at least 1), so that a seasonal peak is not read as a "
                        "trend.",
    BH: "Benjamini-Hochberg false discovery rate control across all the tests of one assessment "
        "(categories, sources and areas, year on year and trends): a change is called significant when "
        "its adjusted q-value is below the significance threshold.",
}


@dataclass(frozen=True)
class Change:
    """This period against the previous one: counts, the rate ratio with its interval, p and label.

    ``p_value`` is the test's own; ``q_value`` the Benjamini-Hochberg adjusted one (set by
    :func:`adjust`); the label follows q where it is set, p otherwise.
    """

    current: float
    previous: float | None
    change_count: float | None
    change_pct: float | None  # None where previous is zero or absent: never inf
    p_value: float | None
    label: str
    ratio: float | None = None
    ratio_low: float | None = None
    ratio_high: float | None = None
    method: str | None = None
    dispersion: float | None = None
    q_value: float | None = None
    excluded: tuple[str, ...] = ()  # categories left out of a total (recording changes)


@dataclass(frozen=True)
class Trend:
    """Rate ratio per month with its interval, p-value (and q once adjusted) and label."""

    ratio: float | None
    p_value: float | None
    label: str
    points: int
    ratio_low: float | None = None
    ratio_high: float | None = None
    method: str | None = None
    dispersion: float | None = None
    q_value: float | None = None
    excluded: tuple[str, ...] = ()


# --- fitting ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    """One coefficient of a quasi-Poisson fit: estimate, interval, p-value and the scale used."""

    estimate: float
    low: float
    high: float
    p_value: float
    dispersion: float
    df_resid: float


def quasi_poisson(y: np.ndarray, exog: np.ndarray, column: int, offset: np.ndarray | None = None,
                  poisson_only: bool = False) -> Fit | None:
    """Fit a Poisson GLM, estimate the dispersion (Pearson chi2 / df, at least 1), refit with it.

    Returns the coefficient in ``column`` (None where the fit fails or the model has no residual
    degrees of freedom). ``poisson_only`` fixes the scale at 1 (the Poisson model, for comparison).
    """
    import statsmodels.api as sm  # imported where a model is fitted: a re-run that stops early never pays it
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    model = sm.GLM(y, exog, family=sm.families.Poisson(), offset=offset)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (ConvergenceWarning, PerfectSeparationWarning, RuntimeWarning))
            first = model.fit()
            df = float(first.df_resid)
            if df <= 0 or not np.all(np.isfinite(first.params)):
                return None
            scale = 1.0 if poisson_only else max(1.0, float(first.pearson_chi2) / df)
            fit = model.fit(scale=scale, use_t=scale > 1.0)
    except (ValueError, np.linalg.LinAlgError):
        return None
    low, high = fit.conf_int(alpha=1 - CONFIDENCE)[column]
    estimate, p_value = float(fit.params[column]), float(fit.pvalues[column])
    if not all(math.isfinite(v) for v in (estimate, low, high, p_value)):
        return None
    return Fit(estimate, float(low), float(high), p_value, scale, df)


def _month_of_year(months: Sequence[str]) -> np.ndarray:
    return np.array([int(str(m)[5:7]) for m in months])


# --- year on year ----------------------------------------------------------------------------------


def _pct(current: float, previous: float) -> float | None:
    return 100.0 * (current - previous) / previous if previous > 0 else None


def exact_change(current: float, previous: float, alpha: float) -> Change:
    """The exact conditional binomial test (no over-dispersion allowed); used where a year is empty."""
    cur, prev = int(round(current)), int(round(previous))
    n = cur + prev
    from scipy import stats as sp

    p_value = 1.0 if n == 0 else float(sp.binomtest(cur, n, 0.5).pvalue)
    return Change(float(cur), float(prev), float(cur - prev), _pct(cur, prev), p_value,
                  _label(p_value, cur - prev, alpha), method=YOY_EXACT)


def _label(p: float | None, direction: float, alpha: float) -> str:
    if p is None or p >= alpha or direction == 0:
        return NO_CHANGE
    return INCREASE if direction > 0 else DECREASE


def year_on_year(current: pd.Series, previous: pd.Series, alpha: float,
                 poisson_only: bool = False) -> Change:
    """Test this period's monthly (or quarterly) counts against the previous period's.

    ``current`` and ``previous`` are indexed by month "YYYY-MM" (NaN = no data). Months of the year
    present in both periods are paired by month-of-year terms; if the two do not hold the same months
    of the year the model runs without them (and says so).
    """
    cur, prev = current.dropna().astype(float), previous.dropna().astype(float)
    total_cur, total_prev = float(cur.sum()), float(prev.sum())
    if total_cur == 0 or total_prev == 0:
        return exact_change(total_cur, total_prev, alpha)
    y = np.concatenate([prev.to_numpy(), cur.to_numpy()])
    year = np.concatenate([np.zeros(len(prev)), np.ones(len(cur))])
    moy = _month_of_year([*prev.index, *cur.index])
    paired = sorted(set(_month_of_year(prev.index))) == sorted(set(_month_of_year(cur.index)))
    if paired:
        both = pd.Series(y).groupby(moy).transform("sum").to_numpy() > 0
        y, year, moy = y[both], year[both], moy[both]
        dummies = pd.get_dummies(moy, drop_first=True).to_numpy(dtype=float)
        exog = np.column_stack([np.ones_like(y), year, dummies])
    else:
        exog = np.column_stack([np.ones_like(y), year])
    fit = quasi_poisson(y, exog, 1, poisson_only=poisson_only)
    if fit is None:
        return exact_change(total_cur, total_prev, alpha)
    method = YOY_GLM if paired else YOY_GLM_NO_SEASON
    return Change(total_cur, total_prev, total_cur - total_prev, _pct(total_cur, total_prev), fit.p_value,
                  _label(fit.p_value, fit.estimate, alpha), math.exp(fit.estimate), math.exp(fit.low),
                  math.exp(fit.high), method, fit.dispersion)


def not_compared(current: float, label: str = NOT_COMPARABLE, excluded: tuple[str, ...] = ()) -> Change:
    """A change that was not tested: no comparable period, or a recording change in the way."""
    return Change(float(current), None, None, None, None, label, excluded=excluded)


# --- trend -----------------------------------------------------------------------------------------


def trend(values: pd.Series, alpha: float, period_months: int = 1, seasonal_from: pd.Series | None = None,
          poisson_only: bool = False) -> Trend:
    """Trend of a series indexed by month "YYYY-MM" (NaN = no data), as a rate ratio per month.

    ``seasonal_from``: the longer series (24+ months, ending with ``values``) to fit with an annual
    cycle instead; it is used only where it holds at least 24 months with data.
    """
    seasonal = (seasonal_from is not None and period_months == 1
                and seasonal_from.notna().sum() >= SEASONAL_MIN_MONTHS)
    series = (seasonal_from if seasonal else values).dropna().astype(float)
    if len(series) < MIN_TREND_POINTS:
        return Trend(None, None, TOO_FEW, len(series))
    if series.sum() == 0:
        return Trend(None, None, STABLE, len(series))
    t = np.array([pd.Period(m, freq="M").ordinal for m in series.index], dtype=float)
    t -= t.mean()
    columns = [np.ones_like(t), t]
    if seasonal:
        angle = 2 * math.pi * _month_of_year(series.index) / 12.0
        columns += [np.sin(angle), np.cos(angle)]
    offset = np.full_like(t, math.log(period_months))
    fit = quasi_poisson(series.to_numpy(), np.column_stack(columns), 1, offset, poisson_only)
    if fit is None or abs(fit.estimate) > MAX_LOG_SLOPE or (series > 0).sum() < MIN_TREND_POINTS:
        return Trend(None, None, TOO_FEW, int((series > 0).sum()))
    label = STABLE if fit.p_value >= alpha else (RISING if fit.estimate > 0 else FALLING)
    return Trend(math.exp(fit.estimate), fit.p_value, label, len(series), math.exp(fit.low),
                 math.exp(fit.high), TREND_GLM_SEASONAL if seasonal else TREND_GLM, fit.dispersion)


# --- multiple testing ------------------------------------------------------------------------------


def bh_adjust(p_values: Sequence[float | None], alpha: float) -> list[float | None]:
    """Benjamini-Hochberg q-values for the p-values given (None stays None and is not counted)."""
    present = [i for i, p in enumerate(p_values) if p is not None and not math.isnan(p)]
    out: list[float | None] = [None] * len(p_values)
    if not present:
        return out
    from statsmodels.stats.multitest import multipletests

    _, q, _, _ = multipletests([p_values[i] for i in present], alpha=alpha, method=BH)
    for i, value in zip(present, q, strict=True):
        out[i] = float(value)
    return out


def relabel_change(change: Change, q: float | None, alpha: float) -> Change:
    if change.label in (NOT_COMPARABLE, RECORDING) or change.p_value is None:
        return change
    if change.ratio is not None:
        direction = change.ratio - 1.0  # the tested comparison (a total may leave categories out)
    else:
        direction = (change.current or 0) - (change.previous or 0)
    return replace(change, q_value=q, label=_label(q, direction, alpha))


def relabel_trend(result: Trend, q: float | None, alpha: float) -> Trend:
    if result.p_value is None or result.ratio is None or result.label == RECORDING:
        return result
    label = STABLE if q is None or q >= alpha else (RISING if result.ratio > 1 else FALLING)
    return replace(result, q_value=q, label=label)


# --- plain words -----------------------------------------------------------------------------------


def _pct_words(ratio: float) -> str:
    return f"{abs(ratio - 1) * 100:.0f}%"


def _interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f", 95% interval {(low - 1) * 100:+.0f}% to {(high - 1) * 100:+.0f}%"


def describe_change(label: str, ratio: float | None = None, low: float | None = None,
                    high: float | None = None, previous: float | None = None,
                    current: float | None = None, since: str | None = None, figures: bool = True,
                    adjusted_away: bool = False) -> str:
    """The change in words, e.g. 'significantly higher than last year (up 12%, 95% interval +5% to +19%)'.

    ``figures=False`` gives the words alone (for a public paper where the counts are suppressed);
    ``adjusted_away``: the test alone was significant but not once the assessment's many tests are
    allowed for (the interval shown is the test's own, so the words say why they differ).
    """
    if label == NOT_COMPARABLE:
        return "no comparison with last year"
    if label == RECORDING:
        when = f" from {pd.Period(since, freq='M').strftime('%B %Y')}" if since else ""
        return f"not compared with last year: the way this is recorded changed{when}"
    lead = {INCREASE: "significantly higher than last year",
            DECREASE: "significantly lower than last year"}.get(label, "no clear change on last year")
    if adjusted_away and label == NO_CHANGE:
        lead += " once the number of comparisons is allowed for"
    if not figures:
        return lead
    if ratio is None:
        if previous == 0 and current:
            return f"{lead} (none recorded last year)"
        if current == 0 and previous:
            return f"{lead} (none recorded this year)"
        return lead
    pct = _pct_words(ratio)
    moved = "unchanged" if pct == "0%" else f"{'up' if ratio > 1 else 'down'} {pct}"
    return f"{lead} ({moved}{_interval(low, high)})"


def describe_trend(label: str, ratio: float | None = None, low: float | None = None,
                   high: float | None = None, method: str | None = None, figures: bool = True) -> str:
    """The trend in words: 'rising through the year (about 3% a month, 95% interval +1% to +5%)'."""
    if label == TOO_FEW or (ratio is None and label != RECORDING):
        return "too few months with data to judge a trend"
    if label == RECORDING:
        return "no trend given: the way this is recorded changed during the period"
    lead = {RISING: "rising through the year", FALLING: "falling through the year"}.get(
        label, "no clear trend through the year")
    if not figures or label not in (RISING, FALLING):
        return lead
    season = ", allowing for season" if method == TREND_GLM_SEASONAL else ""
    return f"{lead} (about {_pct_words(ratio)} a month{_interval(low, high)}{season})"


def method_text(method: str | None) -> str:
    """What a test is and why it was used, for the methods appendix ('' for none)."""
    return METHODS.get(method or "", "")


METHOD_TITLES = {
    YOY_GLM: "Change against the previous year",
    YOY_GLM_NO_SEASON: "Change against the previous year (periods with different months)",
    YOY_EXACT: "Change against the previous year where one year holds no events",
    TREND_GLM: "Trend within the year",
    TREND_GLM_SEASONAL: "Trend over two years or more, allowing for season",
}


def methods_paragraphs(methods: Iterable[str], tests: int | None, significance: float) -> list[str]:
    """The methods appendix: one paragraph per test used in the assessment, then the adjustment.

    ``methods`` are the method ids stored with the tests (``change_method`` / ``trend_method`` labels);
    ``tests`` the number adjusted together (``tests_adjusted``).
    """
    used = [m for m in METHOD_TITLES if m in set(methods)]
    out = [f"{METHOD_TITLES[m]}: {METHODS[m]}" for m in used]
    if tests:
        out.append(f"Many tests at once: {METHODS[BH]} This assessment ran {int(tests)} tests; a "
                   f"change or trend is called significant when its adjusted value is below "
                   f"{significance:g}. Where a test alone would have been significant but is not after the "
                   "adjustment, the text says \"no clear change once the number of comparisons is allowed "
                   "for\".")
    if not used:
        out.append("No change or trend could be tested for this assessment.")
    return out
