"""Recording changes are not crime changes: sustained steps in a source's monthly series.

Police.uk categories sometimes multiply overnight and stay there (Gwent's criminal damage and arson
went from about 55 a month to about 600 in October 2023): a force changed how it records or
publishes, not what happened. Such a step makes any comparison across it meaningless, so it is found,
reported (metric ``recording_step`` for the data-quality report) and the comparisons it touches are
kept out of findings and priority scores unless an analyst accepts it in the partnership's
configuration (``accepted_recording_changes``).

The test, per source and category over every month held (up to the 24 of the cycle's window):

1. *Where*: each month that leaves at least ``step_min_months`` on both sides is a candidate start of
   a new level; the one whose two-level Poisson model has the smallest deviance is chosen.
2. *Beyond chance*: a quasi-Poisson GLM (``tasks.assess.stats.quasi_poisson``) of the counts on an
   indicator of "on or after the step" tests the step against no step, allowing for over-dispersion;
   the p-value is multiplied by the number of candidate months (Bonferroni, because the month was
   chosen to fit best) and must be below ``thresholds.significance``.
3. *Large*: the new level is at least ``step_min_ratio`` times the old one, or at most its inverse,
   and the higher level is at least ``STEP_MIN_LEVEL`` (10) a month (a category going from one a
   month to none is small numbers, not a recording change). Where one side holds no events at all
   the regression cannot be fitted and the exact conditional test is used (the counts of the two
   sides against their share of the months).
4. *Sustained*: at least ``STEP_PERSISTENCE`` (90%) of the months on each side lie nearer (on the log
   scale) to their own side's level than to the other's, so a single spike or a gradual drift is not
   called a step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csp import metrics as M
from tasks.assess.coverage import SourceCoverage
from tasks.assess.params import AssessParams
from tasks.assess.rows import ALL, MetricRow, metric_row
from tasks.assess.series import Series
from tasks.assess.series import table_name as series_table
from tasks.assess.stats import quasi_poisson

STEP_PERSISTENCE = 0.9
STEP_MIN_LEVEL = 10.0  # the higher of the two levels, a month: below this a "step" is small-number noise
NOT_ACCEPTED, ACCEPTED = M.RECORDING_STEP_LABELS


@dataclass(frozen=True)
class Step:
    """A sustained level shift: the first month at the new level and the two levels."""

    source_kind: str
    category: str
    month: str
    before: float  # mean monthly count before
    after: float  # mean monthly count from ``month`` on
    p_value: float  # Bonferroni-adjusted over the candidate months
    accepted: bool = False

    @property
    def ratio(self) -> float:
        return math.inf if self.before == 0 else self.after / self.before


def _deviance(y: np.ndarray, k: int) -> float:
    """Poisson deviance of the two-level model with the new level from position k."""
    total = 0.0
    for part in (y[:k], y[k:]):
        mu = part.mean()
        if mu > 0:
            positive = part[part > 0]
            total += 2 * float(np.sum(positive * np.log(positive / mu)) - np.sum(part - mu))
    return total


def _persistent(y: np.ndarray, k: int, before: float, after: float) -> bool:
    """Most months on each side sit nearer their own level than the other side's (log scale)."""
    logs = np.log(y + 0.5)
    lb, la = math.log(before + 0.5), math.log(after + 0.5)
    own_before = np.abs(logs[:k] - lb) < np.abs(logs[:k] - la)
    own_after = np.abs(logs[k:] - la) < np.abs(logs[k:] - lb)
    return bool(own_before.mean() >= STEP_PERSISTENCE and own_after.mean() >= STEP_PERSISTENCE)


def detect_step(values: pd.Series, alpha: float, min_ratio: float, min_months: int) -> tuple[str, float,
                                                                                          float, float] | None:
    """(first month at the new level, level before, level after, adjusted p) or None for no step."""
    series = values.dropna().astype(float)
    y = series.to_numpy()
    candidates = list(range(min_months, len(y) - min_months + 1))
    if not candidates or y.sum() == 0:
        return None
    k = min(candidates, key=lambda c: _deviance(y, c))
    before, after = float(y[:k].mean()), float(y[k:].mean())
    big = (after >= min_ratio * before or before >= min_ratio * after) and max(before, after) >= STEP_MIN_LEVEL
    if not big or not _persistent(y, k, before, after):
        return None
    if before == 0 or after == 0:
        n_after, total = int(y[k:].sum()), int(y.sum())
        from scipy.stats import binomtest

        p_value = min(1.0, float(binomtest(n_after, total, (len(y) - k) / len(y)).pvalue) * len(candidates))
    else:
        exog = np.column_stack([np.ones_like(y), (np.arange(len(y)) >= k).astype(float)])
        fit = quasi_poisson(y, exog, 1)
        if fit is None:
            return None
        p_value = min(1.0, fit.p_value * len(candidates))
    if p_value >= alpha:
        return None
    return str(series.index[k]), before, after, p_value


def _accepted(kind: str, category: str, month: str, accepted: tuple[tuple[str, str, str], ...]) -> bool:
    """An analyst accepted this step (same source and category, stated month within two months)."""
    start = pd.Period(month, freq="M")
    return any(kind == a_kind and category == a_cat and abs((pd.Period(a_month, freq="M") - start).n) <= 2
               for a_kind, a_cat, a_month in accepted)


@dataclass(frozen=True)
class Steps:
    steps: tuple[Step, ...]
    metrics: tuple[MetricRow, ...]

    def blocking(self, kind: str, months: list[str]) -> list[Step]:
        """Steps not accepted whose new level starts after the first of ``months`` and within them."""
        if not months:
            return []
        first, last = months[0], months[-1]
        return [s for s in self.steps if s.source_kind == kind and not s.accepted and first < s.month <= last]

    def blocked_categories(self, kind: str, months: list[str]) -> tuple[str, ...]:
        return tuple(sorted({s.category for s in self.blocking(kind, months)}))


def detect_steps(series: Series, coverage: dict[str, SourceCoverage], params: AssessParams) -> Steps:
    """Every sustained step in every source's category series (the totals follow their categories)."""
    found, rows = [], []
    for kind, src in series.sources.items():
        months = list(src.frame.index)
        for category in src.frame.columns:
            if category == ALL:
                continue
            hit = detect_step(src.frame[category], params.significance, params.step_min_ratio,
                              params.step_min_months)
            if hit is None:
                continue
            month, before, after, p_value = hit
            step = Step(kind, str(category), month, before, after, p_value,
                        _accepted(kind, str(category), month, params.accepted_recording_changes))
            found.append(step)
            bases = tuple((series_table(kind, src.block_of(m)), m, str(category)) for m in months
                          if m in src.blocks.get("current", []) + src.blocks.get("previous", []))
            rows.append(metric_row(M.RECORDING_STEP, kind, str(category), month, step.ratio,
                                   label=ACCEPTED if step.accepted else NOT_ACCEPTED, bases=bases,
                                   input_file_ids=coverage[kind].files_for(months)))
    return Steps(tuple(found), tuple(rows))
