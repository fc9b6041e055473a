"""A fingerprint of everything a board pack is built from, computed without building any context.

The papers are drawn from the store (the cycle's assessment, recommendations and decisions, input
files, checks and quarantined rows, actions, funding and budget lines), the partnership's configuration,
the meeting's agenda and the plan (YAML in the data folder), the chart files, the templates and this
code. The fingerprint reads each of them cheaply: whole rows of the small tables, the number of rows and
the newest id of the large ones (their rows are only ever inserted and deleted, never edited), the
content of rows another stage replaces on every run (validation results and match rates), the bytes of
the files. Equal fingerprints mean the same contexts; a changed input always changes it (it may also
change when nothing printed changed, which only costs a rebuild).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, make_url, select
from sqlalchemy.orm import Session

from csp import metrics as M
from csp.config import Partnership
from csp.orchestration import package_sources, source_digest
from csp.settings import PROJECT_ROOT, get_settings
from csp.store import models
from csp.store.db import find_cycle, session_scope

# Code the contexts and renders depend on (besides the templates, whose checksums are in each job).
CODE_FOLDERS = ("tasks/papers", "tasks/prioritise", "tasks/actions", "tasks/finance", "csp")  # with sub-folders
CODE_FILES = ("tasks/assess/params.py", "tasks/assess/stats.py", "tasks/sheets.py")
LIBRARIES = ("docxtpl", "python-docx", "jinja2", "lxml", "pandas", "matplotlib")
FORMAT = "1"  # bump when the fingerprint's own shape changes


def code_fingerprint() -> str:
    paths: list[Path] = []
    for folder in CODE_FOLDERS:
        paths += package_sources(PROJECT_ROOT / folder, "**/*.py")
    paths += [PROJECT_ROOT / f for f in CODE_FILES if (PROJECT_ROOT / f).exists()]
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name}=?")
    return source_digest(paths, length=64) + ";" + ",".join(versions)


def _rows(session: Session, model: Any, *where: Any, skip: tuple[str, ...] = ()) -> str:
    """Every column of the matching rows (small tables), in id order, as one hash."""
    columns = [c for c in model.__table__.columns if c.name not in skip]
    digest = hashlib.sha256()
    for row in session.execute(select(*columns).where(*where).order_by(model.id)):
        digest.update(repr(tuple(row)).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _count(session: Session, model: Any, *where: Any, join: Any = None) -> tuple[int, int]:
    """(rows, newest id) of the matching rows of a large, insert-only table."""
    stmt = select(func.count(), func.max(model.id)).select_from(model)
    if join is not None:
        stmt = stmt.join(*join)
    count, newest = session.execute(stmt.where(*where)).one()
    return int(count or 0), int(newest or 0)


def metrics_token(session: Session, cycle_id: int) -> tuple:
    """A cheap summary of a cycle's metric rows that changes whenever rows are replaced: their number,
    newest id, runs, newest insertion time and the sum of their values (one scan, no rows read out)."""
    m = models.Metric
    row = session.execute(select(func.count(), func.max(m.id), func.min(m.run_id), func.max(m.run_id),
                                 func.max(m.created_at), func.sum(m.value)).where(m.cycle_id == cycle_id)).one()
    return tuple(str(v) for v in row)


def recommendations_token(session: Session, cycle_id: int) -> str:
    """The cycle's recommendations and the decisions recorded on them, row by row (a few hundred)."""
    rec, dec = models.Recommendation, models.Decision
    return _rows(session, rec, rec.cycle_id == cycle_id) + _rows(
        session, dec, dec.recommendation_id.in_(select(rec.id).where(rec.cycle_id == cycle_id)))


def store_state(session: Session, config: Partnership, cycle_name: str, previous_cycle: str) -> dict[str, Any]:
    """What the papers of one cycle read from the store, summarised (see the module's docstring)."""
    pid = config.id
    cycle = find_cycle(session, pid, cycle_name)
    previous = find_cycle(session, pid, previous_cycle)
    state: dict[str, Any] = {"cycle": None}
    if cycle is not None:
        metric = models.Metric
        validation_metrics = (M.LSOA_MATCH_RATE_PCT, M.MSOA_MATCH_RATE_PCT, M.ROWS_MAPPED_FROM_2011,
                              M.ROWS_UNMATCHED_LSOA)
        state.update({
            "cycle": [cycle.id, cycle.name, cycle.assessment_digest, str(cycle.period_start), str(cycle.period_end)],
            # the assessment's metrics are replaced whole (new ids, times and runs) or left alone
            "metric": metrics_token(session, cycle.id),
            # validation's few metrics are replaced on every validation: compared by content
            "validation_metric": _rows(session, metric, metric.cycle_id == cycle.id,
                                       metric.metric.in_(validation_metrics), skip=("id", "created_at")),
            "finding": _rows(session, models.Finding, models.Finding.cycle_id == cycle.id),
            "chart": _rows(session, models.Chart, models.Chart.cycle_id == cycle.id),
            "recommendations": recommendations_token(session, cycle.id),
        })
    state["previous_metric"] = (
        _count(session, models.Metric, models.Metric.cycle_id == previous.id) if previous is not None else None)
    f, v = models.InputFile, models.ValidationResult
    state.update({
        "input_file": _rows(session, f, f.partnership_id == pid, skip=("ingested_at", "flow_run_id")),
        "validation": _rows(session, v, v.partnership_id == pid, skip=("id", "details", "checked_at")),
        "quarantine": _count(session, models.QuarantinedRow, f.partnership_id == pid,
                             join=(f, models.QuarantinedRow.input_file_id == f.id)),
        # rows of a file are inserted with it: their number and newest id catch any added or removed
        "crime_record": _count(session, models.CrimeRecord, models.CrimeRecord.partnership_id == pid),
        "partner_record": _count(session, models.PartnerRecord, models.PartnerRecord.partnership_id == pid),
        "action": _rows(session, models.Action, models.Action.partnership_id == pid),
        "action_history": _count(session, models.ActionHistory, models.Action.partnership_id == pid,
                                 join=(models.Action, models.ActionHistory.action_id == models.Action.id)),
        "funding": _rows(session, models.Funding, models.Funding.partnership_id == pid),
        "budget_line": _rows(session, models.BudgetLine, models.BudgetLine.partnership_id == pid),
        "reported_figure": _rows(session, models.ReportedFigure, models.ReportedFigure.partnership_id == pid),
    })
    return state


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "absent"


def data_files(config: Partnership, meeting_id: str) -> dict[str, str]:
    """The agenda files that may hold this meeting's agenda, and the partnership's plan."""
    data = get_settings().data_dir
    agendas = data / "agendas"
    paths = [agendas / config.id / f"{meeting_id}.yaml", agendas / f"{config.id}.yaml",
             agendas / "_default.yaml", data / "plans" / f"{config.id}.yaml"]
    return {str(p): _file_digest(p) for p in paths}


def chart_files(session: Session, config: Partnership, cycle_name: str) -> dict[str, str]:
    """The bytes of every chart the cycle's rows name (a redrawn PNG changes the papers)."""
    from tasks.papers.common import resolve_chart

    cycle = find_cycle(session, config.id, cycle_name)
    if cycle is None:
        return {}
    paths = session.scalars(select(models.Chart.path).where(models.Chart.cycle_id == cycle.id)).all()
    return {p: _file_digest(resolve_chart(p)) for p in sorted(set(paths))}


def pack_fingerprint(database_url: str, config: Partnership, cycle_name: str, meeting_id: str,
                     pack: dict[str, int]) -> str:
    """One hash of every input the pack's contexts are built from (templates apart: see job_key)."""
    settings = get_settings()
    previous = config.cycle(cycle_name).previous_cycle()
    with session_scope(database_url) as session:
        state = store_state(session, config, cycle_name, previous)
        charts = chart_files(session, config, cycle_name)
    parts = {
        "format": FORMAT,
        "code": code_fingerprint(),
        # templates apart (each job's key has its template's path and checksum); where the file is, too
        "config": config.model_dump_json(exclude={"templates", "config_file"}),
        "cycle": cycle_name,
        "meeting": meeting_id,
        "pack": pack,
        "store_url": make_url(database_url).render_as_string(hide_password=True),
        "dirs": [str(settings.data_dir), str(settings.output_dir)],
        "data_files": data_files(config, meeting_id),
        "charts": charts,
        "store": state,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def job_key(fingerprint: str, job: Any, author: str, when: Any) -> str:
    """The key of one rendered file: the pack's inputs, the paper and version, its template and name."""
    parts = [fingerprint, job.kind, job.version, job.number, job.title, job.label, job.template,
             job.template_sha256, author, str(when)]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
