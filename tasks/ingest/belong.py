"""Whether a file belongs to this partnership and this month, checked on every row before it can
replace anything.

* Another force: a police.uk row "Reported by" or "Falls within" a force other than the partnership's
  (``police_force`` in configuration) refuses the file.
* A misnamed month: a police.uk-style name ``YYYY-MM-...`` whose rows are for another month refuses
  the file (it would otherwise supersede the real month).
* Row rules over the whole file: rows outside the partnership's area are not stored, but a future or
  unparseable month, a badly shaped LSOA code or coordinates outside England and Wales on those rows
  are counted and reported apart (the rows inside the area are quarantined by the validation suites).
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from csp.config import Partnership
from csp.distinct import by_distinct
from csp.frame_memo import per_frame
from tasks.ingest.errors import IngestError

_NAMED_MONTH = re.compile(r"^(\d{4}-\d{2})-")
LSOA_CODE = r"[EW]0[12]\d{6}"
# England and Wales with a margin for the coast (the Isles of Scilly to Berwick, Anglesey to Lowestoft)
LONGITUDE = (-6.5, 1.9)
LATITUDE = (49.8, 55.9)
SHOWN_ROWS = 5


def _rows(frame: pd.DataFrame, mask: pd.Series) -> str:
    rows = [str(int(r)) for r in frame.loc[mask, "row_number"].head(SHOWN_ROWS)]
    more = int(mask.sum()) - len(rows)
    return ", ".join(rows) + (f" and {more:,} more" if more > 0 else "")


def check_force(kind: str, frame: pd.DataFrame, config: Partnership, label: str) -> None:
    """Refuse a police.uk file any row of which another force reported or covers."""
    if kind != "police_uk":
        return
    force = config.police_force.strip().casefold()
    found = per_frame("other force", frame, lambda: _other_force(frame, force), depends_on=force)
    if found is not None:
        heading, other, first = found
        raise IngestError(
            f"{label}: column '{heading}': {int(other.sum()):,} row(s) (rows {_rows(frame, other)}) are "
            f"from {first!r}, not {config.police_force} (police_force in {config.config_file}); this "
            "file is another force's: nothing from it was stored. Download the partnership's own force")


def _other_force(frame: pd.DataFrame, force: str) -> tuple[str, pd.Series, str] | None:
    """The first column naming a force other than ``force`` (casefolded): its heading, which rows, the
    first such name; None when every row is the force's."""
    def judge(values: pd.Series) -> pd.Series:
        text = values.astype("string").str.strip()
        return (text.notna() & (text.str.casefold() != force)).astype(bool)

    for column, heading in (("reported_by", "Reported by"), ("falls_within", "Falls within")):
        other = by_distinct(frame[column], judge)
        if other.any():
            return heading, other, frame[column].astype("string").str.strip()[other].iloc[0]
    return None


def check_named_month(kind: str, frame: pd.DataFrame, name: str, label: str) -> None:
    """A file named for one month (``2025-04-...``) must hold only that month's rows."""
    match = _NAMED_MONTH.match(name)
    if not match or "month" not in frame.columns or kind == "population":
        return
    named = match.group(1)
    other = per_frame("other month", frame, lambda: _other_month(frame, named), depends_on=named)
    if other.any():
        months = frame["month"].astype("string").str.strip()
        found = ", ".join(sorted(set(months[other]))[:6])
        raise IngestError(
            f"{label}: column 'Month': the file is named for {named} but {int(other.sum()):,} row(s) "
            f"(rows {_rows(frame, other)}) are for {found}; a misnamed file would replace the wrong "
            "month. Rename it for its month (or download the right month) and ingest it again")


def _other_month(frame: pd.DataFrame, named: str) -> pd.Series:
    def judge(values: pd.Series) -> pd.Series:
        months = values.astype("string").str.strip()
        parsed = months.str.fullmatch(r"\d{4}-\d{2}").fillna(False).astype(bool)
        return (parsed & (months != named)).fillna(False).astype(bool)

    return by_distinct(frame["month"], judge)


def row_rule_masks(kind: str, frame: pd.DataFrame, today: dt.date) -> dict[str, pd.Series]:
    """Per rule, which rows of the whole file break it (blank values are not judged here); worked out
    once per file for all the partnerships it serves (never modify the masks)."""
    return per_frame("row rules", frame, lambda: _row_rule_masks(kind, frame, today), depends_on=(kind, today))


def _month_rules(values: pd.Series, this_month: str) -> pd.DataFrame:
    months = values.astype("string").str.strip()
    shaped = months.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").fillna(False).astype(bool)
    return pd.DataFrame({"unparseable month": ~shaped,
                         "future month": shaped & (months > this_month).fillna(False).astype(bool)})


def _bad_codes(values: pd.Series) -> pd.Series:
    codes = values.astype("string").str.strip()
    return (codes.notna() & ~codes.str.fullmatch(LSOA_CODE).fillna(False)).astype(bool)


def _row_rule_masks(kind: str, frame: pd.DataFrame, today: dt.date) -> dict[str, pd.Series]:
    masks: dict[str, pd.Series] = {}
    if "month" in frame.columns:  # judged once per distinct value (csp/distinct.py), as for the codes
        months = by_distinct(frame["month"], lambda values: _month_rules(values, f"{today:%Y-%m}"))
        masks.update({rule: months[rule] for rule in months.columns})
    if kind == "police_uk":
        masks["bad LSOA code"] = by_distinct(frame["lsoa_code"], _bad_codes)
        lon, lat = frame["longitude"].astype(float), frame["latitude"].astype(float)
        placed = lon.notna() & lat.notna()
        outside = ~lon.between(*LONGITUDE) | ~lat.between(*LATITUDE)
        masks["coordinates outside England and Wales"] = (placed & outside).astype(bool)
    return masks


def outside_area_note(kind: str, frame: pd.DataFrame, inside_rows: pd.Series, today: dt.date) -> str:
    """What the rows outside the partnership's area break, counted apart ('' when nothing)."""
    outside = ~frame["row_number"].isin(set(inside_rows))
    parts = [f"{rule}: {int((mask & outside).sum()):,}" for rule, mask in
             row_rule_masks(kind, frame, today).items() if (mask & outside).any()]
    if not parts:
        return ""
    return ("rows outside the area (not stored) that break row rules - " + "; ".join(parts))
