"""Which rows belong to the partnership.

Police rows are placed by the LSOA name, whose prefix is the local authority in both the 2011 and 2021
vintages ("Cambridge 008E"), so the 2021 codes on crime rows need no lookup to be filtered. Rows without
an LSOA cannot be placed in any partnership: they are counted and reported, never stored silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from csp.config import Partnership

_LSOA_SUFFIX = re.compile(r"\s+\d{3}[A-Z]$")


def la_of_lsoa_name(names: pd.Series) -> pd.Series:
    """'Cambridge 008E' -> 'Cambridge'; None stays None."""
    return names.astype("string").str.replace(_LSOA_SUFFIX, "", regex=True)


def msoa_of_lsoa_name(names: pd.Series) -> pd.Series:
    """'Cambridge 008E' -> 'Cambridge 008' (the MSOA name, the same in 2011 and 2021 for most)."""
    return names.astype("string").str.replace(r"[A-Z]$", "", regex=True).str.strip()


@dataclass(frozen=True)
class AreaSplit:
    inside: pd.DataFrame
    outside: int  # rows placed in another authority
    unlocated: int  # rows with no LSOA at all


def split_police(frame: pd.DataFrame, config: Partnership) -> AreaSplit:
    prefix = config.local_authority.lsoa_name_prefix
    authority = la_of_lsoa_name(frame["lsoa_name"])
    unlocated = authority.isna()
    inside = (authority == prefix).fillna(False).astype(bool)
    kept = frame[inside].copy()
    kept["msoa_name"] = msoa_of_lsoa_name(kept["lsoa_name"]).astype(object)
    return AreaSplit(kept, outside=int((~inside & ~unlocated).sum()), unlocated=int(unlocated.sum()))


def split_population(frame: pd.DataFrame, config: Partnership) -> AreaSplit:
    inside = frame["la_code"] == config.local_authority.code
    return AreaSplit(frame[inside].copy(), outside=int((~inside).sum()), unlocated=0)


def split_partner(frame: pd.DataFrame, config: Partnership) -> AreaSplit:
    """Partner tables may cover several districts (a 'district' column); keep this authority's rows."""
    district = frame["district"]
    if district.isna().all():
        return AreaSplit(frame.copy(), outside=0, unlocated=0)
    name = config.local_authority.name.casefold()
    inside = district.astype("string").str.strip().str.casefold() == name
    inside = inside.fillna(False).astype(bool)
    return AreaSplit(frame[inside].copy(), outside=int((~inside).sum()), unlocated=0)
