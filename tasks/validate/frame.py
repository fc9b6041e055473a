"""Checking one normalised frame: the GX suite of its kind, then the assessment-window rules.

Severity decides what a failure does. A blocking rule that fails on some rows quarantines those rows
(the rest of the file goes in); a blocking rule about the file as a whole (a missing column, no rows,
every row outside the window) refuses the file. A warning never removes anything: it is counted and
reported. Every message names the file, the row, the column and the rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from csp.cycle import CyclePeriod
from csp.frames import FRAME_COLUMNS, CheckOutcome, RowProblem
from tasks.validate import messages
from tasks.validate.prepare import ROW_NUMBER, gx_frame
from tasks.validate.source import SourceValidation, exception_message, results_for

OUTSIDE_WINDOW = "month outside the assessment window"
FUTURE_MONTH = "month in the future"
DUPLICATE_TYPES = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")


@dataclass(frozen=True)
class FrameCheck:
    """What the checks made of one file's frame."""

    kind: str
    file_label: str
    accepted: pd.DataFrame  # the input rows minus every row with a (blocking) problem
    problems: list[RowProblem]  # one per failed rule per row: these rows are quarantined
    outcomes: list[CheckOutcome]  # one per expectation, window rules included
    blocking_errors: list[str]  # non-empty: the file must not be stored
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_quarantined(self) -> int:
        return len({p.row_number for p in self.problems})


@dataclass
class _Collector:
    kind: str
    label: str
    checked: pd.DataFrame  # the GX copy, indexed by row number
    problems: list[RowProblem] = field(default_factory=list)
    outcomes: list[CheckOutcome] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def raw(self, row_number: int) -> dict[str, Any]:
        if row_number not in self.checked.index:
            return {}
        row = self.checked.loc[row_number]
        if isinstance(row, pd.DataFrame):  # repeated row numbers: a reader bug, keep the first
            row = row.iloc[0]
        return {str(k): messages.plain(v) for k, v in row.items()}


def _row_numbers(result: Any) -> list[int]:
    return [int(item[ROW_NUMBER]) for item in result.result.get("unexpected_index_list") or []]


def _duplicate_problems(col: _Collector, config: Any, rows: list[int], rule: str) -> list[RowProblem]:
    """The first copy of a repeated value or row is kept; the repeats are quarantined."""
    columns = config.kwargs.get("column_list") or [config.kwargs["column"]]
    first_seen: dict[tuple, int] = {}
    problems = []
    for row_number in sorted(rows):
        key = tuple(messages.plain(col.checked.at[row_number, c]) for c in columns)
        if key not in first_seen:
            first_seen[key] = row_number
            continue
        column = config.kwargs.get("column")
        detail = messages.duplicate_detail(config.type, key, first_seen[key])
        problems.append(RowProblem(row_number, column, rule,
                                   messages.row_message(col.label, row_number, column, rule, detail),
                                   col.raw(row_number)))
    return problems


def _row_problems(col: _Collector, config: Any, rows: list[int], rule: str) -> list[RowProblem]:
    if config.type in DUPLICATE_TYPES:
        return _duplicate_problems(col, config, rows, rule)
    column = messages.column_of(config.kwargs)
    problems = []
    for row_number in rows:
        values = {c: messages.plain(col.checked.at[row_number, c])
                  for c in messages.columns_of(config.kwargs) if c in col.checked.columns}
        detail = messages.value_detail(config.type, config.kwargs, values)
        problems.append(RowProblem(row_number, column, rule,
                                   messages.row_message(col.label, row_number, column, rule, detail),
                                   col.raw(row_number)))
    return problems


def _record(col: _Collector, result: Any) -> None:
    """Turn one GX result into an outcome, and into row problems or file-level messages."""
    config = result.expectation_config
    severity, rule = config.meta["severity"], config.meta["rule"]
    column = messages.column_of(config.kwargs)
    error = exception_message(result)
    row_level = error is None and "unexpected_index_list" in result.result
    rows = _row_numbers(result) if row_level else []
    problems = _row_problems(col, config, rows, rule) if row_level and severity == "blocking" else []
    missing = [c for c in messages.columns_of(config.kwargs) if c not in col.checked.columns]
    text = messages.outcome_message(col.label, config, rule, result, rows, error, missing)
    blocks_file = not result.success and not row_level and severity == "blocking" and not (error and missing)
    if blocks_file:
        col.blocking.append(text)
    elif not result.success and severity == "warning":
        col.warnings.append(text)
    col.problems.extend(problems)
    col.outcomes.append(CheckOutcome(
        suite=col.kind, expectation=config.type, column=column, severity=severity,
        success=bool(result.success), element_count=result.result.get("element_count"),
        unexpected_count=len(rows) if row_level else (None if result.success else 1), message=text,
        details={"rule": rule, "scope": "row" if row_level else "file", "blocks_file": blocks_file,
                 "quarantined": len(problems), "rows": rows[:20],
                 "observed_value": messages.plain(result.result.get("observed_value"))},
    ))


def _months(checked: pd.DataFrame) -> pd.Series:
    """Valid 'YYYY-MM' months as monthly periods; anything else is NaT (the format rule names it)."""
    text = checked["month"].where(checked["month"].map(lambda v: isinstance(v, str)), None)
    parsed = pd.to_datetime(text, format="%Y-%m", errors="coerce")
    return parsed.dt.to_period("M")


def _window_rules(col: _Collector, period: CyclePeriod, today: dt.date) -> None:
    """Months before the comparison year, after the period, or after this month are quarantined."""
    months = _months(col.checked)
    valid = months.notna()
    this_month = pd.Period(today, freq="M")
    future = valid & (months > this_month)
    outside = valid & ~future & ((months < period.window_start) | (months > period.end))
    window = f"{period.window_start}..{period.end}"
    for rule, mask, why in (
        (FUTURE_MONTH, future, f"is after the current month ({this_month})"),
        (OUTSIDE_WINDOW, outside, f"is outside {window} (the assessment period and the year before it)"),
    ):
        rows = [int(r) for r in col.checked.index[mask.to_numpy()]]
        for row_number in rows:
            detail = f"month {col.checked.at[row_number, 'month']!r} {why}"
            col.problems.append(RowProblem(row_number, "month", rule,
                                           messages.row_message(col.label, row_number, "month", rule, detail),
                                           col.raw(row_number)))
        col.outcomes.append(CheckOutcome(
            suite=col.kind, expectation=rule, column="month", severity="blocking", success=not rows,
            element_count=int(valid.sum()), unexpected_count=len(rows),
            message=messages.window_summary(col.label, rule, rows, window, this_month),
            details={"rule": rule, "scope": "row", "blocks_file": False, "quarantined": len(rows),
                     "rows": rows[:20], "window": window, "today": today.isoformat()},
        ))
    if valid.any() and bool((future | outside)[valid].all()):
        col.blocking.append(
            f"{col.label}: column 'month': every row is outside the assessment window {window} "
            f"or in the future (rules '{OUTSIDE_WINDOW}', '{FUTURE_MONTH}'); is this the right file "
            f"for cycle {period.name}?"
        )


def check_frame(kind: str, frame: pd.DataFrame, file_label: str, period: CyclePeriod,
                today: dt.date, validation: SourceValidation | None = None) -> FrameCheck:
    """Run the suite of ``kind`` and the window rules on one file's frame; never raises on bad data.

    With ``validation`` (one GX run over the whole source, tasks/validate/source.py) the suite's
    results for these rows are cut from it instead of asking GX again.
    """
    if kind not in FRAME_COLUMNS:
        raise ValueError(f"no expectation suite for input kind {kind!r}; expected one of {tuple(FRAME_COLUMNS)}")
    checked = gx_frame(kind, frame, typed_text=validation is None)
    col = _Collector(kind, file_label, checked.set_index(ROW_NUMBER, drop=False))
    for result in results_for(kind, file_label, checked, validation):
        _record(col, result)
    if "month" in FRAME_COLUMNS[kind] and "month" in checked.columns and len(checked):
        _window_rules(col, period, today)
    rejected = {p.row_number for p in col.problems}
    accepted = frame[~frame[ROW_NUMBER].astype("int64").isin(rejected)]
    if len(frame) and accepted.empty and not col.blocking:
        shown = "; ".join(p.reason for p in col.problems[:3])
        more = f" (and {len(col.problems) - 3:,} more)" if len(col.problems) > 3 else ""
        col.blocking.append(f"{file_label}: no row passed the checks: all {len(frame):,} rows would be "
                            f"quarantined, so nothing was stored. The problems: {shown}{more}")
    return FrameCheck(kind, file_label, accepted, col.problems, col.outcomes, col.blocking, col.warnings)
