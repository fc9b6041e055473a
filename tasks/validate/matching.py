"""How well police rows meet the geography and population they are counted on: measured, not hidden.

Under 2021 geography (the default) each stored police row says how its LSOA was placed at ingest
(``crime_record.lsoa_mapping``): a 2021 code found in the Census 2021 file, a 2011 code mapped through
the exact-fit lookup (U/M exact; S/X given to the most populous 2021 part), or unmatched. The LSOA
match rate is the share of rows with an LSOA code that reached a 2021 LSOA with a population; the MSOA
match rate the share that reached an MSOA. Rows mapped from 2011 codes and rows without an LSOA are
counted beside them, so the data-quality report states every row that is approximate or unplaced.

Under 2011 geography (``geography.vintage: 2011``) the older measure stands: 2021 codes on crime rows
against the 2011 population by code, and by MSOA name (the LSOA name minus its final letter).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
    vintage: int = 2011
    # rows by how their LSOA was placed; validation counts these over the whole window (both years)
    by_mapping: dict[str, int] = field(default_factory=dict)

    @property
    def mapped_from_2011(self) -> int:
        return sum(n for how, n in self.by_mapping.items() if how.startswith("2011-"))

    @property
    def split_given_to_largest_part(self) -> int:
        return self.by_mapping.get("2011-S", 0) + self.by_mapping.get("2011-X", 0)

    @property
    def unmatched(self) -> int:
        return self.by_mapping.get("unmatched", 0)


def msoa_name(lsoa_name: str | None, stored: str | None = None) -> str | None:
    """The MSOA name of an LSOA: the stored one, else the LSOA name minus its final letter."""
    if stored and stored.strip():
        return stored.strip()
    if not lsoa_name or not lsoa_name.strip():
        return None
    return lsoa_name.strip()[:-1].strip() or None


def _population(session: Session, file_ids: list[int]) -> tuple[set[str], set[str], set[str]]:
    if not file_ids:
        return set(), set(), set()
    p = models.Population
    rows = session.execute(select(p.lsoa_code, p.msoa_name, p.msoa_code)
                           .where(p.input_file_id.in_(file_ids))).all()
    return ({code for code, _, _ in rows if code}, {name.strip() for _, name, _ in rows if name},
            {code for _, _, code in rows if code})


def _crime_groups(session: Session, partnership_id: str, crime_file_ids: list[int], first_day: dt.date,
                  last_day: dt.date) -> list[tuple]:
    """The partnership is named as well as its files so that the store reads the partnership's rows
    for the months by index: given files and months alone, PostgreSQL read every partnership's rows of
    those months from the month index (on a national store, millions of index entries a question)."""
    c = models.CrimeRecord
    return session.execute(
        select(c.lsoa_code, c.lsoa_name, c.msoa_name, c.msoa_code, c.lsoa_mapping, func.count())
        .where(c.partnership_id == partnership_id, c.input_file_id.in_(crime_file_ids or [-1]),
               c.month >= first_day, c.month <= last_day)
        .group_by(c.lsoa_code, c.lsoa_name, c.msoa_name, c.msoa_code, c.lsoa_mapping)
    ).all()


def match_rates(session: Session, partnership_id: str, crime_file_ids: list[int], population_file_ids: list[int],
                first_day: dt.date, last_day: dt.date, vintage: int = 2021) -> MatchRates:
    """Match rates of the partnership's crime rows in these files dated within [first_day, last_day]."""
    codes, names, msoa_codes = _population(session, population_file_ids)
    groups = _crime_groups(session, partnership_id, crime_file_ids, first_day, last_day)
    lsoa_rows = lsoa_hit = msoa_rows = msoa_hit = without = 0
    by_mapping: dict[str, int] = {}
    for code, lsoa_name, stored_msoa, msoa_code, mapping, n in groups:
        if not (code and code.strip()):
            without += n
            continue
        lsoa_rows += n
        lsoa_hit += n if code.strip() in codes else 0
        if mapping:
            by_mapping[mapping] = by_mapping.get(mapping, 0) + n
        if vintage == 2021:
            msoa_rows += n
            msoa_hit += n if msoa_code and msoa_code in msoa_codes else 0
            continue
        name = msoa_name(lsoa_name, stored_msoa)
        if name:
            msoa_rows += n
            msoa_hit += n if name in names else 0
    return MatchRates(MatchRate(lsoa_hit, lsoa_rows), MatchRate(msoa_hit, msoa_rows), without, len(codes),
                      vintage, by_mapping)


def describe_mapping(rates: MatchRates) -> str:
    """One sentence for the data-quality report: rows mapped from 2011 codes, how, and unmatched."""
    if rates.vintage != 2021:
        return "geography 2011: rows placed by LSOA name; no 2011 -> 2021 mapping applied"
    exact = rates.by_mapping.get("2011-U", 0) + rates.by_mapping.get("2011-M", 0)
    return (f"in the assessment and comparison periods, {rates.mapped_from_2011:,} rows carried 2011 LSOA codes and were mapped to 2021 LSOAs "
            f"({exact:,} exactly: unchanged or merged; {rates.split_given_to_largest_part:,} from LSOAs "
            f"split or changed irregularly, given to the 2021 part with most residents); "
            f"{rates.unmatched:,} rows have an LSOA code in neither the 2021 census nor the 2011 lookup "
            "and are in no area")
