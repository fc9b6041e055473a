"""The board pack: which files, the template checks, and writing folder, manifest, zip and Paper rows.

Nothing is written until every paper has rendered and passed the publication checks; then each file is
written to a temporary name in the pack folder, re-opened, and moved into place atomically. The
manifest ties every paper to its template, the input files (name, checksum, rows) and the run.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from csp.config import ConfigError, Partnership
from csp.faults import crash_point
from csp.settings import PROJECT_ROOT, get_settings
from csp.store import models
from csp.store.db import ensure_cycle, finish_stage, session_scope, start_stage
from csp.store.locks import take_stage_lock
from tasks.papers import store_read as R
from tasks.papers.common import long_date
from tasks.papers.lint import TemplateReport, check_template, require_templates
from tasks.papers.numbers import PUBLIC, RESTRICTED
from tasks.papers.registry import PaperJob, file_sha256, select_papers, spec, template_path
from tasks.papers.render import Rendered, docx_text, forbidden_content, sha256

STAGE = "papers"
MANIFEST = "manifest.json"


class PublicationError(RuntimeError):
    """A rendered paper contains something no paper may print; nothing was written."""


@dataclass(frozen=True)
class PackPlan:
    partnership: str
    cycle: str
    meeting: str
    meeting_date: dt.date
    jobs: tuple[PaperJob, ...]
    pack: dict[str, int]

    @property
    def folder(self) -> Path:
        return pack_folder(self.partnership, self.cycle, self.meeting)


@dataclass(frozen=True)
class PackResult:
    folder: str
    manifest: str
    archive: str
    files: tuple[tuple[str, str, str, str], ...]  # (paper, version, file name, sha256)


def pack_summary(result: PackResult, *, cached: int, reused: int, unchanged: bool) -> dict[str, Any]:
    """What the papers stage returns: where the pack is, its files, and what was taken from earlier runs."""
    return {"folder": result.folder, "manifest": result.manifest, "archive": result.archive,
            "papers": [{"paper": p, "version": v, "file": f, "sha256": s} for p, v, f, s in result.files],
            "cached": cached, "reused": reused, "unchanged": unchanged}


def pack_folder(partnership: str, cycle: str, meeting: str) -> Path:
    return get_settings().output_dir / partnership / cycle / meeting


def _label(config: Partnership, cycle: str, meeting_id: str, label: str) -> str:
    meeting = config.meeting(meeting_id)
    if label == "meeting":
        return long_date(meeting.date)
    if label == "priorities_year":
        return config.cycle(cycle).priorities_year
    return cycle


def plan_pack(config: Partnership, cycle: str, meeting_id: str, papers: list[str] | None = None) -> PackPlan:
    """The files of the pack, numbered in pack order, each with its template and checksum."""
    meeting = config.meeting(meeting_id)
    if meeting.cycle != cycle:
        raise ConfigError(f"{config.config_file}: meeting {meeting_id!r} belongs to cycle "
                          f"{meeting.cycle!r}, not {cycle!r}")
    specs = select_papers(papers)
    jobs = []
    for number, paper in enumerate(specs, start=1):
        path = template_path(config, paper.kind)
        digest = file_sha256(path) if path.exists() else ""
        for version in paper.versions:
            jobs.append(PaperJob(paper.kind, version, number, paper.title,
                                 _label(config, cycle, meeting_id, paper.label), str(path), digest))
    pack = {paper.kind: number for number, paper in enumerate(specs, start=1)}
    return PackPlan(config.id, cycle, meeting_id, meeting.date, tuple(jobs), pack)


def check_pack_templates(plan: PackPlan) -> list[TemplateReport]:
    """Check every template of the pack; raise TemplateCheckError naming each broken one."""
    reports, seen = [], set()
    for job in plan.jobs:
        if job.template in seen:
            continue
        seen.add(job.template)
        paper = spec(job.kind)
        reports.append(check_template(job.kind, Path(job.template), paper.schema, paper.required,
                                      paper.styles))
    require_templates(reports)
    return reports


def check_publication(database_url: str, partnership_id: str, rendered: list[Rendered]) -> None:
    """No paper (public or restricted) prints coordinates, street locations or crime IDs.

    The 64-hex strings of every paper are looked up in one question, among the partnership's own
    crime rows (the only ones its papers draw on), which the store finds by index."""
    problems, candidates = [], {}
    for paper in rendered:
        found, strings = forbidden_content(docx_text(paper.data))
        problems += [f"{paper.file_name}: {p}" for p in found]
        candidates[paper.file_name] = strings
    with session_scope(database_url) as session:
        crime_ids = set(R.crime_ids_present(session, partnership_id,
                                            sorted({s for strings in candidates.values() for s in strings})))
    problems += [f"{name}: a crime ID {cid[:12]}..." for name, strings in candidates.items()
                 for cid in strings if cid in crime_ids]
    if problems:
        raise PublicationError("papers not written: they would print what no paper may:\n  "
                               + "\n  ".join(problems))


def _atomic_write(path: Path, data: bytes, digest: str | None = None) -> None:
    """Write through a temporary file; with ``digest``, the file must read back as exactly those bytes.

    A paper was checked to re-open when it was rendered (``render.verify_docx``) and carries the
    checksum of those bytes, so reading back the same checksum proves the file on disk is that very
    document, without parsing it again."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    try:
        if digest is not None and sha256(temporary.read_bytes()) != digest:
            raise OSError(f"{path}: the file written does not read back as the paper rendered; the pack "
                          "was not completed (check the disk, then run the papers stage again)")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _input_files(database_url: str, ids: set[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    with session_scope(database_url) as session:
        rows = session.scalars(select(models.InputFile).where(models.InputFile.id.in_(ids))
                               .order_by(models.InputFile.id)).all()
        return [{"id": r.id, "source_kind": r.source_kind, "name": r.file_name, "sha256": r.sha256,
                 "rows_read": r.rows_read, "rows_accepted": r.rows_accepted,
                 "illustrative": bool(r.illustrative)} for r in rows]


def _manifest(plan: PackPlan, rendered: list[Rendered], run: dict[str, Any],
              inputs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "partnership": plan.partnership,
        "cycle": plan.cycle,
        "meeting": plan.meeting,
        "meeting_date": plan.meeting_date.isoformat(),
        "run": run,
        "papers": [{
            "paper": r.kind, "title": r.title, "version": r.version, "file": r.file_name,
            "sha256": r.sha256, "template": relative_template(r.template), "template_sha256": r.template_sha256,
            "input_file_ids": list(r.input_file_ids), "source_runs": list(r.source_runs),
        } for r in rendered],
        "input_files": inputs,
    }


def _zip(folder: Path, names: list[str], when: dt.date, manifest: dict[str, Any]) -> bytes:
    """One archive: the named papers and a manifest listing only them."""
    buffer = io.BytesIO()
    stamp = (when.year, when.month, when.day, 9, 0, 0)
    entries = [(name, (folder / name).read_bytes()) for name in names]
    entries.append((MANIFEST, json.dumps(manifest, indent=2, default=str).encode("utf-8")))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            # a paper is a zip already (deflated XML, PNG charts): deflating it again took 57 ms a pack
            # to save an eighth of the archive
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".docx") else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def archive_name(plan: PackPlan, version: str) -> str:
    """'cambridge 2025-26 board-2026-02 board pack (public).zip': one archive per marking."""
    return f"{plan.partnership} {plan.cycle} {plan.meeting} board pack ({version}).zip"


def relative_template(path: str) -> str:
    """A template's path as the manifest prints it: relative to the project or data folder, never the
    drafting machine's absolute path."""
    template = Path(path)
    for base in (PROJECT_ROOT, get_settings().data_dir):
        try:
            return template.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return template.name


def adds_content(public: dict[str, Any], restricted: dict[str, Any]) -> bool:
    """Whether a restricted version says more than the public one (small counts, row-level details,
    illustrative data): the two contexts differ beyond their marking."""
    def strip(context: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in context.items() if k not in ("marking", "version", "is_public")}
    return strip(public) != strip(restricted)


def keep_jobs(jobs: tuple[PaperJob, ...], contexts: list[Any]) -> list[int]:
    """Indices of the jobs to render: every public paper, and a restricted one only where it adds content."""
    public = {job.kind: ctx for job, ctx in zip(jobs, contexts, strict=True) if job.version == PUBLIC}
    keep = []
    for index, (job, ctx) in enumerate(zip(jobs, contexts, strict=True)):
        if job.version == PUBLIC or job.kind not in public or adds_content(public[job.kind].context, ctx.context):
            keep.append(index)
    return keep


def _remove_stale(folder: Path, keep: set[str]) -> None:
    """Delete papers a previous draft of this pack wrote and this one no longer does."""
    previous = folder / MANIFEST
    if not previous.exists():
        return
    try:
        old = json.loads(previous.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return
    for entry in old.get("papers", []):
        name = entry.get("file", "")
        if name and name not in keep and "/" not in name and (folder / name).exists():
            (folder / name).unlink()


def _record(database_url: str, config: Partnership, plan: PackPlan, rendered: list[Rendered],
            folder: Path, run_id: str | None) -> None:
    with session_scope(database_url) as session:
        take_stage_lock(session, config.id, plan.cycle, STAGE)  # one pack writer at a time
        cycle = ensure_cycle(session, config, plan.cycle)
        for paper in rendered:
            session.add(models.Paper(cycle_id=cycle.id, meeting=plan.meeting, paper=paper.kind,
                                     version=paper.version, path=str(folder / paper.file_name),
                                     sha256=paper.sha256, run_id=run_id))


def write_pack(database_url: str, config: Partnership, plan: PackPlan, rendered: list[Rendered],
               run: dict[str, Any]) -> PackResult:
    """Check, then write every paper, the manifest and the zip; record a Paper row per file."""
    check_publication(database_url, config.id, rendered)
    folder = plan.folder
    folder.mkdir(parents=True, exist_ok=True)
    for paper in rendered:
        _atomic_write(folder / paper.file_name, paper.data, paper.sha256)
        crash_point("papers.write")
    names = [paper.file_name for paper in rendered]
    _remove_stale(folder, set(names))
    inputs = _input_files(database_url, {i for r in rendered for i in r.input_file_ids})
    manifest = _manifest(plan, rendered, run, inputs)
    _atomic_write(folder / MANIFEST, json.dumps(manifest, indent=2, default=str).encode("utf-8"))
    for stale in folder.glob("*.zip"):  # earlier drafts' archives (one per marking now)
        stale.unlink()
    archives = []
    for version in (PUBLIC, RESTRICTED):
        chosen = [r for r in rendered if r.version == version]
        if not chosen:
            continue
        archive = folder / archive_name(plan, version)
        part = {**manifest, "papers": [p for p in manifest["papers"] if p["version"] == version]}
        _atomic_write(archive, _zip(folder, [r.file_name for r in chosen], plan.meeting_date, part))
        archives.append(archive)
    _record(database_url, config, plan, rendered, folder, run.get("flow_run_id"))
    return PackResult(str(folder), str(folder / MANIFEST), "; ".join(str(a) for a in archives),
                      tuple((r.kind, r.version, r.file_name, r.sha256) for r in rendered))


def _archives(plan: PackPlan, rendered: list[Rendered]) -> list[Path]:
    versions = {r.version for r in rendered}
    return [plan.folder / archive_name(plan, v) for v in (PUBLIC, RESTRICTED) if v in versions]


def written_files(plan: PackPlan, result: PackResult) -> list[str]:
    """File names of a written pack: papers, manifest and archives."""
    names = [name for _, _, name, _ in result.files] + [MANIFEST]
    return names + [Path(a).name for a in result.archive.split("; ") if a]


def record_unchanged(database_url: str, config: Partnership, plan: PackPlan, rendered: list[Rendered],
                     run: dict[str, Any]) -> PackResult:
    """The pack on disk is already this one (same inputs, every file intact): only the run is recorded,
    a Paper row per file as for any draft; the files, manifest and archives are left as they are."""
    folder = plan.folder
    _record(database_url, config, plan, rendered, folder, run.get("flow_run_id"))
    return PackResult(str(folder), str(folder / MANIFEST), "; ".join(str(a) for a in _archives(plan, rendered)),
                      tuple((r.kind, r.version, r.file_name, r.sha256) for r in rendered))


def open_stage(database_url: str, config: Partnership, cycle: str, flow_run_id: str | None) -> int:
    with session_scope(database_url) as session:
        row = start_stage(session, ensure_cycle(session, config, cycle), STAGE, flow_run_id)
        return row.id


def close_stage(database_url: str, stage_run_id: int, status: str, message: str | None = None) -> None:
    with session_scope(database_url) as session:
        row = session.get(models.StageRun, stage_run_id)
        if row is not None:
            finish_stage(row, status, message)


@dataclass(frozen=True)
class PaperListing:
    paper: str
    version: str
    meeting: str
    cycle: str
    path: str
    drafted_at: dt.datetime
    run_id: str | None
    exists: bool


def list_papers(database_url: str, partnership: str, cycle: str | None = None,
                latest_only: bool = True) -> list[PaperListing]:
    """Where each drafted paper is, when it was drafted and by which run (newest first)."""
    with session_scope(database_url) as session:
        stmt = (select(models.Paper, models.Cycle.name).join(models.Cycle, models.Paper.cycle_id == models.Cycle.id)
                .where(models.Cycle.partnership_id == partnership)
                .order_by(models.Paper.drafted_at.desc(), models.Paper.id.desc()))
        if cycle:
            stmt = stmt.where(models.Cycle.name == cycle)
        rows = session.execute(stmt).all()
        listing, seen = [], set()
        for paper, cycle_name in rows:
            key = (cycle_name, paper.meeting, paper.paper, paper.version)
            if latest_only and key in seen:
                continue
            seen.add(key)
            listing.append(PaperListing(paper.paper, paper.version, paper.meeting, cycle_name, paper.path,
                                        paper.drafted_at, paper.run_id, Path(paper.path).exists()))
    return listing
