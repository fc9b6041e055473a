"""The numbers of a quarterly performance report, read from the store.

A cycle's board adopts priorities for the year after its assessment period; the TCG watches that year
a quarter at a time. Cycle 2025-26 (assessment October 2024 to September 2025) is monitored over
2026-27's period: its Q1 is October to December 2025. Each measure is the quarter's count against the
same quarter a year earlier (exact conditional binomial test, as in the assessment: monthly counts vary
more than Poisson, so a "significant" label is generous) and against the assessment year's average
quarter (descriptive only: the average is not a count).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from csp.config import Partnership
from csp.cycle import CyclePeriod, Quarter, monitoring_quarter
from csp.store import models
from csp.themes import THEMES_BY_ID
from tasks.assess.stats import exact_change, not_compared
from tasks.prioritise.common import AREA, PRIORITY_CLASSES, PRIORITY_THEME_VALUES, THEME
from tasks.prioritise.store import RecommendationView


def monitored_quarter(config: Partnership, cycle: str, number: int) -> Quarter:
    """Quarter ``number`` of the year cycle ``cycle``'s priorities are for (the next cycle's period)."""
    period = config.cycle(cycle)
    return monitoring_quarter(period.priorities_year, number, config.assessment.period_end_month)


def quarter_due(config: Partnership, quarter: Quarter) -> dt.date:
    """First day of the month in which the quarter's last month is published (police.uk: December's
    data in February); the quarterly schedule runs a month later to be safe."""
    month = quarter.end + max(config.assessment.publication_lag_months, 1)
    return month.start_time.date()


def due_quarters(config: Partnership, cycle: str, today: dt.date) -> list[Quarter]:
    """The quarters of the cycle's monitoring year that are published by ``today`` and on disk."""
    from csp.year import latest_data_month

    newest = latest_data_month(config)
    quarters = [monitored_quarter(config, cycle, q) for q in range(1, 5)]
    return [q for q in quarters if quarter_due(config, q) <= today and (newest is None or q.end <= newest)]


def _bounds(months: list[pd.Period]) -> tuple[dt.date, dt.date]:
    return months[0].start_time.date(), months[-1].start_time.date()


def _file_ids(session: Session, partnership_id: str, kind: str) -> list[int]:
    return list(session.scalars(select(models.InputFile.id).where(
        models.InputFile.partnership_id == partnership_id, models.InputFile.source_kind == kind,
        models.InputFile.status == "current")))


def police_months(session: Session, partnership_id: str) -> set[pd.Period]:
    c = models.CrimeRecord
    ids = _file_ids(session, partnership_id, "police_uk")
    months = session.scalars(select(c.month).where(c.input_file_id.in_(ids)).distinct())
    return {pd.Period(m, freq="M") for m in months}


def police_count(session: Session, partnership_id: str, months: list[pd.Period],
                 categories: tuple[str, ...] | None = None, msoa_names: tuple[str, ...] | None = None) -> int:
    c = models.CrimeRecord
    first, last = _bounds(months)
    stmt = select(func.count(c.id)).where(
        c.partnership_id == partnership_id, c.input_file_id.in_(_file_ids(session, partnership_id, "police_uk")),
        c.month >= first, c.month <= last)
    if categories:
        stmt = stmt.where(c.category.in_(categories))
    if msoa_names is not None:
        stmt = stmt.where(c.msoa_name.in_(msoa_names))
    return int(session.scalar(stmt) or 0)


@dataclass(frozen=True)
class Measure:
    """One line of the report: a count this quarter beside its two comparisons."""

    priority: str
    measure: str
    quarter: int
    last_year: int | None
    year_average: float | None
    change_label: str
    p_value: float | None

    def against_average_pct(self) -> float | None:
        if not self.year_average:
            return None
        return 100.0 * (self.quarter - self.year_average) / self.year_average


def measure(priority: str, name: str, quarter: int, last_year: int | None, year_total: int | None,
            alpha: float) -> Measure:
    # Three months against three: too few points to estimate over-dispersion, so the exact test on the
    # totals; the wording calls a quarter's change "higher/lower than the same quarter last year" only then.
    change = exact_change(quarter, last_year, alpha) if last_year is not None else not_compared(quarter)
    average = None if year_total is None else year_total / 4
    return Measure(priority, name, quarter, last_year, average, change.label, change.p_value)


def _covered(available: set[pd.Period], months: list[pd.Period]) -> bool:
    return all(m in available for m in months)


def theme_measures(session: Session, config: Partnership, views: list[RecommendationView],
                   quarter: Quarter, assessment: CyclePeriod) -> list[Measure]:
    """Each adopted thematic priority's police categories (all together, then one by one)."""
    available = police_months(session, config.id)
    last_year = [m - 12 for m in quarter.months]
    have_last = _covered(available, last_year)
    have_year = _covered(available, assessment.months)
    out = []
    for view in views:
        if view.kind != THEME or view.adopted not in PRIORITY_THEME_VALUES or view.subject not in THEMES_BY_ID:
            continue
        theme = THEMES_BY_ID[view.subject]
        groups = [(f"All {theme.title.lower()} (police recorded)", theme.police_categories)] if len(
            theme.police_categories) > 1 else []
        groups += [(category, (category,)) for category in theme.police_categories]
        for name, categories in groups:
            out.append(measure(
                view.subject_name, name, police_count(session, config.id, quarter.months, categories),
                police_count(session, config.id, last_year, categories) if have_last else None,
                police_count(session, config.id, assessment.months, categories) if have_year else None,
                config.thresholds.significance))
    return out


def area_names(session: Session, partnership_id: str, code: str) -> tuple[str, ...]:
    """The MSOA names an area code stands for in the population table (crimes carry MSOA names)."""
    p = models.Population
    return tuple(session.scalars(select(p.msoa_name).where(p.partnership_id == partnership_id,
                                                           p.msoa_code == code).distinct()))


def area_measures(session: Session, config: Partnership, views: list[RecommendationView],
                  quarter: Quarter, assessment: CyclePeriod) -> list[Measure]:
    """Each priority area's recorded crime and ASB this quarter, with its class."""
    available = police_months(session, config.id)
    last_year = [m - 12 for m in quarter.months]
    out = []
    for view in views:
        if view.kind != AREA or view.adopted not in PRIORITY_CLASSES:
            continue
        names = area_names(session, config.id, view.subject) or (view.subject_name,)
        out.append(measure(
            view.adopted, f"{view.subject_name} ({view.subject})",
            police_count(session, config.id, quarter.months, msoa_names=names),
            police_count(session, config.id, last_year, msoa_names=names)
            if _covered(available, last_year) else None,
            police_count(session, config.id, assessment.months, msoa_names=names)
            if _covered(available, assessment.months) else None,
            config.thresholds.significance))
    return out


def financial_quarter(month: pd.Period) -> tuple[str, int]:
    """(financial year '2025-26', quarter 1-4 with Q1 = April-June) of a month."""
    first = month.year if month.month >= 4 else month.year - 1
    return f"{first}-{(first + 1) % 100:02d}", (month.month - 4) % 12 // 3 + 1


def idva_table(session: Session, partnership_id: str, quarter: Quarter) -> dict:
    """The seed's quarterly IDVA table: quarters 1-4 down, the last financial year and this one across."""
    year, _ = financial_quarter(quarter.end)
    first = int(year[:4])
    years = [f"{first - 1}-{first % 100:02d}", year]
    p = models.PartnerRecord
    ids = _file_ids(session, partnership_id, "idva")
    rows = session.execute(select(p.month, func.sum(p.count)).where(
        p.partnership_id == partnership_id, p.input_file_id.in_(ids), p.period_months == 3)
        .group_by(p.month)).all()
    counts = {financial_quarter(pd.Period(month, freq="M")): int(total) for month, total in rows}
    table = [{"quarter": str(q), "previous": counts.get((years[0], q)), "current": counts.get((years[1], q))}
             for q in range(1, 5)]
    return {"years": [y.replace("-", "/") for y in years], "rows": table, "has_data": bool(counts)}


def actions_due(session: Session, partnership_id: str, until: dt.date) -> list[models.Action]:
    """Open actions due by ``until`` (the next TCG), earliest first."""
    a = models.Action
    rows = session.scalars(select(a).where(a.partnership_id == partnership_id, a.due.is_not(None),
                                           a.due <= until).order_by(a.due, a.number)).all()
    return [row for row in rows if not (row.status or "").lower().startswith(("closed", "complete", "done"))]
