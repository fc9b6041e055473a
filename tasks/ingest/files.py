"""Finding, opening and decoding partner files safely.

A source path may be one file, a folder of files, or the zip archive data.police.uk hands out (folders
``YYYY-MM/`` inside). Everything is read into memory as bytes first so the checksum stored with the
data is the checksum of exactly what was parsed.
"""

from __future__ import annotations

import gzip
import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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


def _gunzip(label: str, data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError) as exc:
        raise IngestError(f"{label}: not a valid gzip file ({exc})") from exc


def _from_bytes(label: str, name: str, data: bytes) -> SourceFile:
    content = _gunzip(label, data) if name.lower().endswith(".gz") else data
    return SourceFile(label=label, name=name, content=content, raw_sha256=sha256(data),
                      size_bytes=len(data))


def _is_table(name: str) -> bool:
    return name.lower().endswith(TABLE_SUFFIXES)


def _safe_member(archive: Path, member: str) -> None:
    """Refuse members that would escape the archive (zip slip), whatever the caller does next."""
    path = PurePosixPath(member.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise IngestError(
            f"{archive.name}: refused: archive member {member!r} points outside the archive "
            "(absolute path or '..'); nothing from this archive was read"
        )


def read_zip(path: Path, wanted: str | None = None) -> tuple[list[SourceFile], list[str]]:
    """Table files inside a zip (optionally only names containing ``wanted``), and skipped names."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise IngestError(f"{path.name}: not a valid zip archive ({exc})") from exc
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        for info in members:
            _safe_member(path, info.filename)
        files, skipped = [], []
        for info in sorted(members, key=lambda i: i.filename):
            name = PurePosixPath(info.filename).name
            if not _is_table(name) or (wanted and wanted not in name):
                skipped.append(info.filename)
                continue
            label = f"{path.name}:{info.filename}"
            files.append(_from_bytes(label, name, archive.read(info)))
        return files, skipped


def discover(path: Path, wanted: str | None = None) -> tuple[list[SourceFile], list[str]]:
    """All table files under a source path (file, folder or zip), sorted, and what was skipped.

    ``wanted`` filters archive members only (police.uk zips also hold outcomes and stop-and-search
    files); a file named directly is always read.
    """
    if not path.exists():
        raise IngestError(f"{path}: no such file or folder (check the source path in configuration)")
    if path.is_dir():
        files, skipped = [], []
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if child.name.startswith((".", "README")):
                continue
            found, missed = discover(child, wanted)
            files += found
            skipped += missed
        return files, skipped
    if path.suffix.lower() == ".zip":
        return read_zip(path, wanted)
    if not _is_table(path.name):
        return [], [str(path)]
    return [_from_bytes(path.name, path.name, path.read_bytes())], []


def decode_text(source: SourceFile) -> str:
    """UTF-8 text (a byte-order mark is accepted and removed); anything else is a clear error."""
    data = source.content
    if not data.strip():
        raise IngestError(f"{source.label}: the file is empty")
    if b"\x00" in data[:4096]:
        raise IngestError(f"{source.label}: not a CSV text file (binary content)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise IngestError(
            f"{source.label}: not UTF-8 text: byte 0x{byte} on line {line} (for example '£' saved "
            "as Windows-1252); save the file as CSV UTF-8 and ingest it again"
        ) from exc
