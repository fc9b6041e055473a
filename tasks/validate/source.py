"""One Great Expectations validation over every file of a source, read back file by file.

Great Expectations costs about a second a call whatever the size of the frame (building metrics and
results for some thirty expectations), so checking thirteen monthly files one by one paid that
thirteen times. Here the files' prepared frames are stacked, with the file and line of every row kept
beside it, and validated once; each expectation's result is then cut back to one file (or to the part
of a file inside one partnership's area), so every problem still names its file, line and column and
the per-file refusal rules see exactly what they saw before.

Cutting back is exact for the row-level rules (a row breaks a value rule whatever else is in the
frame) and for the uniqueness rules (a value repeated within one file is repeated in the stack; of the
stack's repeats only those within the part are kept). A rule about the frame as a whole (a missing
column, a column type decided from its dtype, the row count) that fails on the stack cannot be cut
back, so such a part is validated on its own, as before: the exact old answer, at the old price, only
when something is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pandas as pd

from csp.frame_memo import per_frame
from csp.frames import FRAME_COLUMNS
from tasks.validate.prepare import ROW_NUMBER, gx_frame
from tasks.validate.runtime import run_suite

PART = "_source_file"
KEY = "_source_key"
UNIQUE_TYPES = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")


@dataclass(frozen=True)
class SourceValidation:
    """The GX results for a stack of files, and the stack itself (file label, line, key per row)."""

    kind: str
    stacked: pd.DataFrame  # the prepared rows of every file, with PART and KEY columns
    columns: dict[str, tuple[str, ...]]  # each file's own columns: a part with others is redone alone
    results: list[Any]


def validate_source(kind: str, files: list[tuple[str, pd.DataFrame]]) -> SourceValidation:
    """Validate the files of one source in a single GX call (labels must be unique)."""
    labels = [label for label, _ in files]
    if len(set(labels)) != len(labels):
        raise ValueError(f"{kind}: file labels repeat: {labels}")
    prepared = []
    for label, frame in files:
        checked = gx_frame(kind, frame)
        checked[PART] = label
        prepared.append(checked)
    columns = {label: tuple(c for c in p.columns if c != PART) for label, p in zip(labels, prepared, strict=True)}
    stacked = pd.concat(prepared, ignore_index=True) if prepared else pd.DataFrame()
    stacked[KEY] = range(len(stacked))
    results = run_suite(kind, stacked.drop(columns=[PART]), index_column=KEY, values=False) if len(stacked) else []
    return SourceValidation(kind, stacked, columns, results)


def unexpected_keys(result: Any) -> list[int]:
    """The stack keys of the unexpected rows, in either shape GX returns them."""
    found: list[int] = []
    for item in result.result.get("unexpected_index_list") or []:
        value = item[KEY] if isinstance(item, dict) else item
        found += [int(v) for v in value] if isinstance(value, list) else [int(value)]
    return found


def _shape(kind: str, columns: Any) -> tuple[str, ...]:
    """The columns the suite can see (others, such as the MSOA added by the area split, are ignored)."""
    return tuple(sorted(c for c in columns if c in FRAME_COLUMNS[kind]))


def _row_level(result: Any) -> bool:
    return exception_message(result) is None and "unexpected_index_list" in result.result


def exception_message(result: Any) -> str | None:
    """GX reports a failed evaluation either flat or per metric; return its message, if any."""
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "error")
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message") or "error")
    return None


def _unique_within(part: pd.DataFrame, keys: list[int], columns: list[str]) -> list[int]:
    """Of the stack's repeated rows, those whose value repeats within this part: compared as GX
    compares them (``duplicated`` on the values themselves, as its uniqueness rules do)."""
    if not keys:
        return []
    rows = part.loc[part[KEY].isin(keys), columns]
    repeated = rows.duplicated(keep=False)
    return rows.index[repeated.to_numpy()].tolist()


def _part_result(result: Any, part: pd.DataFrame) -> SimpleNamespace:
    """One expectation's result restricted to the rows of one part, with rows named by file line."""
    config = result.expectation_config
    keys = unexpected_keys(result)
    lines: list[int] = []
    if keys:  # most rules pass on every row: nothing to look up
        in_part = part.index[part[KEY].isin(keys).to_numpy()].tolist()
        if config.type in UNIQUE_TYPES:
            columns = config.kwargs.get("column_list") or [config.kwargs["column"]]
            in_part = _unique_within(part, part.loc[in_part, KEY].tolist(), columns)
        lines = part.loc[in_part, ROW_NUMBER].astype("int64").tolist()
    body = {"element_count": len(part), "unexpected_count": len(lines),
            "unexpected_index_list": [{ROW_NUMBER: line} for line in lines]}
    return SimpleNamespace(success=not lines, result=body, expectation_config=config,
                           exception_info=result.exception_info)


def _whole_frame_result(result: Any, rows: int) -> SimpleNamespace | None:
    """A passed rule about the frame as a whole, for a part of ``rows`` rows (None: ask again)."""
    body = {**result.result, "element_count": rows}
    config = result.expectation_config
    if config.type == "expect_table_row_count_to_be_between":
        low, high = config.kwargs.get("min_value"), config.kwargs.get("max_value")
        if (low is not None and rows < low) or (high is not None and rows > high):
            return None
        body["observed_value"] = rows
    return SimpleNamespace(success=True, result=body, expectation_config=config,
                           exception_info=result.exception_info)


def part_results(validation: SourceValidation, label: str, checked: pd.DataFrame) -> list[Any] | None:
    """The results for the prepared rows ``checked`` (all or some lines of file ``label``); None when
    they cannot be cut from the stack and the part must be validated on its own."""
    if label not in validation.columns or not len(checked):
        return None
    stacked = validation.stacked
    if _shape(validation.kind, checked.columns) != _shape(validation.kind, stacked.columns):
        return None  # the stack has columns this part lacks (another file had them): whole-frame rules differ
    whole_file = per_frame("file's rows", stacked, lambda: stacked[(stacked[PART] == label).to_numpy()],
                           depends_on=label)  # the same for each partnership the file serves
    part = whole_file[whole_file[ROW_NUMBER].isin(checked[ROW_NUMBER]).to_numpy()]
    if len(part) != len(checked):
        return None  # lines that were not in the stacked file
    out = []
    for result in validation.results:
        if _row_level(result):
            out.append(_part_result(result, part))
            continue
        whole = _whole_frame_result(result, len(part)) if result.success else None
        if whole is None:
            return None  # a whole-frame rule failed: ask again for this part alone
        out.append(whole)
    return out


def results_for(kind: str, label: str, checked: pd.DataFrame,
                validation: SourceValidation | None = None) -> list[Any]:
    """GX results for one file's prepared frame: cut from a source validation when possible, else
    validated on its own."""
    if validation is not None:
        found = part_results(validation, label, checked)
        if found is not None:
            return found
    return run_suite(kind, checked)
