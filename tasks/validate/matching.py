"""How well crime rows (2021 LSOA codes) meet the population table (2011 LSOAs): measured, not hidden.

data.police.uk places crimes in 2021 LSOAs; the only population by LSOA bundled is the 2011 Census.
Where boundaries changed the codes differ, so rates per 1,000 by LSOA lose those rows. Matching by MSOA
name (the LSOA name minus its final letter, 'Cambridge 008E' -> 'Cambridge 008') recovers most of them.
Both rates are stored as metrics so the papers can say how much of the data each rate rests on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from csp.store import models


@dataclass(frozen=True)
class MatchRate:
    """matched of rows (rows with a code or name to match); pct None when there is nothing to match."""

    matched: int
    rows: int

    @property
    def pct(self) -> float | None:
        return round(100.0 * self.matched / self.rows, 1) if self.rows else None

    def describe(self) -> str:
        if not self.rows:
            return "no rows to match"
        return f"{self.pct:.1f}% ({self.matched:,} of {self.rows:,} rows)"


@dataclass(frozen=True)
class MatchRates:
    lsoa: MatchRate
    msoa: MatchRate
    rows_without_lsoa: int
    population_lsoas: int  # LSOAs in the population table: zero means nothing could match


def msoa_name(lsoa_name: str | None, stored: str | None = None) -> str | None:
    """The MSOA name of an LSOA: the stored one, else the LSOA name minus its final letter."""
    if stored and stored.strip():
        return stored.strip()
    if not lsoa_name or not lsoa_name.strip():
        return None
    return lsoa_name.strip()[:-1].strip() or None


def _population(session: Session, file_ids: list[int]) -> tuple[set[str], set[str]]:
    if not file_ids:
        return set(), set()
    rows = session.execute(select(models.Population.lsoa_code, models.Population.msoa_name)
                           .where(models.Population.input_file_id.in_(file_ids))).all()
    return {code for code, _ in rows if code}, {name.strip() for _, name in rows if name}


def match_rates(session: Session, crime_file_ids: list[int], population_file_ids: list[int],
                first_day: dt.date, last_day: dt.date) -> MatchRates:
    """Match rates of the crime rows dated within [first_day, last_day]."""
    codes, names = _population(session, population_file_ids)
    groups = session.execute(
        select(models.CrimeRecord.lsoa_code, models.CrimeRecord.lsoa_name, models.CrimeRecord.msoa_name,
               func.count())
        .where(models.CrimeRecord.input_file_id.in_(crime_file_ids or [-1]),
               models.CrimeRecord.month >= first_day, models.CrimeRecord.month <= last_day)
        .group_by(models.CrimeRecord.lsoa_code, models.CrimeRecord.lsoa_name, models.CrimeRecord.msoa_name)
    ).all()
    lsoa_rows = lsoa_hit = msoa_rows = msoa_hit = without = 0
    for code, lsoa_name, stored_msoa, n in groups:
        if code and code.strip():
            lsoa_rows += n
            lsoa_hit += n if code.strip() in codes else 0
        else:
            without += n
        name = msoa_name(lsoa_name, stored_msoa)
        if name:
            msoa_rows += n
            msoa_hit += n if name in names else 0
    return MatchRates(MatchRate(lsoa_hit, lsoa_rows), MatchRate(msoa_hit, msoa_rows), without, len(codes))
