"""Ingest a partnership's sources: read, place in the area, validate, store.

A source's new files are read (once per process for every partnership they serve, tasks/ingest/shared.py)
and validated together in one Great Expectations run; then each file is checked and stored on its own.
Each file is one transaction: a file that fails leaves the store exactly as it was, and the others
still go in. Every row read is accounted for: accepted, quarantined (with its reason), outside the
partnership's area, or without any location.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from csp import side_process
from csp.config import Partnership
from csp.cycle import CyclePeriod
from csp.frames import PARTNER_KINDS, RowProblem
from csp.store import models
from csp.store.db import ensure_cycle, ensure_partnership, finish_stage, session_scope, start_stage
from tasks.ingest import area, belong, readers, shared, skips
from tasks.ingest.errors import IngestError
from tasks.ingest.files import FileStamp, SourceFile, discover, sha256, stamp_files
from tasks.ingest.store import Provenance, existing_file, locked_duplicate, store_file
from tasks.validate import check_frame
from tasks.validate.source import SourceValidation, validate_source

# Reference data first: places and populations are needed to read the rest.
SOURCE_ORDER = ("population", "boundaries", "police_uk", *PARTNER_KINDS)
SIDE_KINDS = ("police_uk", *PARTNER_KINDS)  # read on the side process while the reference data go in
Parser = Callable[[SourceFile], tuple[pd.DataFrame, list[RowProblem]]]


@dataclass
class FileReport:
    """What happened to one file, for the command line, the flow artifact and the tests."""

    kind: str
    label: str
    status: str  # stored, unchanged, skipped, failed
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rows_outside_area: int = 0
    rows_unlocated: int = 0
    months: list[str] = field(default_factory=list)
    message: str = ""
    input_file_id: int | None = None
    superseded: list[str] = field(default_factory=list)


def _parser(kind: str) -> Parser:
    if kind == "police_uk":
        return readers.parse_police_uk
    if kind == "population":
        return readers.parse_population
    if kind == "idva":
        return readers.parse_idva
    if kind in PARTNER_KINDS:
        return lambda source: readers.parse_partner(source, kind)
    raise IngestError(f"no reader for source kind {kind!r}")


def _split(kind: str, frame: pd.DataFrame, config: Partnership) -> area.AreaSplit:
    if kind == "police_uk":
        return area.split_police(frame, config)
    if kind == "population":
        return area.split_population(frame, config)
    return area.split_partner(frame, config)


def _provenance(config: Partnership, kind: str, source: SourceFile, path: Path, rows_read: int,
                split: area.AreaSplit | None, flow_run_id: str | None, force: bool = False) -> Provenance:
    illustrative = config.sources[kind].illustrative or "illustrative" in source.name.lower()
    return Provenance(
        partnership_id=config.id, source_kind=kind, label=source.label, name=source.name,
        path=str(path), sha256=source.raw_sha256, size_bytes=source.size_bytes, rows_read=rows_read,
        rows_outside_area=split.outside if split else 0,
        rows_unlocated=split.unlocated if split else 0,
        illustrative=illustrative, flow_run_id=flow_run_id, force=force,
    )


def _already_stored(database_url: str, config: Partnership, kind: str, source: SourceFile,
                    path: Path) -> FileReport | None:
    probe = _provenance(config, kind, source, path, 0, None, None)
    with session_scope(database_url) as session:  # a read only: a refused file leaves no trace
        found = existing_file(session, probe)
        if found is None:
            return None
        return FileReport(kind, source.label, "unchanged", found.rows_read, found.rows_accepted,
                          found.rows_quarantined, found.rows_outside_area, found.rows_unlocated,
                          list(found.months or []), "already ingested (same checksum)", found.id)


def _already_stored_all(database_url: str, config: Partnership, kind: str,
                        files: list[SourceFile] | list[FileStamp]) -> dict[str, FileReport]:
    """``_already_stored`` for every file of a source in one query (a re-run asks about all of them).

    Keyed by checksum; each report carries the label of the first file with that checksum (the caller
    puts each file's own label on it)."""
    wanted: dict[str, SourceFile | FileStamp] = {}
    for source in files:
        wanted.setdefault(source.raw_sha256, source)
    with session_scope(database_url) as session:  # a read only: a refused file leaves no trace
        found = session.scalars(select(models.InputFile).where(
            models.InputFile.partnership_id == config.id, models.InputFile.source_kind == kind,
            models.InputFile.sha256.in_(list(wanted)))).all()
        return {f.sha256: FileReport(kind, wanted[f.sha256].label, "unchanged", f.rows_read, f.rows_accepted,
                                     f.rows_quarantined, f.rows_outside_area, f.rows_unlocated,
                                     list(f.months or []), "already ingested (same checksum)", f.id)
                for f in found}


def _skip_key(config: Partnership, period: CyclePeriod, kind: str, source: SourceFile | FileStamp,
              from_folder: bool) -> str:
    return skips.key(config, period, kind, source.raw_sha256, source.name, source.label, from_folder)


def _remembered_skip(config: Partnership, period: CyclePeriod, kind: str, source: SourceFile | FileStamp,
                     from_folder: bool) -> FileReport | None:
    """A file an earlier run read and skipped (all its months outside the window), with the same inputs."""
    if not from_folder or kind == "population":
        return None
    found = skips.recall(_skip_key(config, period, kind, source, from_folder))
    if found is None:
        return None
    return FileReport(kind, source.label, "skipped", int(found["rows_read"]), message=str(found["message"]))


def _unchanged_source(database_url: str, config: Partnership, period: CyclePeriod, kind: str,
                      target: Path) -> list[FileReport] | None:
    """The reports of a source none of whose files changed, or None to read it in full.

    Decided from the checksums of the files' bytes on disk, in one store query: every file already
    stored (or already found to lie outside the cycle's window) means nothing to decompress, parse,
    place or validate, so Great Expectations is not even imported. Anything else (a new or changed
    file, an archive, a limit reached) returns None and the source is read as before.
    """
    listing = stamp_files(target)
    if listing is None or not listing[0]:
        return None
    stamps, skipped = listing
    stored = _already_stored_all(database_url, config, kind, stamps)
    reports = [FileReport(kind, name, "skipped", message="not a street-level table file") for name in skipped]
    for stamp in stamps:
        report = stored.get(stamp.raw_sha256)
        report = (replace(report, label=stamp.label) if report
                  else _remembered_skip(config, period, kind, stamp, len(stamps) > 1))
        if report is None:
            return None
        reports.append(report)
    return reports


def _outside_window(frame: pd.DataFrame, period: CyclePeriod) -> bool:
    distinct = pd.Series(frame["month"].unique())  # a few months, however many rows
    months = pd.PeriodIndex(distinct[distinct.str.fullmatch(r"\d{4}-\d{2}")], freq="M")
    return len(months) > 0 and bool(((months < period.window_start) | (months > period.end)).all())


@dataclass
class _Read:
    """A file read and placed in the area, waiting for the source's validation."""

    source: SourceFile
    frame: pd.DataFrame  # every row of the file (shared between partnerships: never modified)
    problems: list[RowProblem]
    split: area.AreaSplit


def _read(database_url: str, config: Partnership, period: CyclePeriod, kind: str, source: SourceFile,
          path: Path, from_folder: bool, stored: dict[str, FileReport] | None = None) -> FileReport | _Read:
    """Read one file and keep the partnership's rows; a report when there is nothing to validate."""
    unchanged = (stored.get(source.raw_sha256) if stored is not None
                 else _already_stored(database_url, config, kind, source, path))
    if unchanged:
        return replace(unchanged, label=source.label)
    remembered = _remembered_skip(config, period, kind, source, from_folder)
    if remembered:
        return remembered
    frame, problems = shared.parsed(kind, source, _parser(kind))
    # reliability: whether the file belongs (force, named month) before it can replace anything
    belong.check_force(kind, frame, config, source.label)
    belong.check_named_month(kind, frame, source.name, source.label)
    split = _split(kind, frame, config)
    if split.inside.empty:
        raise IngestError(f"{source.label}: none of its {len(frame)} rows is in "
                          f"{config.local_authority.name} ({split.unlocated} have no location)")
    if from_folder and kind != "population" and _outside_window(split.inside, period):
        message = f"all months outside the window {period.window_start}..{period.end}"
        skips.remember(_skip_key(config, period, kind, source, from_folder), len(frame), message)
        return FileReport(kind, source.label, "skipped", len(frame), message=message)
    return _Read(source, frame, problems, split)


def _check_and_store(database_url: str, config: Partnership, period: CyclePeriod, kind: str, read: _Read,
                     path: Path, today: dt.date, validation: SourceValidation | None,
                     flow_run_id: str | None, force: bool = False) -> FileReport:
    """The per-file rules on the partnership's rows, then one transaction for the file."""
    source, split, problems = read.source, read.split, read.problems
    check = check_frame(kind, split.inside, source.label, period, today, validation)
    if check.blocking_errors:
        unread = "; ".join(p.reason for p in problems[:3])  # the parser's own reading of the values
        raise IngestError("\n".join(check.blocking_errors)
                          + (f" Values that could not be read: {unread}" if unread else ""))
    typed_bad = {p.row_number for p in problems}
    accepted = check.accepted[~check.accepted["row_number"].isin(typed_bad)]
    all_problems = _with_raw(problems, split.inside) + list(check.problems)
    prov = _provenance(config, kind, source, path, len(read.frame), split, flow_run_id, force)
    note = belong.outside_area_note(kind, read.frame, split.inside["row_number"], today)
    with session_scope(database_url) as session:
        if locked_duplicate(session, prov):  # the same file stored meanwhile by a concurrent run
            return _already_stored(database_url, config, kind, source, path)
        ensure_partnership(session, config)
        record, replaced = store_file(session, prov, accepted, all_problems, list(check.outcomes))
        return FileReport(kind, source.label, "stored", record.rows_read, record.rows_accepted,
                          record.rows_quarantined, record.rows_outside_area, record.rows_unlocated,
                          list(record.months or []), note, record.id, replaced)


def ingest_file(database_url: str, config: Partnership, period: CyclePeriod, kind: str,
                source: SourceFile, path: Path, *, today: dt.date, from_folder: bool = False,
                flow_run_id: str | None = None, force: bool = False) -> FileReport:
    """Ingest one file; raise IngestError (store untouched) when the file as a whole is unusable."""
    if kind == "boundaries":
        return _ingest_boundaries(database_url, config, source, path, flow_run_id)
    read = _read(database_url, config, period, kind, source, path, from_folder)
    if isinstance(read, FileReport):
        return read
    return _check_and_store(database_url, config, period, kind, read, path, today, None, flow_run_id, force)


def _with_raw(problems: list[RowProblem], frame: pd.DataFrame) -> list[RowProblem]:
    """Attach the offending row's values so an analyst can see it without opening the file."""
    by_row = frame.set_index("row_number")
    out = []
    for p in problems:
        if p.row_number in by_row.index:
            raw = {k: (None if pd.isna(v) else v) for k, v in by_row.loc[p.row_number].items()
                   if not isinstance(v, pd.Series)}
            p = RowProblem(p.row_number, p.column, p.rule, p.reason, raw)
        out.append(p)
    return out


def _ingest_boundaries(database_url: str, config: Partnership, source: SourceFile, path: Path,
                       flow_run_id: str | None) -> FileReport:
    """Boundaries are drawn, not counted: record their provenance and how many fall in the area."""
    unchanged = _already_stored(database_url, config, "boundaries", source, path)
    if unchanged:
        return unchanged
    try:
        features = json.loads(source.content.decode("utf-8-sig"))["features"]
    except (ValueError, KeyError, TypeError) as exc:
        raise IngestError(f"{source.label}: not a GeoJSON FeatureCollection ({exc})") from exc
    polygons = area.boundary_lsoas([f.get("properties") or {} for f in features], config)
    split = area.AreaSplit(polygons, outside=len(features) - len(polygons), unlocated=0)
    prov = _provenance(config, "boundaries", source, path, len(features), split, flow_run_id)
    with session_scope(database_url) as session:
        ensure_partnership(session, config)
        record, replaced = store_file(session, prov, polygons, [], [])
        return FileReport("boundaries", source.label, "stored", len(features), len(polygons), 0,
                          split.outside, 0, [], "", record.id, replaced)


def source_files(config: Partnership, kind: str, path: Path | None = None) -> tuple[Path, list[SourceFile], list[str]]:
    """The files a configured (or given) source path holds."""
    target = path or config.source_path(kind)
    if kind == "boundaries" and target.is_file():  # GeoJSON: one file, not a table
        content = target.read_bytes()
        return target, [SourceFile(target.name, target.name, content, sha256(content), len(content))], []
    files, skipped = discover(target, wanted="street" if kind == "police_uk" else None)
    if not files:
        raise IngestError(f"{target}: no CSV, CSV.GZ or XLSX files found for source {kind!r}")
    return target, files, skipped


def ingest_source(database_url: str, config: Partnership, cycle_name: str, kind: str,
                  path: Path | None = None, today: dt.date | None = None,
                  flow_run_id: str | None = None, force: bool = False) -> list[FileReport]:
    """Every file of one source; a failed file is reported and the others continue.

    The new files are validated in one GX run over all their rows (shared with the other partnerships
    the files serve); each file's rules and refusals are then applied to its own rows, as before.
    """
    period = config.cycle(cycle_name)
    today = today or dt.date.today()
    if kind != "boundaries":
        unchanged = _unchanged_source(database_url, config, period, kind, path or config.source_path(kind))
        if unchanged is not None:
            return unchanged
    target, files, skipped = source_files(config, kind, path)
    reports = [FileReport(kind, name, "skipped", message="not a street-level table file")
               for name in skipped]
    if kind == "boundaries":
        return reports + [_file_or_failure(kind, source, lambda s=source: _ingest_boundaries(
            database_url, config, s, target, flow_run_id)) for source in files]
    stored = _already_stored_all(database_url, config, kind, files)
    reads = [_file_or_failure(kind, source, lambda s=source: _read(
        database_url, config, period, kind, s, target, len(files) > 1, stored)) for source in files]
    pending = [r for r in reads if isinstance(r, _Read)]
    validation = shared.validated(kind, [(r.source, r.frame) for r in pending]) if pending else None
    seen: set[str] = set()
    for read in reads:
        if isinstance(read, FileReport):
            reports.append(read)
            continue
        sha = read.source.raw_sha256
        again = _already_stored(database_url, config, kind, read.source, target) if sha in seen else None
        seen.add(sha)  # a copy of a file stored a moment ago is 'unchanged', as when files went one by one
        reports.append(again or _file_or_failure(kind, read.source, lambda r=read: _check_and_store(
            database_url, config, period, kind, r, target, today, validation, flow_run_id, force)))
    return reports


def prefetch_sources(database_url: str, config: Partnership, cycle_name: str, kinds: list[str]) -> list[str]:
    """Start reading and validating the police and partner sources on the side process while the
    reference data are stored here (``csp/side_process.py``); returns the kinds sent. Called before
    any file is read, from the thread that ingests (the side process is forked from it if needed).

    Only files that ``ingest_source`` will read are sent: a source with nothing new (a re-run) sends
    nothing and starts no process. The side process parses every new file and validates them in one
    Great Expectations run; ``ingest_source`` then finds both in ``tasks/ingest/shared.py`` and does
    the rest (belonging, the area, the window, each file's rules, the store) exactly as before.
    """
    period = config.cycle(cycle_name)
    sent = []
    for kind in kinds:
        if kind not in SIDE_KINDS or _missing_optional(config, kind):
            continue
        if _unchanged_source(database_url, config, period, kind, config.source_path(kind)) is not None:
            continue
        try:
            _, files, _ = source_files(config, kind)
        except IngestError:
            continue  # ingest_source reports it
        stored = _already_stored_all(database_url, config, kind, files)
        todo = [source for source in files if source.raw_sha256 not in stored
                and _remembered_skip(config, period, kind, source, len(files) > 1) is None]
        parse = side_process.submit(read_files, kind, todo) if todo and side_process.start() else None
        if parse is not None:
            shared.expect(kind, parse, side_process.submit(validate_files, kind, todo, period))
            sent.append(kind)
    return sent


def read_files(kind: str, files: list[SourceFile]) -> dict[str, shared.Parsed]:
    """Each file's parse, by checksum (in the side process, where ``validate_files`` finds them next).
    A file that does not parse is left out: ``ingest_source`` reads it again and reports it."""
    parser = _parser(kind)
    found: dict[str, shared.Parsed] = {}
    for source in files:
        try:
            found[source.raw_sha256] = shared.parsed(kind, source, parser)
        except Exception:  # noqa: BLE001, S112 - reported by ingest_source, which reads it again
            continue
    return found


def validate_files(kind: str, files: list[SourceFile], period: CyclePeriod) -> shared.Prefetched | None:
    """One GX run over the files ``read_files`` parsed, but for those every month of which lies outside
    the window: their rows in the area lie outside too, so ``ingest_source`` skips them as well (a
    covering validation may hold more files than it is asked for, never fewer)."""
    found = read_files(kind, files)  # kept by the side process's own cache: nothing is parsed again
    readable = [source for source in files if source.raw_sha256 in found
                and not (len(files) > 1 and _outside_window(found[source.raw_sha256][0], period))]
    if not readable or len({source.label for source in readable}) != len(readable):
        return None
    validation = validate_source(kind, [(source.label, found[source.raw_sha256][0]) for source in readable])
    return shared.Prefetched(shared.validation_key(kind, readable), validation)


def _file_or_failure(kind: str, source: SourceFile, step: Callable[[], FileReport | _Read]) -> FileReport | _Read:
    try:
        return step()
    except IngestError as exc:
        return FileReport(kind, source.label, "failed", message=str(exc))


def configured_kinds(config: Partnership) -> list[str]:
    return [kind for kind in SOURCE_ORDER if kind in config.sources]


def unchanged_sources(database_url: str, config: Partnership, cycle_name: str) -> list[FileReport] | None:
    """The reports of every configured source when none of their files changed since they were stored
    (or found to lie outside the window); None as soon as one source has anything to read."""
    period = config.cycle(cycle_name)
    reports: list[FileReport] = []
    for kind in configured_kinds(config):
        if kind == "boundaries":
            target, files, skipped = source_files(config, kind)
            found = [_already_stored(database_url, config, kind, source, target) for source in files]
            if skipped or any(report is None for report in found):
                return None
        else:
            found = _unchanged_source(database_url, config, period, kind, config.source_path(kind))
            if found is None:
                return None
        reports += found
    return reports


def ingest_partnership(database_url: str, config: Partnership, cycle_name: str,
                       kinds: list[str] | None = None, today: dt.date | None = None,
                       flow_run_id: str | None = None) -> list[FileReport]:
    """All configured sources of one partnership, reference data first (the police and partner files
    read meanwhile on the side process, as in the flow)."""
    reports: list[FileReport] = []
    kinds = kinds or configured_kinds(config)
    prefetch_sources(database_url, config, cycle_name, kinds)
    for kind in kinds:
        missing = _missing_optional(config, kind)
        if missing:
            reports.append(missing)
            continue
        try:
            reports += ingest_source(database_url, config, cycle_name, kind, today=today,
                                     flow_run_id=flow_run_id)
        except IngestError as exc:
            reports.append(FileReport(kind, str(config.sources[kind].path), "failed",
                                      message=str(exc)))
    return reports


def _missing_optional(config: Partnership, kind: str) -> FileReport | None:
    """An optional source whose path is not there: a clear note, and the cycle goes on without it."""
    source = config.sources[kind]
    path = config.source_path(kind)
    if source.required or path.exists():
        return None
    return FileReport(kind, source.path, "skipped", message=(
        f"optional source {kind!r} not found at {path}; the cycle goes on without it (set its path in "
        f"{config.config_file}, or switch it off with 'sources.{kind}.enabled: false')"))


def record_ingest_run(database_url: str, config: Partnership, cycle_name: str,
                      reports: list[FileReport], flow_run_id: str | None = None) -> str:
    """Log the attempt as a stage run, so `csp status` can say what failed (the data tables are
    untouched by a refused file; only this log line records that it was tried)."""
    failed = [r for r in reports if r.status == "failed"]
    status = "failed" if failed else "completed"
    stored = sum(1 for r in reports if r.status == "stored")
    message = "; ".join(r.message.splitlines()[0] for r in failed) or (
        f"{stored} file(s) stored, {len(reports) - stored} unchanged or skipped")
    with session_scope(database_url) as session:
        cycle = ensure_cycle(session, config, cycle_name)
        finish_stage(start_stage(session, cycle, "ingest", flow_run_id), status, message)
    return status
