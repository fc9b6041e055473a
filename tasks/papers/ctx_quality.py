"""Context of the data-quality report: files, coverage by month, failed checks, quarantined rows, matching.

The report works from validation results and quarantine records even when the assessment has not run,
because it is the paper that explains why the assessment could not.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from tasks.papers import store_read as R
from tasks.papers.check_words import check_label, column_words
from tasks.papers.common import Built, Setting, common
from tasks.papers.ctx_assessment import stored_metrics
from tasks.papers.ctx_sources import coverage_rows, match_rates, source_label, source_rows, source_summary

WITHHELD = "Details in the restricted version"


def _check_rows(checks: pd.DataFrame, files: dict[int, R.FileRow], setting: Setting,
                severity: str) -> list[dict[str, str]]:
    if checks.empty:
        return []
    failed = checks[(~checks.success.astype(bool)) & (checks.severity == severity)]
    if setting.public:
        return _public_check_rows(failed, files, setting)
    rows = []
    for check in failed.itertuples(index=False):
        file, source, column = _where(check, files, setting)
        unexpected = check.unexpected_count
        rows.append({
            "source": source, "file_name": file.file_name if file else "",
            "expectation": check_label(check.expectation, False), "column": column,
            "unexpected": setting.numbers.count(unexpected) if pd.notna(unexpected) else "n/a",
            # Messages quote row numbers, raw counts and values (possibly crime IDs or coordinates):
            # the public version (below) keeps the rule, column and suppressed count only.
            "message": _no_crime_ids(check.message),
        })
    return rows


def _where(check: Any, files: dict[int, R.FileRow], setting: Setting) -> tuple[R.FileRow | None, str, str]:
    """A failed check's file, source and column, as the version prints them."""
    file = files.get(int(check.input_file_id)) if pd.notna(check.input_file_id) else None
    source = source_label(setting.config, file.source_kind) if file else "all sources"
    column = column_words(check.column, setting.public) if isinstance(check.column, str) else ""
    return file, source, column


def _public_check_rows(failed: pd.DataFrame, files: dict[int, R.FileRow], setting: Setting) -> list[dict[str, str]]:
    """One row per source, check and column, in the order first met, with the rows affected summed
    over its files: the public version names no file, so a warning raised by each of twelve monthly
    files would otherwise print as twelve identical lines. The restricted version keeps a row a file."""
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for check in failed.itertuples(index=False):
        _, source, column = _where(check, files, setting)
        group = groups.setdefault((source, check.expectation, column), {"files": 0, "unexpected": 0.0,
                                                                        "known": True})
        group["files"] += 1
        if pd.notna(check.unexpected_count):
            group["unexpected"] += float(check.unexpected_count)
        else:
            group["known"] = False
    rows = []
    for (source, expectation, column), group in groups.items():
        words = check_label(expectation, True)
        rows.append({
            "source": source, "file_name": "",
            "expectation": words if group["files"] == 1 else f"{words} ({group['files']} files)",
            "column": column,
            "unexpected": setting.numbers.count(group["unexpected"]) if group["known"] else "n/a",
            "message": WITHHELD,
        })
    return rows


_HEX64 = re.compile(r"\b[0-9a-f]{64}\b")


def _no_crime_ids(message: str) -> str:
    """No paper prints a crime ID, restricted ones included: a duplicate-ID message keeps its count only."""
    return _HEX64.sub("[crime ID withheld]", message or "")


def _quarantine(session: Session, setting: Setting, files: dict[int, R.FileRow]) -> tuple[list[dict], str]:
    summary = R.quarantine_summary(session, list(files))
    nb = setting.numbers
    rows = []
    for row in summary.itertuples(index=False):
        file = files[int(row.input_file_id)]
        rows.append({
            "source": source_label(setting.config, file.source_kind),
            "file_name": file.file_name,
            "rule": check_label(row.rule, setting.public),
            "column": column_words(row.column, setting.public),
            "rows": nb.count(row.rows),
            "reason": WITHHELD if setting.public else _no_crime_ids(row.reason),
            "row_numbers": "" if setting.public else ", ".join(str(n) for n in row.row_numbers),
        })
    total = int(summary["rows"].sum()) if not summary.empty else 0
    return rows, nb.count(total)


def _checks_summary(checks: pd.DataFrame) -> dict[str, Any]:
    if checks.empty:
        return {"total": 0, "passed": 0, "warnings": 0, "blocking": 0}
    failed = checks[~checks.success.astype(bool)]
    return {"total": len(checks), "passed": int(checks.success.astype(bool).sum()),
            "warnings": int((failed.severity == "warning").sum()),
            "blocking": int((failed.severity == "blocking").sum())}


def build_data_quality(session: Session, setting: Setting) -> Built:
    cycle = R.require_cycle(session, setting.config.id, setting.period.name)
    mx = stored_metrics(session, cycle.id)
    files = R.cycle_files(session, cycle, setting.period, mx.file_ids() if not mx.frame.empty else set())
    by_id = {f.id: f for f in files}
    checks = R.validation_checks(session, cycle.id, list(by_id))
    matrix, summary, labels = coverage_rows(session, setting, files)
    quarantine, total = _quarantine(session, setting, by_id)
    sources = source_rows(setting, files)
    context = {
        **common(setting),
        "files": sources if not setting.public else [],
        "source_summary": source_summary(setting, files),
        "coverage_sources": labels,
        "coverage_rows": matrix,
        "coverage": summary,
        "warnings": _check_rows(checks, by_id, setting, "warning"),
        "blocking": _check_rows(checks, by_id, setting, "blocking"),
        "quarantine": quarantine,
        "quarantine_total": total,
        "checks": _checks_summary(checks),
        "match": match_rates(mx, setting.numbers, setting.config.area_unit.kind == "msoa"),
        "illustrative_sources": sorted({s["description"] for s in sources if s["illustrative"]}),
    }
    return Built(context, tuple(by_id), mx.runs() if not mx.frame.empty else ())
