"""Validating a partnership's cycle as a whole, from what the store holds.

File checks (``check_frame``) say whether each file is usable; these say whether the cycle is: does
every required source cover every month of the assessment period, how much of the crime data meets the
population table, does any crime appear in two files. Outcomes are stored as ValidationResult rows for
the cycle (replacing the previous run's), the match rates as metrics, and the cycle is marked
'validated' or 'validation_failed'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from csp import metrics
from csp.config import Partnership, load_partnership
from csp.cycle import CyclePeriod, published_through
from csp.settings import get_settings
from csp.store import models
from csp.store.db import ensure_cycle, finish_stage, session_scope, start_stage
from csp.store.locks import take_stage_lock
from tasks.validate import coverage, docs, report
from tasks.validate.gate import BLOCKED, PASSED
from tasks.validate.matching import MatchRates, describe_mapping, match_rates
from tasks.validate.state import report_folder, store_state_digest

CYCLE_SUITE = "cycle"
STAGE = "validate"
NON_MONTHLY = ("population", "boundaries")


@dataclass
class Finding:
    """One cycle-level outcome, as it is stored and reported."""

    expectation: str
    severity: str
    success: bool
    message: str
    column: str | None = None
    input_file_id: int | None = None
    element_count: int | None = None
    unexpected_count: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class CycleValidation:
    """What validate_cycle found, for the command line, the flow and the data-quality paper."""

    partnership_id: str
    cycle: str
    period_label: str
    status: str  # validated, validation_failed
    blocking: list[str]
    warnings: list[str]
    coverage: pd.DataFrame  # sources x months of the assessment period, stored rows per month
    match_rates: MatchRates
    duplicate_crime_ids: int
    quarantined: list[dict[str, Any]]  # per current file: kind, file, rows_read, rows_quarantined
    data_docs: Path | None
    coverage_csv: Path
    coverage_html: Path
    required: dict[str, bool] = field(default_factory=dict)  # per source in the coverage table
    findings: list[Finding] = field(default_factory=list)
    data_docs_note: str = ""  # why there are no Data Docs from this run, and how to render them

    @property
    def ok(self) -> bool:
        return not self.blocking

    def as_dict(self) -> dict[str, Any]:
        """Plain data for a Prefect result, an artifact or JSON."""
        return {
            "partnership": self.partnership_id, "cycle": self.cycle, "period": self.period_label,
            "status": self.status, "blocking": list(self.blocking), "warnings": list(self.warnings),
            "coverage": {kind: {m: int(n) for m, n in row.items()} for kind, row in self.coverage.iterrows()},
            "lsoa_match_rate_pct": self.match_rates.lsoa.pct, "msoa_match_rate_pct": self.match_rates.msoa.pct,
            "lsoa_match": self.match_rates.lsoa.describe(), "msoa_match": self.match_rates.msoa.describe(),
            "rows_without_lsoa": self.match_rates.rows_without_lsoa,
            "rows_mapped_from_2011": self.match_rates.mapped_from_2011,
            "rows_unmatched_lsoa": self.match_rates.unmatched,
            "lsoa_mapping": describe_mapping(self.match_rates),
            "duplicate_crime_ids": self.duplicate_crime_ids, "quarantined": list(self.quarantined),
            "data_docs": str(self.data_docs) if self.data_docs else None,
            "data_docs_note": self.data_docs_note,
            "coverage_csv": str(self.coverage_csv), "coverage_html": str(self.coverage_html),
        }


def _span(months: list[pd.Period]) -> str:
    return f"{months[0].strftime('%b %Y')}..{months[-1].strftime('%b %Y')}"


def _coverage_findings(table: pd.DataFrame, config: Partnership, this_month: pd.Period,
                       label: str, comparison: bool) -> list[Finding]:
    out = []
    for gap in coverage.gaps(table, config, this_month):
        blocking = gap.required and not comparison
        severity = "blocking" if blocking else "warning"
        what = "the comparison year" if comparison else "the assessment period"
        rule = "coverage of the comparison year" if comparison else "coverage of the assessment period"
        missing = coverage.month_ranges(gap.missing)
        text = (f"{gap.kind}: {len(gap.missing)} of {gap.expected} months of {what} ({label}) have no "
                f"data: {missing} (rule '{rule}', {'required' if gap.required else 'optional'} source)")
        if comparison and gap.missing:
            text += "; change against last year cannot be tested for those months"
        if gap.not_yet_due:
            text_due = (f"{gap.kind}: {coverage.month_ranges(gap.not_yet_due)} not yet due (after "
                        f"{this_month}, the newest month that has ended and is published); "
                        "the period is not complete")
            out.append(Finding(f"{rule}: not yet due", "warning", False, text_due,
                               details={"source": gap.kind, "months": gap.not_yet_due}))
        out.append(Finding(
            rule, severity, not gap.missing,
            text if gap.missing else f"{gap.kind}: every month of {what} ({label}) has data (rule '{rule}')",
            element_count=gap.expected, unexpected_count=len(gap.missing),
            details={"source": gap.kind, "required": gap.required, "missing_months": gap.missing,
                     "rows_by_month": {m: int(n) for m, n in table.loc[gap.kind].items()}},
        ))
    return out


def _presence_findings(session: Session, config: Partnership, files: list[models.InputFile]) -> list[Finding]:
    """Sources without months (population, boundaries) only need to be there."""
    out = []
    for kind in (k for k in NON_MONTHLY if k in config.sources):
        ids = [f.id for f in files if f.source_kind == kind]
        rows = sum(f.rows_accepted for f in files if f.source_kind == kind)
        present = bool(ids) and rows > 0
        required = config.sources[kind].required
        severity = "blocking" if required else "warning"
        text = (f"{kind}: present ({rows:,} rows stored)" if present else
                f"{kind}: no current file with rows in the store (rule 'source present', "
                f"{'required' if required else 'optional'} source)")
        out.append(Finding("source present", severity, present, text, element_count=rows,
                           unexpected_count=0 if present else 1, details={"source": kind}))
    return out


def _duplicate_ids(session: Session, files: list[models.InputFile], max_share: float) -> tuple[int, Finding]:
    """Crime IDs in more than one current file: a warning while they are as few as police.uk's own
    republished crimes, blocking when so many that a month has probably been loaded twice."""
    c = models.CrimeRecord
    ids = [f.id for f in files if f.source_kind == "police_uk"]
    repeated = session.execute(
        select(c.crime_id, func.count(func.distinct(c.input_file_id)))
        .where(c.input_file_id.in_(ids or [-1]), c.crime_id.is_not(None), c.crime_id != "")
        .group_by(c.crime_id).having(func.count() > 1)
    ).all()
    across = [(cid, n) for cid, n in repeated if n > 1]
    names = {f.id: f.file_name for f in files}
    sample = []
    for cid, _ in across[:5]:
        in_files = session.scalars(select(c.input_file_id).where(c.crime_id == cid).distinct()).all()
        sample.append({"crime_id_prefix": cid[:12], "files": sorted(names.get(i, str(i)) for i in in_files)})
    rule = "unique Crime ID across files"
    rows = sum(f.rows_accepted for f in files if f.source_kind == "police_uk")
    few = len(across) <= max_share * rows
    text = (f"police_uk: {len(across):,} Crime IDs appear in more than one current file, so those crimes "
            f"are counted twice (rule '{rule}'); e.g. files {sample[0]['files']}" if across
            else f"police_uk: no Crime ID appears in two current files (rule '{rule}')")
    if across and few:
        text += (f". As few as police.uk's own republished crimes (at most {max_share:.1%} of {rows:,} rows), "
                 "so a warning, not a block")
    return len(across), Finding(rule, "warning" if few else "blocking", not across, text, column="crime_id",
                                element_count=rows, unexpected_count=len(across), details={"examples": sample})


def _match_names(rates: MatchRates) -> tuple[tuple[str, str], tuple[str, str]]:
    if rates.vintage == 2021:
        return (("LSOA code match (crime vs Census 2021 population)", "by 2021 LSOA code"),
                ("MSOA match (crime vs Census 2021 population)", "by 2021 MSOA code"))
    return (("LSOA code match (2021 crime vs 2011 population)", "by LSOA code"),
            ("MSOA name match (2021 crime vs 2011 population)", "by MSOA name"))


def _mapping_finding(rates: MatchRates) -> Finding:
    """Rows mapped from 2011 codes and rows unmatched: stated, a warning only when some are approximate."""
    approximate = rates.split_given_to_largest_part + rates.unmatched
    return Finding("LSOA 2011 -> 2021 mapping", "warning", approximate == 0,
                   f"police_uk: {describe_mapping(rates)} (rule 'LSOA 2011 -> 2021 mapping')",
                   column="lsoa_code", element_count=rates.lsoa.rows, unexpected_count=approximate,
                   details={"by_mapping": dict(rates.by_mapping), "mapped_from_2011": rates.mapped_from_2011,
                            "split_given_to_largest_part": rates.split_given_to_largest_part,
                            "unmatched": rates.unmatched})


def _match_findings(rates: MatchRates) -> list[Finding]:
    out = [_mapping_finding(rates)] if rates.vintage == 2021 else []
    (lsoa_rule, lsoa_how), (msoa_rule, msoa_how) = _match_names(rates)
    for name, rate, how in ((lsoa_rule, rates.lsoa, lsoa_how), (msoa_rule, rates.msoa, msoa_how)):
        if rate.rows and not rates.population_lsoas:
            text = f"police_uk: no population rows to match crime rows against {how} (rule '{name}')"
        else:
            text = f"police_uk: crime rows matching the population table {how}: {rate.describe()} (rule '{name}')"
        out.append(Finding(name, "warning", rate.rows == rate.matched, text, column="lsoa_code",
                           element_count=rate.rows, unexpected_count=rate.rows - rate.matched,
                           details={"pct": rate.pct, "matched": rate.matched, "rows": rate.rows}))
    n = rates.rows_without_lsoa
    out.append(Finding("rows with an LSOA", "warning", n == 0,
                       f"police_uk: {n:,} crime rows in the period have no LSOA and cannot be placed in an "
                       "area (rule 'rows with an LSOA')", column="lsoa_code", unexpected_count=n))
    return out


def _quarantine(session: Session, files: list[models.InputFile]) -> tuple[list[dict[str, Any]], list[Finding]]:
    q = models.QuarantinedRow
    counts = dict(session.execute(
        select(q.input_file_id, func.count(func.distinct(q.row_number)))
        .where(q.input_file_id.in_([f.id for f in files] or [-1])).group_by(q.input_file_id)
    ).all())
    table, out = [], []
    for f in files:
        n = int(counts.get(f.id, 0))
        table.append({"kind": f.source_kind, "file": f.file_name, "input_file_id": f.id,
                      "rows_read": f.rows_read, "rows_accepted": f.rows_accepted, "rows_quarantined": n,
                      "rows_outside_area": f.rows_outside_area, "rows_unlocated": f.rows_unlocated})
        if n:
            out.append(Finding("rows quarantined", "warning", False,
                               f"{f.source_kind}: {f.file_name}: {n:,} of {f.rows_read:,} rows quarantined "
                               "(see the quarantine for row, column and rule)", input_file_id=f.id,
                               element_count=f.rows_read, unexpected_count=n))
    return table, out


def _store(session: Session, cycle: models.Cycle, findings: list[Finding], rates: MatchRates,
           files: list[models.InputFile], config: Partnership, run_id: str | None) -> None:
    """Replace the cycle's previous cycle-level results and match-rate metrics with these."""
    session.execute(delete(models.ValidationResult).where(models.ValidationResult.cycle_id == cycle.id,
                                                          models.ValidationResult.suite == CYCLE_SUITE))
    session.add_all(models.ValidationResult(
        partnership_id=config.id, cycle_id=cycle.id, input_file_id=f.input_file_id, suite=CYCLE_SUITE,
        expectation=f.expectation[:120], column=f.column, severity=f.severity, success=f.success,
        element_count=f.element_count, unexpected_count=f.unexpected_count, message=f.message,
        details=f.details) for f in findings)
    names = (metrics.LSOA_MATCH_RATE_PCT, metrics.MSOA_MATCH_RATE_PCT)
    counts = (metrics.ROWS_MAPPED_FROM_2011, metrics.ROWS_UNMATCHED_LSOA)
    session.execute(delete(models.Metric).where(models.Metric.cycle_id == cycle.id,
                                                models.Metric.metric.in_(names + counts)))
    used = [f.id for f in files if f.source_kind in ("police_uk", "population")]
    values = [(name, rate.pct, f"{rate.matched} of {rate.rows} rows")
              for name, rate in zip(names, (rates.lsoa, rates.msoa), strict=True)]
    if rates.vintage == 2021:
        values += [(metrics.ROWS_MAPPED_FROM_2011, rates.mapped_from_2011,
                    f"{rates.split_given_to_largest_part} split, given to the largest part"),
                   (metrics.ROWS_UNMATCHED_LSOA, rates.unmatched, "in no area")]
    for name, value, label in values:
        session.add(models.Metric(
            partnership_id=config.id, cycle_id=cycle.id, metric=name, source_kind="police_uk",
            category="All", area_type=metrics.PARTNERSHIP, area_code=None, area_name=None,
            period=metrics.CURRENT, value=value,  # partnership rows carry no area, as in assess
            label=label, input_file_ids=used, run_id=run_id))


def _collect(session: Session, config: Partnership, period: CyclePeriod, today: dt.date,
             files: list[models.InputFile]) -> tuple[pd.DataFrame, MatchRates, int, list, list[Finding]]:
    # only months that have ended and that the publisher has released by now are expected
    this_month = published_through(today, config.assessment.publication_lag_months)
    table = coverage.rows_by_month(session, config, files, period.months)
    previous = coverage.rows_by_month(session, config, files, period.previous_months)
    findings = _coverage_findings(table, config, this_month, _span(period.months), False)
    findings += _coverage_findings(previous, config, this_month, _span(period.previous_months), True)
    findings += _presence_findings(session, config, files)
    ids = {kind: [f.id for f in files if f.source_kind == kind] for kind in ("police_uk", "population")}
    rates = match_rates(session, config.id, ids["police_uk"], ids["population"], period.start.start_time.date(),
                        period.end.end_time.date(), config.geography.vintage)
    # 2011 codes matter for the comparison year too (police.uk switched during 2022-23): count them over
    # every month the cycle looks at
    window = match_rates(session, config.id, ids["police_uk"], ids["population"], period.window_start.start_time.date(),
                         period.end.end_time.date(), config.geography.vintage)
    rates = replace(rates, by_mapping=window.by_mapping)
    findings += _match_findings(rates)
    duplicates, finding = _duplicate_ids(session, files, config.thresholds.duplicate_crime_id_max_share)
    findings.append(finding)
    quarantined, quarantine_findings = _quarantine(session, files)
    return table, rates, duplicates, quarantined, findings + quarantine_findings


def _data_docs(gx_dir: Path, partnership_id: str, cycle_name: str, frames: dict[str, pd.DataFrame],
               warnings: list[str]) -> Path | None:
    """Build the Data Docs; a GX failure costs the site, not the checks (disk errors still raise, to retry)."""
    if not frames:
        return None
    try:
        return docs.build_data_docs(gx_dir, partnership_id, cycle_name, frames)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - GX raises many types; the stored results stand regardless
        warnings.append(f"Data Docs could not be built in {gx_dir}: {type(exc).__name__}: {exc}")
        return None


def validate_cycle(database_url: str, partnership_id: str, cycle_name: str, *, today: dt.date | None = None,
                   run_id: str | None = None, config: Partnership | None = None,
                   output_dir: Path | None = None, gx_dir: Path | None = None,
                   build_docs: bool | None = None) -> CycleValidation:
    """Check the stored cycle, store the outcomes, write the coverage table and (see below) the Data Docs.

    ``build_docs``: True renders the Great Expectations Data Docs of the stored rows (``csp validate``),
    False never; None (the cycle's flows) renders them only when the cycle has a blocking problem, the
    moment an analyst has to look at the data and the cycle stops anyway. Otherwise rendering them (a
    second GX validation of every stored row and a site build, seconds) is left off the cycle's path:
    ``data_docs_note`` says how to render them on demand (``tasks.validate.docs.render_data_docs``).
    """
    config = config or load_partnership(partnership_id)
    settings = get_settings()
    period = config.cycle(cycle_name)
    today = today or dt.date.today()
    folder = report_folder(config.id, cycle_name, output_dir)
    digest = store_state_digest(database_url, config.id, today)  # what this validation is made from
    with session_scope(database_url) as session:  # committed now, so a crash shows as interrupted
        stage_id = start_stage(session, ensure_cycle(session, config, cycle_name), STAGE, run_id).id
    try:
        result = _validate_and_report(database_url, config, cycle_name, period, today, run_id, folder,
                                      gx_dir or settings.gx_dir, build_docs)
    except BaseException as exc:
        _finish(database_url, stage_id, "failed", f"{type(exc).__name__}: {exc}"[:2000])
        raise
    # Only now, with the results stored and the report written, does the stage count as finished.
    _finish(database_url, stage_id, "failed" if result.blocking else "completed",
            f"{len(result.blocking)} blocking, {len(result.warnings)} warnings", result.status,
            None if result.blocking else digest)
    return result


def _finish(database_url: str, stage_id: int, status: str, message: str,
            cycle_status: str | None = None, digest: str | None = None) -> None:
    """Close the stage run; with ``cycle_status``, set the cycle's, and record the digest of what a
    passed validation was made from (None otherwise: only a pass may be taken as it stands)."""
    with session_scope(database_url) as session:
        stage = session.get(models.StageRun, stage_id)
        finish_stage(stage, status, message)
        if cycle_status:
            cycle = session.get(models.Cycle, stage.cycle_id)
            cycle.status = cycle_status
            cycle.validation_digest = digest


def _validate_and_report(database_url: str, config: Partnership, cycle_name: str, period: CyclePeriod,
                         today: dt.date, run_id: str | None, folder: Path, gx_dir: Path,
                         build_docs: bool | None) -> CycleValidation:
    with session_scope(database_url) as session:
        take_stage_lock(session, config.id, cycle_name, STAGE)  # one writer of these results at a time
        cycle = ensure_cycle(session, config, cycle_name)
        files = coverage.current_files(session, config.id)
        table, rates, duplicates, quarantined, findings = _collect(session, config, period, today, files)
        blocking = [f.message for f in findings if f.severity == "blocking" and not f.success]
        warnings = [f.message for f in findings if f.severity == "warning" and not f.success]
        render = bool(blocking) if build_docs is None else build_docs
        frames = docs.stored_frames(session, files, period.window_start.start_time.date(),
                                    period.end.end_time.date()) if render else {}
        _store(session, cycle, findings, rates, files, config, run_id)
    status = BLOCKED if blocking else PASSED
    data_docs = _data_docs(gx_dir, config.id, cycle_name, frames, warnings)
    note = ""
    if data_docs is None:
        note = ("No Data Docs were built (no stored data)." if render
                else docs.on_demand_note(config.id, cycle_name,
                                         "not asked for" if build_docs is False else "nothing blocking"))
    result = CycleValidation(config.id, cycle_name, period.label, status, blocking, warnings, table,
                             rates, duplicates, quarantined, data_docs, folder / "coverage.csv",
                             folder / "coverage.html",
                             {kind: config.sources[kind].required for kind in table.index}, findings, note)
    report.write(result, folder)
    return result
