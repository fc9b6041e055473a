"""Wording of validation messages: file, row, column, rule, and the value that broke it.

The people who read these are analysts fixing a partner's file, so each message says where to look and
what was expected in words, not in GX's internal names.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_SAMPLE = 10


def plain(value: Any) -> Any:
    """Plain Python for JSON columns and messages: numpy scalars unwrapped, NaN as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    try:
        if value is not None and not isinstance(value, (str, int, float, bool)) and value != value:
            return None  # pd.NA, NaT
    except (TypeError, ValueError):
        pass
    return value


def columns_of(kwargs: dict[str, Any]) -> list[str]:
    if "column" in kwargs:
        return [kwargs["column"]]
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list") or [])


def column_of(kwargs: dict[str, Any]) -> str | None:
    """The column a message names: one column, a pair 'a, b', or None for the whole row/file."""
    if "column" in kwargs:
        return kwargs["column"]
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    return None


def row_message(label: str, row_number: int, column: str | None, rule: str, detail: str) -> str:
    where = f"column '{column}'" if column else "all columns"
    return f"{label} row {row_number}, {where}, rule '{rule}': {detail}"


def _allowed(values: list[Any]) -> str:
    shown = ", ".join(repr(v) for v in values[:6])
    return f"one of {shown}" + (f" (and {len(values) - 6} more)" if len(values) > 6 else "")


def _range(kwargs: dict[str, Any]) -> str:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    parts = []
    if low is not None:
        parts.append(f"{'above' if kwargs.get('strict_min') else 'at least'} {low}")
    if high is not None:
        parts.append(f"{'below' if kwargs.get('strict_max') else 'at most'} {high}")
    return " and ".join(parts)


def value_detail(gx_type: str, kwargs: dict[str, Any], values: dict[str, Any]) -> str:
    """Why this row's value fails this expectation, naming the value."""
    value = next(iter(values.values()), None)
    if gx_type == "expect_column_values_to_not_be_null":
        return "the value is empty"
    if gx_type == "expect_column_values_to_match_regex":
        return f"{value!r} does not match the pattern {kwargs['regex']}"
    if gx_type == "expect_column_values_to_be_in_set":
        return f"{value!r} is not {_allowed(list(kwargs['value_set']))}"
    if gx_type == "expect_column_values_to_be_between":
        return f"{value!r} is not {_range(kwargs)}"
    if gx_type == "expect_column_values_to_be_in_type_list":
        return f"{value!r} is a {type(value).__name__}, expected {_types(kwargs)}"
    if gx_type == "expect_column_pair_values_to_be_inside_polygons":
        x, y = (values.get(c) for c in columns_of(kwargs))
        return f"the point ({x}, {y}) is not inside the outline '{kwargs.get('outline')}' (at sea or abroad)"
    return f"{values!r} fails {gx_type}"


def _types(kwargs: dict[str, Any]) -> str:
    """The rule's types as a reader knows them: pandas' text type is text, as Python's is."""
    names = ["str" if name == "StringDtype" else name for name in kwargs["type_list"]]
    return " or ".join(dict.fromkeys(names))


def duplicate_detail(gx_type: str, key: tuple, first_row: int) -> str:
    if gx_type == "expect_column_values_to_be_unique":
        # the value itself (a Crime ID) stays in the quarantined row's raw record: messages reach papers
        return f"the value repeats the value of row {first_row} (the first copy is kept)"
    return f"the row repeats row {first_row} in every column (the first copy is kept)"


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:_SAMPLE])
    return f"row{'s' if len(rows) > 1 else ''} {shown}" + (" ..." if len(rows) > _SAMPLE else "")


def outcome_message(label: str, config: Any, rule: str, result: Any, rows: list[int],
                    error: str | None, missing: list[str]) -> str:
    """One line per expectation: passed, failed on which rows, or why it could not be evaluated."""
    column = column_of(config.kwargs)
    where = f"column '{column}'" if column else "the file"
    head = f"{label}: {where}, rule '{rule}'"
    if error is not None:
        if missing:
            return f"{head}: not checked because column(s) {', '.join(repr(c) for c in missing)} are missing"
        return f"{head}: could not be checked ({error})"
    if result.success and not rows:
        return f"{head}: passed"
    if rows:
        total = result.result.get("element_count")
        return f"{head}: {len(rows):,} of {total:,} rows fail ({_rows_text(rows)})"
    return _file_failure(label, config, rule, result)


def _file_failure(label: str, config: Any, rule: str, result: Any) -> str:
    kwargs, observed = config.kwargs, plain(result.result.get("observed_value"))
    if config.type == "expect_column_to_exist":
        return f"{label}: column '{kwargs['column']}' is missing (rule '{rule}')"
    if config.type == "expect_table_row_count_to_be_between":
        return f"{label}: the file has {observed} data rows, expected {_range(kwargs)} (rule '{rule}')"
    if config.type == "expect_column_values_to_be_in_type_list":
        return (f"{label}: column '{kwargs['column']}' holds {observed} values, expected "
                f"{_types(kwargs)} (rule '{rule}')")
    return f"{label}: column '{column_of(kwargs)}', rule '{rule}' failed (observed {observed!r})"


def window_summary(label: str, rule: str, rows: list[int], window: str, this_month: Any) -> str:
    head = f"{label}: column 'month', rule '{rule}'"
    if not rows:
        return f"{head}: passed (window {window}, current month {this_month})"
    return f"{head}: {len(rows):,} rows ({_rows_text(rows)})"
