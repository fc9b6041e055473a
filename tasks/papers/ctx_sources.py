"""Sources, coverage and area matching: shared by the assessment's data notes and the data-quality report.

Every file is shown with its name, checksum, rows and period, and flagged when it is illustrative, so a
reader can trace a figure to the exact file and knows which findings rest on invented partner data.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from csp import metrics as M
from csp.config import Partnership
from csp.suppression import small_label
from tasks.papers import store_read as R
from tasks.papers.common import Setting, month_label
from tasks.papers.numbers import WITHHELD, Numbers

SOURCE_LABELS = {
    "police_uk": "Police (data.police.uk)",
    "population": "Population (Census 2011)",
    "boundaries": "LSOA boundaries (ONS)",
    "fire": "Fire and rescue",
    "ambulance": "Ambulance",
    "ae": "Emergency department",
    "idva": "IDVA referrals",
    "council_asb": "Council ASB team",
    "hate_crime": "Hate crime reports",
}
REFERENCE_KINDS = ("population", "boundaries")  # no months: not part of the coverage tables
MISSING = "missing"
IN_QUARTER = "quarterly"


def is_illustrative(config: Partnership, kind: str) -> bool:
    source = config.sources.get(kind)
    return bool(source and source.illustrative)


def source_label(config: Partnership, kind: str) -> str:
    """A short source name for tables; illustrative sources say so wherever they appear."""
    label = SOURCE_LABELS.get(kind, kind)
    return f"{label} (illustrative)" if is_illustrative(config, kind) else label


def _description(config: Partnership, kind: str) -> str:
    """The configured description, without an '(illustrative)' the templates add from the flag."""
    source = config.sources.get(kind)
    text = source.description if source and source.description else SOURCE_LABELS.get(kind, kind)
    return re.sub(r"\s*\(illustrative\)\s*$", "", text, flags=re.IGNORECASE)


def _period(file: R.FileRow) -> str:
    if file.month_min is None:
        return "n/a"
    first, last = month_label(file.month_min), month_label(file.month_max or file.month_min)
    return first if first == last else f"{first} – {last}"


def source_rows(setting: Setting, files: list[R.FileRow]) -> list[dict[str, Any]]:
    nb = setting.numbers
    return [{
        "kind": f.source_kind,
        "description": _description(setting.config, f.source_kind),
        "file_name": f.file_name,
        "sha256": f.sha256,
        "rows_read": nb.count(f.rows_read),
        "rows_accepted": nb.count(f.rows_accepted),
        "rows_quarantined": nb.count(f.rows_quarantined),
        "rows_outside_area": nb.count(f.rows_outside_area),
        "period": _period(f),
        "illustrative": bool(f.illustrative or is_illustrative(setting.config, f.source_kind)),
    } for f in files]


def source_summary(setting: Setting, files: list[R.FileRow]) -> list[dict[str, Any]]:
    """One row per source (not per file): what a reader needs; files and checksums are in the
    restricted data-quality report. Public papers leave illustrative sources out."""
    nb = setting.numbers
    rows = []
    for kind in sorted({f.source_kind for f in files}, key=lambda k: (k != "police_uk", k)):
        chosen = [f for f in files if f.source_kind == kind]
        illustrative = any(f.illustrative for f in chosen) or is_illustrative(setting.config, kind)
        if illustrative and setting.public:
            continue
        months = [m for f in chosen for m in (f.month_min, f.month_max) if m is not None]
        period = "n/a" if not months else (
            month_label(min(months)) if min(months) == max(months)
            else f"{month_label(min(months))} – {month_label(max(months))}")
        rows.append({"description": _description(setting.config, kind), "period": period,
                     "files": len(chosen), "rows_accepted": nb.count(sum(f.rows_accepted for f in chosen)),
                     "illustrative": illustrative})
    return rows


def _window(setting: Setting) -> list[str]:
    period = setting.period
    return [str(m) for m in pd.period_range(period.window_start, period.end, freq="M")]


def _ranges(months: list[str]) -> str:
    """'Oct 2023 – Aug 2024, Jan 2025' from a sorted list of 'YYYY-MM'."""
    if not months:
        return "none"
    runs: list[list[pd.Period]] = []
    for month in (pd.Period(m, freq="M") for m in months):
        if runs and month == runs[-1][-1] + 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(month_label(str(r[0])) if len(r) == 1 else
                     f"{month_label(str(r[0]))} – {month_label(str(r[-1]))}" for r in runs)


def coverage_matrix(session: Session, setting: Setting, files: list[R.FileRow]
                    ) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Per source kind, per month of the window: the stored count, 'quarterly' or 'missing'."""
    nb: Numbers = setting.numbers
    window = _window(setting)
    kinds = sorted({f.source_kind for f in files} - set(REFERENCE_KINDS),
                   key=lambda k: (k != "police_uk", k))
    if setting.public:  # illustrative data is never published, not even its monthly counts
        kinds = [k for k in kinds if not is_illustrative(setting.config, k)
                 and not any(f.illustrative for f in files if f.source_kind == k)]
    volumes = R.monthly_volumes(session, setting.config.id,
                                [f.id for f in files if f.source_kind not in REFERENCE_KINDS])
    cells: dict[str, dict[str, str]] = {k: dict.fromkeys(window, MISSING) for k in kinds}
    raw: dict[str, dict[str, int]] = {k: {} for k in kinds}
    for row in volumes.itertuples(index=False):
        if row.source_kind not in cells:
            continue
        start = pd.Period(row.month, freq="M")
        first = str(start)
        if first in cells[row.source_kind]:
            cells[row.source_kind][first] = nb.count(row.count)
            raw[row.source_kind][first] = int(row.count)
        for offset in range(1, int(row.period_months)):
            month = str(start + offset)
            if cells[row.source_kind].get(month) == MISSING:
                cells[row.source_kind][month] = IN_QUARTER
    if setting.public:
        period = setting.period
        blocks = [[str(m) for m in period.previous_months], [str(m) for m in period.months]]
        small = small_label(nb.minimum)
        for kind in kinds:
            for block in blocks:
                protect_block(cells[kind], raw[kind], block, small)
    return window, cells


def protect_block(cells: dict[str, str], raw: dict[str, int], block: list[str], small: str = "<5") -> None:
    """Secondary suppression: a period's total is published elsewhere in the pack, so one hidden month
    could be worked out from it and the other months. Hide the smallest other month too ("[c]")."""
    hidden = [m for m in block if cells.get(m) == small]
    if len(hidden) != 1:
        return
    others = sorted((raw[m], m) for m in block if m in raw and cells.get(m) not in (small, WITHHELD)
                    and raw[m] > 0)
    if others:
        cells[others[0][1]] = WITHHELD


def coverage_rows(session: Session, setting: Setting, files: list[R.FileRow]
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """(month rows for the matrix, months-per-source summary, source column labels)."""
    window, cells = coverage_matrix(session, setting, files)
    kinds = list(cells)
    matrix = [{"month": month_label(m), "cells": [cells[k][m] for k in kinds]} for m in window]
    summary = []
    for kind in kinds:
        missing = [m for m in window if cells[kind][m] == MISSING]
        summary.append({"source": source_label(setting.config, kind), "months_expected": len(window),
                        "months_present": len(window) - len(missing), "missing": _ranges(missing)})
    return matrix, summary, [source_label(setting.config, k) for k in kinds]


def match_rates(mx: Any, nb: Numbers, area_is_msoa: bool = False) -> dict[str, str]:
    """LSOA / MSOA match of police records (validation) and their population coverage (assessment).

    Where validation's match metrics are absent, the LSOA match is the share of records placed in an
    LSOA with a 2011 population, which is the same measure seen from the assessment; likewise the MSOA
    match when the partnership's areas are MSOAs.
    """
    def value(metric: str, area_type: str) -> float | None:
        return mx.value(metric, "police_uk", "All", area_type=area_type)

    lsoa = value(M.LSOA_MATCH_RATE_PCT, M.PARTNERSHIP)
    if lsoa is None:
        lsoa = value(M.POPULATION_COVERAGE_PCT, M.LSOA)
    population = value(M.POPULATION_COVERAGE_PCT, M.AREA)
    if population is None:
        population = value(M.POPULATION_COVERAGE_PCT, M.PARTNERSHIP)
    msoa = value(M.MSOA_MATCH_RATE_PCT, M.PARTNERSHIP)
    if msoa is None and area_is_msoa:
        msoa = value(M.POPULATION_COVERAGE_PCT, M.AREA)
    return {"lsoa_pct": nb.percent(lsoa), "msoa_pct": nb.percent(msoa), "population_pct": nb.percent(population)}
