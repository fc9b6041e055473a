"""Work done once per distinct value of a column and spread back row for row.

A police file's columns repeat a handful of values (one month, one or two forces, a few hundred LSOA
codes in seven thousand rows): pandas' string methods work value by value in Python, so judging the
distinct values and spreading the answer is most of the cost saved, with the same answer per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd


def by_distinct(values: pd.Series, work: Callable[[pd.Series], Any]) -> Any:
    """``work`` (a Series or DataFrame, one row per value it is given) done on each distinct value of
    ``values`` once (blanks included, as themselves) and spread back to ``values``' rows and index."""
    positions, distinct = pd.factorize(values, use_na_sentinel=False)
    answer = work(pd.Series(distinct, dtype=values.dtype))
    spread = answer.iloc[positions]
    spread.index = values.index
    return spread
