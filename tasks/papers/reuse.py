"""Re-running the papers stage cheaply: rendered papers kept by what they were built from.

Each rendered file is kept in ``<var>/papers-cache/<partnership>/<cycle>/<meeting>/`` under a key made
of the pack's input fingerprint (tasks/papers/inputs.py: store, configuration, agenda, plan, charts,
code) and the job (paper, version, number, name, template and its checksum). A restricted version that
adds nothing to the public one is kept as "dropped". A re-run with the same inputs therefore builds no
context at all; a re-run where only some keys are missing (a template edited, a file deleted from the
cache) builds the contexts of those papers only (both versions, to decide whether the restricted one
adds content) and renders only the missing files.

After a pack is written, ``pack.json`` in the cache folder records its fingerprint, keys and the
checksum of every file written (papers, manifest, archives). When the next run has the same fingerprint
and keys and every one of those files is on disk byte for byte, the pack is intact: nothing is written
again (the run still records its Paper rows). A pack that could not be written (a failure after
rendering) is written from the kept files: the same bytes a cold run would produce.

Restricted papers are kept in the var folder beside the store, which holds everything they print;
each file is keyed by its version, so the public and restricted papers are never mixed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csp.settings import get_settings
from tasks.papers.inputs import job_key
from tasks.papers.lint import TemplateReport
from tasks.papers.numbers import RESTRICTED
from tasks.papers.registry import PaperJob, by_paper
from tasks.papers.render import Rendered

CACHE = "papers-cache"
PACK_RECORD = "pack.json"
DROPPED = "dropped"  # a restricted version that says nothing more than the public one


def cache_folder(partnership: str, cycle: str, meeting: str) -> Path:
    return get_settings().var_dir / CACHE / partnership / cycle / meeting


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_quietly(path: Path, data: bytes) -> None:
    """Best effort (a cache that cannot be written only costs the next run a rebuild)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        pass


@dataclass(frozen=True)
class Reuse:
    """What a run can take from the cache: per job, the rendered file, DROPPED, or None (to build)."""

    fingerprint: str
    keys: tuple[str, ...]
    found: tuple[Rendered | str | None, ...]
    intact: bool  # the pack on disk is exactly the one these keys describe

    def kinds_to_build(self, jobs: tuple[PaperJob, ...]) -> set[str]:
        return {job.kind for job, hit in zip(jobs, self.found, strict=True) if hit is None}

    def to_build(self, jobs: tuple[PaperJob, ...]) -> list[tuple[int, ...]]:
        """Per paper with a miss, in pack order, the indices of all its versions (every version's
        context is needed to decide whether the restricted one adds content)."""
        return by_paper(jobs, self.kinds_to_build(jobs))

    @property
    def complete(self) -> bool:
        return all(hit is not None for hit in self.found)


def _load_entry(folder: Path, key: str, job: PaperJob) -> Rendered | str | None:
    try:
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        if meta.get("dropped"):
            return DROPPED if job.version == RESTRICTED else None
        data = (folder / f"{key}.docx").read_bytes()
    except (OSError, ValueError):
        return None
    if _sha(data) != meta.get("sha256") or meta.get("file_name") != job.file_name:
        return None
    return Rendered(job.kind, job.version, job.file_name, job.title, data, meta["sha256"], job.template,
                    job.template_sha256, tuple(meta.get("input_file_ids", ())),
                    tuple(meta.get("source_runs", ())))


def _files_intact(files: dict[str, str], folder: Path) -> bool:
    for name, digest in files.items():
        try:
            if _sha((folder / name).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True


def lookup(jobs: tuple[PaperJob, ...], partnership: str, cycle: str, meeting: str, fingerprint: str,
           author: str, when: Any, pack_dir: Path) -> Reuse:
    folder = cache_folder(partnership, cycle, meeting)
    keys = tuple(job_key(fingerprint, job, author, when) for job in jobs)
    found = tuple(_load_entry(folder, key, job) for key, job in zip(keys, jobs, strict=True))
    intact = False
    if all(hit is not None for hit in found):
        try:
            record = json.loads((folder / PACK_RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = {}
        intact = (record.get("fingerprint") == fingerprint and tuple(record.get("keys", ())) == keys
                  and record.get("folder") == str(pack_dir) and bool(record.get("files"))
                  and _files_intact(record["files"], pack_dir))
    return Reuse(fingerprint, keys, found, intact)


def pack_recorded(partnership: str, cycle: str, meeting: str) -> bool:
    """Whether a written pack was recorded at all: a cheap first question before fingerprinting the
    store (a cycle's first run has nothing to reuse)."""
    return (cache_folder(partnership, cycle, meeting) / PACK_RECORD).is_file()


def keep_rendered(partnership: str, cycle: str, meeting: str, key: str, result: Rendered | str) -> None:
    folder = cache_folder(partnership, cycle, meeting)
    if isinstance(result, str):
        meta: dict[str, Any] = {"dropped": True}
    else:
        write_quietly(folder / f"{key}.docx", result.data)
        meta = {"file_name": result.file_name, "sha256": result.sha256,
                "input_file_ids": list(result.input_file_ids), "source_runs": list(result.source_runs)}
    write_quietly(folder / f"{key}.json", json.dumps(meta).encode("utf-8"))


def record_pack(partnership: str, cycle: str, meeting: str, fingerprint: str, keys: tuple[str, ...],
                pack_dir: Path, written: list[str]) -> None:
    """After a pack is written: what it was built from and the checksum of each file written; entries
    of earlier inputs are removed."""
    folder = cache_folder(partnership, cycle, meeting)
    files = {}
    for name in written:
        try:
            files[name] = _sha((pack_dir / name).read_bytes())
        except OSError:
            return
    record = {"fingerprint": fingerprint, "keys": list(keys), "folder": str(pack_dir), "files": files}
    write_quietly(folder / PACK_RECORD, json.dumps(record, indent=1).encode("utf-8"))
    current = set(keys)
    try:
        for path in folder.iterdir():
            stale = path.suffix in (".json", ".docx") and path.name != PACK_RECORD and path.stem not in current
            if stale or path.suffix == ".tmp":  # and what an interrupted write left behind
                path.unlink(missing_ok=True)
    except OSError:
        pass


def forget_pack(partnership: str, cycle: str, meeting: str) -> None:
    """The pack on disk is about to change: it no longer matches the record."""
    with contextlib.suppress(OSError):
        (cache_folder(partnership, cycle, meeting) / PACK_RECORD).unlink(missing_ok=True)


# Template checks depend only on the template's bytes, its paper and this package's code.
TEMPLATE_CHECKS = "template-checks.json"


def _template_key(job: PaperJob, code: str) -> str:
    return _sha(json.dumps([job.kind, job.template, job.template_sha256, code]).encode())


def passed_template_checks(jobs: tuple[PaperJob, ...], code: str) -> list[TemplateReport] | None:
    """The reports of earlier checks of these very templates when they all passed; None otherwise."""
    path = get_settings().var_dir / CACHE / TEMPLATE_CHECKS
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    reports, seen = [], set()
    for job in jobs:
        if job.template in seen:
            continue
        seen.add(job.template)
        entry = known.get(_template_key(job, code))
        if entry is None:
            return None
        reports.append(TemplateReport(job.kind, job.template, (), tuple(entry)))
    return reports


def remember_template_checks(jobs: tuple[PaperJob, ...], code: str, reports: list[TemplateReport]) -> None:
    """Keep the reports of templates that passed (a failing template is checked again every run)."""
    path = get_settings().var_dir / CACHE / TEMPLATE_CHECKS
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    by_template = {r.template: r for r in reports if r.ok}
    for job in jobs:
        report = by_template.get(job.template)
        if report is not None:
            known[_template_key(job, code)] = list(report.warnings)
    if len(known) > 500:  # bounded: the oldest entries go first
        known = dict(list(known.items())[-500:])
    write_quietly(path, json.dumps(known).encode("utf-8"))
