"""Change that is tested, not just measured.

*Against last year* (both 12-month periods fully in the store): the exact conditional test for two
Poisson counts. Given n = current + previous events, and equal underlying rates in the two equally long
periods, the current count is Binomial(n, 0.5); ``scipy.stats.binomtest`` gives the two-sided p-value.
The label (significant increase / decrease / no significant change at ``thresholds.significance``)
is what findings use, not the raw percentage, because small counts swing wildly.

*Within the period* (when there is no comparable year): a Poisson regression of the monthly counts on
the month index, log E[y_t] = a + b t + log(exposure_t), fitted by Newton-Raphson (IRLS) in numpy; the
rate ratio per month is exp(b), tested by a likelihood-ratio test against a constant rate
(chi-squared, 1 degree of freedom). Labels: rising / falling / stable, or "too few months".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from csp import metrics as M
from tasks.assess.coverage import CURRENT, PREVIOUS, SourceCoverage
from tasks.assess.levels import table_name as levels_table
from tasks.assess.params import AssessParams
from tasks.assess.rows import ALL, TOTAL, MetricRow, metric_row
from tasks.assess.series import Series

INCREASE, DECREASE, NO_CHANGE, NOT_COMPARABLE = M.CHANGE_LABELS
RISING, FALLING, STABLE, TOO_FEW = M.TREND_LABELS
MIN_TREND_POINTS = 3
MAX_SLOPE = 5.0  # |log rate ratio| per month; beyond this the fit is degenerate (one non-zero month)


@dataclass(frozen=True)
class Change:
    """Current against previous count, with the exact test's p-value and label."""

    current: float
    previous: float | None
    change_count: float | None
    change_pct: float | None  # None where previous is zero or absent: never inf
    p_value: float | None
    label: str


def count_change(current: float, previous: float | None, comparable: bool, alpha: float) -> Change:
    """Exact conditional binomial test of current vs previous (equal-length periods)."""
    if not comparable or previous is None or (isinstance(previous, float) and math.isnan(previous)):
        return Change(current, None, None, None, None, NOT_COMPARABLE)
    cur, prev = int(round(current)), int(round(previous))
    n = cur + prev
    p_value = 1.0 if n == 0 else float(stats.binomtest(cur, n, 0.5, alternative="two-sided").pvalue)
    pct = 100.0 * (cur - prev) / prev if prev > 0 else None
    if p_value < alpha and cur > prev:
        label = INCREASE
    elif p_value < alpha and cur < prev:
        label = DECREASE
    else:
        label = NO_CHANGE
    return Change(float(cur), float(prev), float(cur - prev), pct, p_value, label)


@dataclass(frozen=True)
class Trend:
    """Monthly rate ratio from a Poisson regression on the month index, with its LR-test p-value."""

    ratio: float | None
    p_value: float | None
    label: str
    points: int


def _loglik(y: np.ndarray, eta: np.ndarray) -> float:
    return float(np.sum(y * eta - np.exp(eta)))


def _fit_poisson(y: np.ndarray, t: np.ndarray, offset: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood (intercept, slope) by Newton-Raphson with step halving."""
    x = np.column_stack([np.ones_like(t), t])
    beta = np.array([math.log(y.sum() / np.exp(offset).sum()), 0.0])
    best = _loglik(y, x @ beta + offset)
    for _ in range(100):
        mu = np.exp(x @ beta + offset)
        gradient = x.T @ (y - mu)
        hessian = x.T @ (x * mu[:, None])
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            break
        scale, improved = 1.0, False
        while scale > 1e-8 and not improved:
            trial = beta + scale * step
            trial[1] = float(np.clip(trial[1], -MAX_SLOPE, MAX_SLOPE))
            value = _loglik(y, x @ trial + offset)
            improved = value >= best - 1e-12
            scale /= 2
        if not improved:
            break
        moved = float(np.max(np.abs(trial - beta)))
        beta, best = trial, value
        if moved < 1e-10:
            break
    return float(beta[0]), float(beta[1])


def poisson_trend(counts: Sequence[float], months: Sequence[float], alpha: float,
                  exposure: Sequence[float] | None = None) -> Trend:
    """Trend of counts observed at month indices (exposure: months each count covers, default 1)."""
    y = np.asarray(counts, dtype=float)
    t = np.asarray(months, dtype=float)
    keep = ~np.isnan(y)
    y, t = y[keep], t[keep]
    e = np.ones_like(y) if exposure is None else np.asarray(exposure, dtype=float)[keep]
    if len(y) < MIN_TREND_POINTS:
        return Trend(None, None, TOO_FEW, len(y))
    if y.sum() == 0:
        return Trend(None, None, STABLE, len(y))
    offset = np.log(e)
    centred = t - t.mean()
    a, b = _fit_poisson(y, centred, offset)
    null_eta = np.full_like(y, math.log(y.sum() / e.sum())) + offset
    lr = max(2.0 * (_loglik(y, a + b * centred + offset) - _loglik(y, null_eta)), 0.0)
    p_value = float(stats.chi2.sf(lr, df=1))
    ratio = math.exp(b)
    label = STABLE if p_value >= alpha else (RISING if ratio > 1 else FALLING)
    return Trend(ratio, p_value, label, len(y))


def series_trend(values: pd.Series, period_months: int, alpha: float) -> Trend:
    """Trend of one category's series over the months given (index 'YYYY-MM')."""
    index = [pd.Period(m, freq="M").ordinal for m in values.index]
    return poisson_trend(values.to_numpy(dtype=float), index, alpha,
                         exposure=[period_months] * len(values))


def _change_rows(kind: str, category: str, row: str, result: Change, ids: list[int]) -> list[MetricRow]:
    table = levels_table(kind)
    bases = ((table, row, CURRENT), (table, row, PREVIOUS)) if result.label != NOT_COMPARABLE else (
        (table, row, CURRENT),)
    common = {"input_file_ids": ids, "bases": bases}
    return [
        metric_row(M.CHANGE_COUNT, kind, category, CURRENT, result.change_count, **common),
        metric_row(M.CHANGE_PCT, kind, category, CURRENT, result.change_pct, **common),
        metric_row(M.CHANGE_P_VALUE, kind, category, CURRENT, result.p_value, **common),
        metric_row(M.CHANGE, kind, category, CURRENT, result.change_pct, label=result.label, **common),
    ]


def _trend_rows(kind: str, category: str, row: str, trend: Trend, ids: list[int]) -> list[MetricRow]:
    bases = ((levels_table(kind), row, CURRENT),)
    return [
        metric_row(M.TREND_RATIO, kind, category, CURRENT, trend.ratio, label=trend.label,
                   input_file_ids=ids, bases=bases),
        metric_row(M.TREND_P_VALUE, kind, category, CURRENT, trend.p_value, input_file_ids=ids,
                   bases=bases),
    ]


@dataclass(frozen=True)
class Changes:
    changes: pd.DataFrame  # source_kind, category, current, previous, change_count, change_pct, p_value, label
    trends: pd.DataFrame  # source_kind, category, ratio, p_value, label, points
    metrics: tuple[MetricRow, ...]


def compute_changes(levels: pd.DataFrame, series: Series, coverage: dict[str, SourceCoverage],
                    params: AssessParams) -> Changes:
    """Year-on-year change where comparable, and the within-period trend, per source and category."""
    changes, trends, metrics = [], [], []
    for kind, rows in levels.groupby("source_kind", sort=False):
        cov = coverage[kind]
        ids = cov.files_for(params.previous_months + params.months)
        totals = rows[["current", "previous"]].sum(min_count=1)
        entries = [*((r.category, r.category, r.current, r.previous) for r in rows.itertuples()),
                   (ALL, TOTAL, totals["current"], totals["previous"])]
        src = series.sources.get(kind)
        for category, row, current, previous in entries:
            result = count_change(current, previous, cov.comparable, params.significance)
            changes.append({"source_kind": kind, "category": category, **result.__dict__})
            metrics += _change_rows(kind, category, row, result, ids)
            if src is None:
                continue
            values = src.frame.loc[src.blocks[CURRENT], category]
            trend = series_trend(values, src.period_months, params.significance)
            trends.append({"source_kind": kind, "category": category, **trend.__dict__})
            metrics += _trend_rows(kind, category, row, trend, cov.files_for(params.months))
    return Changes(pd.DataFrame(changes), pd.DataFrame(trends), tuple(metrics))
