"""Finding, opening and decoding partner files safely.

A source path may be one file, a folder of files, or the zip archive data.police.uk hands out (folders
``YYYY-MM/`` inside). Everything is read into memory as bytes first so the checksum stored with the
data is the checksum of exactly what was parsed; sizes are checked first against what the archive or
gzip trailer declares, then while decompressing in chunks (csp.settings.InputLimits), so memory stays
bounded whatever a file claims.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import threading
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from csp.settings import InputLimits, input_limits
from tasks.ingest.errors import IngestError

TABLE_SUFFIXES = (".csv", ".csv.gz", ".xlsx")


@dataclass(frozen=True)
class SourceFile:
    """One file's content as received, with where it came from."""

    label: str  # what error messages and papers call it, e.g. "archive.zip:2025-01/x.csv"
    name: str  # the file's own name
    content: bytes  # decompressed bytes (gzip undone), exactly what is parsed
    raw_sha256: str  # checksum of the bytes as received (before gunzip)
    size_bytes: int

    @property
    def is_xlsx(self) -> bool:
        return self.name.lower().endswith(".xlsx")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Budget:
    """Bytes still allowed for one source path (folder or archive), across its files."""

    def __init__(self, limits: InputLimits) -> None:
        self.limits = limits
        self.used = 0
        self.files = 0

    def take(self, label: str, size: int) -> None:
        self.used += size
        self.files += 1
        if self.used > self.limits.max_total_bytes:
            raise IngestError(
                f"{label}: refused: the files of this source add up to more than "
                f"{_mib(self.limits.max_total_bytes)} uncompressed (limit CSP_MAX_SOURCE_MB); ingest "
                "it in parts (a folder or archive per year), or raise the limit")
        if self.files > self.limits.max_members:
            raise IngestError(f"{label}: refused: more than {self.limits.max_members} files in one source "
                              "(limit CSP_MAX_FILES)")


def _mib(size: float) -> str:
    return f"{size / (1 << 20):,.0f} MiB" if size >= 1 << 20 else f"{size:,.0f} bytes"


def _too_large(label: str, what: str, limits: InputLimits) -> IngestError:
    return IngestError(
        f"{label}: refused: {what} more than the {_mib(limits.max_file_bytes)} allowed for one file "
        "(limit CSP_MAX_FILE_MB); nothing from it was read. Split it (for example one month per file) "
        "or raise the limit")


def _read_capped(label: str, stream: BinaryIO, limits: InputLimits) -> bytes:
    """Read a (decompressing) stream in chunks, stopping as soon as it passes the file limit: memory
    stays within one chunk over the limit whatever the stream claims or holds."""
    chunks, size = [], 0
    while chunk := stream.read(limits.chunk_bytes):
        size += len(chunk)
        if size > limits.max_file_bytes:
            raise _too_large(label, "it expands to", limits)
        chunks.append(chunk)
    return b"".join(chunks)


def _gunzip(label: str, data: bytes, limits: InputLimits) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            first = stream.read(min(limits.chunk_bytes, limits.max_file_bytes + 1))  # a corrupt file fails here
            # the trailer declares the size (modulo 4 GiB): refuse a bomb before expanding the rest
            declared = int.from_bytes(data[-4:], "little") if len(data) >= 18 else 0
            if declared > limits.max_file_bytes:
                raise _too_large(label, f"it declares {_mib(declared)} uncompressed,", limits)
            if len(first) > limits.max_file_bytes:
                raise _too_large(label, "it expands to", limits)
            rest = _read_capped(label, stream, InputLimits(**{**vars(limits),
                                                              "max_file_bytes": limits.max_file_bytes - len(first)}))
            return first + rest
    except (OSError, EOFError, zlib.error) as exc:
        raise IngestError(f"{label}: not a valid gzip file ({exc}); download it again") from exc


_EXPANDED: OrderedDict[tuple[str, InputLimits], bytes] = OrderedDict()
_EXPANDED_LOCK = threading.Lock()


def _expanded_cache_bytes() -> int:
    """CSP_GUNZIP_CACHE_MB (default 256): how much gunzipped content a process keeps."""
    return int(os.environ.get("CSP_GUNZIP_CACHE_MB", "256")) << 20


def _gunzip_once(label: str, data: bytes, raw_sha256: str, limits: InputLimits) -> bytes:
    """``_gunzip``, remembered for the same compressed bytes and limits.

    Every partnership of a force lists the force's files and checksums what they expand to; with the
    parsed rows cached (tasks/ingest/shared.py), undoing the gzip again was most of what the second
    partnership's ingest read cost. Only a success is kept (a refusal is decided afresh each time),
    the newest first, within CSP_GUNZIP_CACHE_MB; the bytes are immutable, so sharing them is safe.
    """
    key = (raw_sha256, limits)
    with _EXPANDED_LOCK:
        if key in _EXPANDED:
            _EXPANDED.move_to_end(key)
            return _EXPANDED[key]
    content = _gunzip(label, data, limits)
    with _EXPANDED_LOCK:
        _EXPANDED[key] = content
        room = _expanded_cache_bytes()
        while _EXPANDED and sum(len(v) for v in _EXPANDED.values()) > room:
            _EXPANDED.popitem(last=False)
    return content


def _from_bytes(label: str, name: str, data: bytes, budget: _Budget) -> SourceFile:
    limits = budget.limits
    raw_sha256 = sha256(data)
    content = _gunzip_once(label, data, raw_sha256, limits) if name.lower().endswith(".gz") else data
    budget.take(label, len(content))
    return SourceFile(label=label, name=name, content=content, raw_sha256=raw_sha256,
                      size_bytes=len(data))


def _is_table(name: str) -> bool:
    return name.lower().endswith(TABLE_SUFFIXES)


def _safe_member(archive: Path, info: zipfile.ZipInfo, limits: InputLimits) -> None:
    """Refuse members that would escape the archive (zip slip), links, and sizes that are too large
    or too compressed - all from the archive's directory, before anything is decompressed."""
    member = info.filename
    path = PurePosixPath(member.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise IngestError(
            f"{archive.name}: refused: archive member {member!r} points outside the archive "
            "(absolute path or '..'); nothing from this archive was read"
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        raise IngestError(f"{archive.name}: refused: archive member {member!r} is a symbolic link, not a "
                          "file; nothing from this archive was read. Ask for an archive of plain files")
    label = f"{archive.name}:{member}"
    if info.file_size > limits.max_file_bytes:
        raise _too_large(label, f"it declares {_mib(info.file_size)} uncompressed,", limits)
    if info.file_size > (1 << 20) and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise IngestError(
            f"{label}: refused: compressed {info.file_size / max(info.compress_size, 1):,.0f} to 1 (more "
            f"than {limits.max_ratio:,.0f} to 1, limit CSP_MAX_COMPRESSION_RATIO): real data files do "
            "not compress so far; this looks like an archive bomb. Nothing from this archive was read")


def read_zip(path: Path, wanted: str | None = None,
             budget: _Budget | None = None) -> tuple[list[SourceFile], list[str]]:
    """Table files inside a zip (optionally only names containing ``wanted``), and skipped names."""
    budget = budget or _Budget(input_limits())
    limits = budget.limits
    _check_size(path, limits, compressed=True)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{path.name}: not a valid zip archive ({exc})") from exc
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > limits.max_members:
            raise IngestError(f"{path.name}: refused: {len(members):,} files in the archive (more than "
                              f"{limits.max_members}, limit CSP_MAX_FILES)")
        for info in members:
            _safe_member(path, info, limits)
        wanted_members = [i for i in members if _is_table(PurePosixPath(i.filename).name)
                          and not (wanted and wanted not in PurePosixPath(i.filename).name)]
        declared = sum(i.file_size for i in wanted_members)
        if declared + budget.used > limits.max_total_bytes:
            budget.take(path.name, declared)  # raises, naming the limit
        files, skipped = [], []
        for info in sorted(members, key=lambda i: i.filename):
            name = PurePosixPath(info.filename).name
            if info not in wanted_members:
                skipped.append(info.filename)
                continue
            label = f"{path.name}:{info.filename}"
            try:
                with archive.open(info) as stream:
                    data = _read_capped(label, stream, limits)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                raise IngestError(f"{label}: cannot be read from the archive ({exc}); download it "
                                  "again") from exc
            files.append(_from_bytes(label, name, data, budget))
        return files, skipped


def _check_size(path: Path, limits: InputLimits, compressed: bool) -> None:
    """A file on disk larger than it may be, refused before it is read (archives: the source limit)."""
    size = path.stat().st_size
    if not compressed and size > limits.max_file_bytes:
        raise _too_large(path.name, f"it is {_mib(size)},", limits)
    if compressed and size > limits.max_total_bytes:
        raise IngestError(f"{path.name}: refused: it is {_mib(size)}, more than the "
                          f"{_mib(limits.max_total_bytes)} allowed for one source (limit CSP_MAX_SOURCE_MB); "
                          "nothing from it was read. Ingest it in parts, or raise the limit")


def discover(path: Path, wanted: str | None = None,
             budget: _Budget | None = None) -> tuple[list[SourceFile], list[str]]:
    """All table files under a source path (file, folder or zip), sorted, and what was skipped.

    ``wanted`` filters archive members only (police.uk zips also hold outcomes and stop-and-search
    files); a file named directly is always read. Sizes are checked against ``input_limits()``.
    """
    budget = budget or _Budget(input_limits())
    if path.is_symlink():
        raise IngestError(f"{path}: refused: a symbolic link; name the file or folder itself")
    if not path.exists():
        raise IngestError(f"{path}: no such file or folder (check the source path in configuration)")
    if path.is_dir():
        files, skipped = [], []
        for child in sorted(p for p in path.rglob("*") if p.is_file() or p.is_symlink()):
            if child.name.startswith((".", "README")):
                continue
            found, missed = discover(child, wanted, budget)
            files += found
            skipped += missed
        return files, skipped
    if path.suffix.lower() == ".zip":
        return read_zip(path, wanted, budget)
    if not _is_table(path.name):
        return [], [str(path)]
    _check_size(path, budget.limits, compressed=path.name.lower().endswith(".gz"))
    return [_from_bytes(path.name, path.name, path.read_bytes(), budget)], []


def decode_text(source: SourceFile) -> str:
    """UTF-8 text (a byte-order mark is accepted and removed); anything else is a clear error."""
    data = source.content
    if not data.strip():
        raise IngestError(f"{source.label}: the file is empty")
    if b"\x00" in data[:4096]:
        raise IngestError(f"{source.label}: not a CSV text file (binary content)")
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        raise IngestError(
            f"{source.label}: line 1: an HTML or XML page, not a CSV file (a login or error page saved in "
            "place of the download?); download the file again")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise IngestError(
            f"{source.label}: not UTF-8 text: byte 0x{byte} on line {line} (for example '£' saved "
            "as Windows-1252); save the file as CSV UTF-8 and ingest it again"
        ) from exc


def check_workbook(source: SourceFile) -> None:
    """An XLSX is a zip of XML: refuse one whose parts declare more than the file limit (or a bomb's
    compression ratio) before the spreadsheet library expands them."""
    limits = input_limits()
    try:
        with zipfile.ZipFile(io.BytesIO(source.content)) as book:
            members = book.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{source.label}: not a readable XLSX workbook ({exc}); open it in Excel "
                          "and save it again as .xlsx") from exc
    declared = sum(info.file_size for info in members)
    if declared > limits.max_file_bytes:
        raise _too_large(source.label, f"its sheets declare {_mib(declared)} uncompressed,", limits)
    for info in members:
        if info.file_size > (1 << 20) and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise IngestError(f"{source.label}: refused: part {info.filename!r} is compressed more than "
                              f"{limits.max_ratio:,.0f} to 1 (an archive bomb?); nothing was read")


@dataclass(frozen=True)
class FileStamp:
    """A table file on disk named as ``discover`` names it, with the checksum of its bytes as they are
    (not decompressed): enough to ask the store whether the file is already in."""

    label: str
    name: str
    raw_sha256: str


def _declared_size(path: Path, data: bytes) -> int:
    """What a file holds once decompressed, as far as its bytes say without decompressing (the gzip
    trailer, modulo 4 GiB); the file's own size otherwise."""
    if path.name.lower().endswith(".gz"):
        return int.from_bytes(data[-4:], "little") if len(data) >= 18 else 0
    return len(data)


def stamp_files(path: Path) -> tuple[list[FileStamp], list[str]] | None:
    """The files ``discover(path)`` would return, by checksum of their bytes on disk, and the names it
    would skip, without decompressing or decoding anything; None when that cannot be said so cheaply
    (a zip archive, a symbolic link, a size limit reached): the caller then uses ``discover``, which
    reads everything and gives the full answer or the refusal.
    """
    limits = input_limits()
    if path.is_symlink() or not path.exists():
        return None
    candidates = sorted(p for p in path.rglob("*") if p.is_file() or p.is_symlink()) if path.is_dir() else [path]
    stamps, skipped, total = [], [], 0
    for child in candidates:
        if path.is_dir() and child.name.startswith((".", "README")):
            continue
        if child.is_symlink() or child.suffix.lower() == ".zip":
            return None
        if not _is_table(child.name):
            skipped.append(str(child))
            continue
        gz = child.name.lower().endswith(".gz")
        size = child.stat().st_size
        if size > (limits.max_total_bytes if gz else limits.max_file_bytes):
            return None
        data = child.read_bytes()
        declared = _declared_size(child, data)
        total += declared
        if declared > limits.max_file_bytes or total > limits.max_total_bytes or len(stamps) >= limits.max_members:
            return None
        stamps.append(FileStamp(child.name, child.name, sha256(data)))
    return stamps, skipped
