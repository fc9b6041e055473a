"""Cells safe to open in a spreadsheet: text that Excel or LibreOffice would run as a formula is
neutralised on the way out and restored on the way in.

A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be taken for a formula
(``=cmd|' /C calc'!A0``; "CSV injection"). Such a cell is written with a leading apostrophe, which
spreadsheets show as text and do not evaluate. Plain numbers (``-3``, ``+1.5``) are left alone: they
are numbers, not formulas. Every CSV/XLSX the project writes passes its cells through ``safe_cell``;
every sheet it reads back passes them through ``restore_cell``, so a round trip returns the text typed.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
QUOTE = "'"


def safe_cell(value: Any) -> Any:
    """The value as it may be written to a sheet; non-text values pass unchanged.

    Text that already looks neutralised (an apostrophe before a trigger) gets one more apostrophe, so
    ``restore_cell`` gives it back exactly.
    """
    if not isinstance(value, str) or _NUMBER.fullmatch(value):
        return value
    if value.startswith(TRIGGERS) or (value.startswith(QUOTE) and value[1:2] and value[1] in TRIGGERS + (QUOTE,)):
        return QUOTE + value
    return value


def restore_cell(value: Any) -> Any:
    """The inverse of ``safe_cell`` for a value read back from a sheet the project wrote."""
    if isinstance(value, str) and value.startswith(QUOTE) and value[1:2] and value[1] in TRIGGERS + (QUOTE,):
        return value[1:]
    return value


def safe_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: safe_cell(value) for key, value in row.items()}


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell, the column names and the index labels made safe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(c) for c in out.columns]
    out.index = out.index.map(safe_cell)
    return out
