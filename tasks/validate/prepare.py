"""The copy of a frame that Great Expectations sees.

Two things in pandas 3 would otherwise make GX give wrong answers: its type check does not recognise
the new ``str`` dtype (every text column would fail), and an integer column that went through
``to_numeric`` is float64 (every count would fail). Text columns are therefore handed over as Python
objects with empty strings as missing, and whole-number columns as Python ints, so the type rule is
checked value by value and names the rows that break it. The caller's frame is never modified.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csp.frames import FRAME_COLUMNS

INTEGER_COLUMNS = frozenset({"count", "persons", "households", "period_months"})
FLOAT_COLUMNS = frozenset({"longitude", "latitude"})
ROW_NUMBER = "row_number"


def _text(series: pd.Series, typed: bool = True) -> pd.Series:
    """Blank text as missing. A column of text only becomes pandas' "string" type: the suites' "column
    type" rule then holds for the whole column at once (the type admits nothing but text), where an
    object column is checked value by value, a quarter of Great Expectations' time on a force's
    year. A column holding anything else stays object, so the rule names each row that is not text.

    What is blank and whether all is text are decided on the column's distinct values (a force's
    month repeats a few hundred names and codes tens of thousands of times); the values themselves are
    taken from the column, never from the distinct ones (pandas counts 1, 1.0 and True as one value).
    """
    values = series.to_numpy(dtype=object, na_value=None, copy=True)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    blank_unique = np.fromiter((isinstance(u, str) and not u.strip() for u in uniques), bool, len(uniques))
    blank = (codes < 0) | blank_unique[np.maximum(codes, 0)] if len(uniques) else codes < 0
    values[blank] = None
    text = all(isinstance(u, str) for u, b in zip(uniques, blank_unique, strict=True) if not b)
    if typed and text and not blank.all():
        return pd.Series(pd.array(values, dtype="string"), index=series.index, name=series.name)
    return pd.Series(values, index=series.index, name=series.name, dtype=object)


def _whole(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    return value  # a fraction or text: left for the type rule to name


def _integer(series: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(series.dtype) and not series.isna().any():
        return series.astype("int64")
    return pd.Series([_whole(v) for v in series.astype(object)], index=series.index, dtype=object)


def gx_frame(kind: str, frame: pd.DataFrame, typed_text: bool = True) -> pd.DataFrame:
    """A normalised copy of ``frame`` for the suite of ``kind``.

    ``typed_text=False`` leaves text columns as objects: for a part whose results are cut from a
    source validation already made (``check_frame``), where the type only saves GX time, and the
    conversion would cost each partnership of a force its share of it again.

    Row numbers are how every problem is reported, so a frame without them, or with one repeated, is a
    reader bug and raises ValueError rather than producing messages that point at the wrong line.
    """
    if ROW_NUMBER not in frame.columns:
        raise ValueError(f"{kind} frame has no '{ROW_NUMBER}' column: readers must add the file's line numbers")
    out = frame.reset_index(drop=True).copy()
    out[ROW_NUMBER] = pd.to_numeric(out[ROW_NUMBER], errors="raise").astype("int64")
    repeated = out[ROW_NUMBER][out[ROW_NUMBER].duplicated()].unique()[:5].tolist()
    if repeated:
        raise ValueError(f"{kind} frame repeats row numbers {repeated}: each row needs its own file line number")
    for column in FRAME_COLUMNS[kind]:
        if column not in out.columns:
            continue
        if column in INTEGER_COLUMNS:
            out[column] = _integer(out[column])
        elif column in FLOAT_COLUMNS:
            if out[column].isna().all():
                out[column] = out[column].astype("float64")
        else:
            out[column] = _text(out[column], typed_text)
    return out
