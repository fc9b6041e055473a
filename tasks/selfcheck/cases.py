"""A catalogue of hostile inputs, one small builder each, shared by ``csp selfcheck`` and the tests
(tests/test_hostile_inputs.py). Every case names the reader it attacks, what a person should be told
(phrases the message must contain) and whether the file is refused or handled otherwise.

Inputs are built small: archive bombs are forged by declaring huge sizes in the archive's own
directory (the 1 GiB zip is 1 KiB on disk) or by a few MiB of zeros under a lowered limit.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from csp.settings import PROJECT_ROOT

POLICE_DIR = PROJECT_ROOT / "data" / "raw" / "police_uk" / "cambridgeshire"
GOOD_MONTH = "2025-09"
GOOD_NAME = f"{GOOD_MONTH}-cambridgeshire-street.csv"
GOOD_ROWS = 40
MIB = 1 << 20


@dataclass(frozen=True)
class Case:
    """One hostile input: ``build(folder)`` writes it and returns the path to give the reader."""

    name: str
    reader: str  # police_uk, fire, idva, population (ingest kinds), config, decisions
    build: Callable[[Path], Path]
    expect: tuple[str, ...]  # phrases the message must contain (case-insensitive)
    env: dict[str, str] = field(default_factory=dict)  # limits lowered for this case
    bomb: bool = False  # measured for peak memory by csp selfcheck


# --- builders -------------------------------------------------------------------------------------


def police_rows(n: int = GOOD_ROWS, month: str = GOOD_MONTH) -> pd.DataFrame:
    """Real published rows in Cambridge (the bundled data.police.uk month), all strings."""
    with gzip.open(POLICE_DIR / f"{month}-cambridgeshire-street.csv.gz", "rt", encoding="utf-8") as f:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
    return frame[frame["LSOA name"].str.match(r"^Cambridge \d{3}[A-Z]$")].head(n).reset_index(drop=True)


def fenland_rows(n: int) -> pd.DataFrame:
    """Real rows of the same month placed in Fenland (another partnership of the same force)."""
    with gzip.open(POLICE_DIR / f"{GOOD_MONTH}-cambridgeshire-street.csv.gz", "rt", encoding="utf-8") as f:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
    return frame[frame["LSOA name"].str.startswith("Fenland ")].head(n).reset_index(drop=True)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _police(edit: Callable[[pd.DataFrame], pd.DataFrame], name: str = "hostile.csv", n: int = 6,
            month: str = GOOD_MONTH):
    return lambda folder: _write(folder, name, csv_bytes(edit(police_rows(n, month))))


def _raw(name: str, data: bytes):
    return lambda folder: _write(folder, name, data)


def _set(column: str, value: str, rows: slice | None = None):
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame.index[rows] if rows else frame.index, column] = value
        return frame
    return edit


def _zip(members: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, b"/etc/passwd")
    return buffer.getvalue()


def forge_declared_size(data: bytes, size: int) -> bytes:
    """A zip whose directory declares ``size`` uncompressed bytes for its member (a bomb's signature)
    while holding only a few bytes: enough to test that the declaration alone is refused."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = out.find(signature)
        out[at + offset: at + offset + 4] = struct.pack("<I", size)
    return bytes(out)


def zip_bomb_1gib(folder: Path) -> Path:
    small = _zip({f"{GOOD_MONTH}/{GOOD_NAME}": csv_bytes(police_rows(2))})
    return _write(folder, "bomb-1gib.zip", forge_declared_size(small, (1 << 30) - 1))


def zeros_zip(folder: Path) -> Path:
    """A real 8 MiB member of zeros: about 8 KiB compressed (1000 to 1)."""
    return _write(folder, "zeros.zip", _zip({f"{GOOD_MONTH}/{GOOD_NAME}": bytes(8 * MIB)}))


def gzip_bomb(folder: Path) -> Path:
    """Gzip of 80 MiB of zeros (about 80 KiB): refused from its declared size in the trailer."""
    return _write(folder, "2025-09-bomb-street.csv.gz", gzip.compress(bytes(80 * MIB), compresslevel=1))


def gzip_lying_trailer(folder: Path) -> Path:
    """3 MiB of data whose trailer claims 100 bytes: caught while decompressing (limit lowered)."""
    data = bytearray(gzip.compress(b"a," * (3 * MIB // 2), compresslevel=1))
    data[-4:] = struct.pack("<I", 100)
    return _write(folder, "lying.csv.gz", bytes(data))


def xlsx_bomb(folder: Path) -> Path:
    buffer = io.BytesIO()
    pd.DataFrame({"month": ["2025-09"], "category": ["x"], "count": [1]}).to_excel(buffer, index=False)
    data = bytearray(buffer.getvalue())
    at = data.find(b"PK\x01\x02")
    data[at + 24: at + 28] = struct.pack("<I", (1 << 30) - 1)
    return _write(folder, "bomb.xlsx", bytes(data))


def _xlsx(frame: pd.DataFrame, header: bool = True):
    def build(folder: Path) -> Path:
        path = folder / "sheet.xlsx"
        folder.mkdir(parents=True, exist_ok=True)
        frame.to_excel(path, index=False, header=header)
        return path
    return build


def _partner(edit: Callable[[pd.DataFrame], pd.DataFrame] = lambda f: f, name: str = "fire.csv"):
    frame = pd.DataFrame({"month": ["2025-07", "2025-08", "2025-09"], "district": ["Cambridge"] * 3,
                          "category": ["Deliberate primary", "Accidental primary", "Cause not known"],
                          "count": ["3", "11", "2"]})
    return lambda folder: _write(folder, name, csv_bytes(edit(frame)))


def _folder(files: dict[str, bytes], links: dict[str, str] | None = None):
    def build(folder: Path) -> Path:
        root = folder / "source"
        root.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            _write(root, name, data)
        for name, target in (links or {}).items():
            os.symlink(target, root / name)
        return root
    return build


def _yaml(text: str | bytes, name: str = "hostile.yaml"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return lambda folder: _write(folder / "config", name, data)


YAML_BOMB = "\n".join([
    "id: hostile", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    *[f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)],
    "name: *i"])


def _decisions(rows: list[dict[str, str]] | None, raw: bytes | None = None):
    def build(folder: Path) -> Path:
        data = raw if raw is not None else pd.DataFrame(rows).to_csv(index=False).encode("utf-8")
        return _write(folder, "decisions.csv", data)
    return build


def _decision(**values: str) -> dict[str, str]:
    row = {"kind": "theme", "subject": "asb", "outcome": "accepted", "value": "", "reason": "agreed",
           "meeting": "development-2025-12", "date": ""}
    return {**row, **values}


def _extra_field() -> bytes:
    lines = csv_bytes(police_rows(4)).split(b"\n")
    lines[2] += b",surplus"
    return b"\n".join(lines)


def _drop(*columns: str):
    return lambda frame: frame.drop(columns=list(columns))


def _rename(old: str, new: str):
    return lambda frame: frame.rename(columns={old: new})


# --- the catalogue --------------------------------------------------------------------------------

HEADER = b"Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"

CASES: tuple[Case, ...] = (
    # police.uk CSV
    Case("empty file", "police_uk", _raw("empty.csv", b""), ("empty",)),
    Case("only whitespace", "police_uk", _raw("blank.csv", b"  \n\n \r\n"), ("empty",)),
    Case("header only", "police_uk", _raw("header.csv", HEADER), ("header only", "no data rows")),
    Case("PNG named .csv", "police_uk", _raw("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
         ("not a csv", "binary")),
    Case("UTF-16 text", "police_uk", _raw("utf16.csv", HEADER.decode().encode("utf-16")), ("binary",)),
    Case("Windows-1252 pound sign", "police_uk",
         lambda f: _write(f, "cp1252.csv", csv_bytes(police_rows(3)).replace(b"On or near", b"\xa3 near", 1)),
         ("not utf-8", "line 2", "0xa3")),
    Case("HTML login page", "police_uk", _raw("2025-09-street.csv", b"<!DOCTYPE html><html><body>Sign in</body></html>"),
         ("html", "download the file again")),
    Case("XML error page", "police_uk", _raw("error.csv", b'<?xml version="1.0"?><Error>AccessDenied</Error>'),
         ("html or xml",)),
    Case("truncated last line", "police_uk",
         lambda f: _write(f, "cut.csv", csv_bytes(police_rows(4))[:-60].rsplit(b",", 1)[0]), ("truncated", "line 5")),
    Case("extra field in a line", "police_uk", lambda f: _write(f, "extra.csv", _extra_field()),
         ("line 3", "fields where the header has 12", "malformed")),
    Case("unterminated quote", "police_uk",
         lambda f: _write(f, "quote.csv", csv_bytes(police_rows(4)).replace(b"On or near", b'"On or near', 1)),
         ("line",)),
    Case("required column missing", "police_uk", _police(_drop("Month")), ("'month'", "missing required")),
    Case("column renamed", "police_uk", _police(_rename("Crime type", "Offence")),
         ("missing required column(s) 'crime type';", "'offence'")),  # no hint naming 'Crime ID'

    Case("column renamed case", "police_uk", _police(_rename("LSOA code", "lsoa code")),
         ("'lsoa code': renamed?",)),
    Case("another force", "police_uk", _police(_set("Reported by", "Kent Police")),
         ("reported by", "kent police", "another force")),
    Case("another force in Falls within", "police_uk", _police(_set("Falls within", "Metropolitan Police Service", slice(0, 1))),
         ("falls within", "rows 2")),
    Case("file named for another month", "police_uk",
         _police(lambda f: f, name="2025-08-cambridgeshire-street.csv"), ("named for 2025-08", "2025-09")),
    Case("replacement with far fewer rows", "police_uk", _police(lambda f: f, name=GOOD_NAME, n=5),
         ("5 rows", f"has {GOOD_ROWS}", "--force")),
    Case("every month in the future", "police_uk", _police(_set("Month", "2031-01")), ("future",)),
    Case("every month unparseable", "police_uk", _police(_set("Month", "Sept 2025")), ("month", "sept 2025")),
    Case("no row in the area", "police_uk", lambda f: _write(f, "hostile.csv", csv_bytes(fenland_rows(6))),
         ("none of its", "rows is in cambridge")),
    Case("value longer than its column", "police_uk",
         _police(_set("Location", "On or near " + "x" * 400, slice(2, 3)), month="2025-08"),
         ("row 4", "column 'location'", "characters where at most")),
    Case("outcome longer than its column", "police_uk",
         _police(_set("Last outcome category", "Y" * 300, slice(0, 1)), month="2025-08"),
         ("row 2", "column 'last outcome category'")),
    Case("file name longer than its column", "police_uk",
         lambda f: _write(f, "long.zip", _zip({"m/" + "n" * 320 + "-street.csv": csv_bytes(police_rows(5, "2025-08"))})),
         ("column 'file_name'", "characters where at most")),
    # gzip
    Case("corrupt gzip", "police_uk", _raw("broken.csv.gz", b"\x1f\x8b\x08\x00" + os.urandom(200)), ("gzip",)),
    Case("truncated gzip", "police_uk",
         lambda f: _write(f, "short.csv.gz", gzip.compress(csv_bytes(police_rows(30)))[:300]), ("gzip",)),
    Case("gzip bomb (declared 80 MiB)", "police_uk", gzip_bomb, ("declares", "limit csp_max_file_mb"),
         env={"CSP_MAX_FILE_MB": "64"}, bomb=True),
    Case("gzip whose trailer lies", "police_uk", gzip_lying_trailer, ("expands to",), env={"CSP_MAX_FILE_MB": "1"}),
    Case("gzip of an HTML page", "police_uk", _raw("page.csv.gz", gzip.compress(b"<html><body>Not found</body></html>")),
         ("html",)),
    # zip
    Case("zip slip", "police_uk", _raw("slip.zip", _zip({"../../evil-street.csv": HEADER})), ("outside the archive",)),
    Case("absolute path in zip", "police_uk", _raw("abs.zip", _zip({"/tmp/abs-street.csv": HEADER})),
         ("outside the archive",)),
    Case("symbolic link in zip", "police_uk", _raw("link.zip", _zip({}, symlink="2025-09/x-street.csv")),
         ("symbolic link",)),
    Case("zip bomb 1 GiB declared", "police_uk", zip_bomb_1gib, ("declares 1,024 mib",), bomb=True),
    Case("zip compressed 1000 to 1", "police_uk", zeros_zip, ("archive bomb", "csp_max_compression_ratio")),
    Case("zip member over the file limit", "police_uk",
         lambda f: _write(f, "big.zip", _zip({f"{GOOD_MONTH}/big-street.csv": os.urandom(2 * MIB)})),
         ("declares 2 mib",), env={"CSP_MAX_FILE_MB": "1"}),
    Case("zip over the source limit", "police_uk",
         lambda f: _write(f, "many.zip", _zip({f"m{i}/x{i}-street.csv": os.urandom(400_000) for i in range(4)})),
         ("csp_max_source_mb",), env={"CSP_MAX_SOURCE_MB": "1"}),
    Case("zip with too many files", "police_uk",
         lambda f: _write(f, "crowd.zip", _zip({f"m/{i}-street.csv": HEADER for i in range(12)})),
         ("csp_max_files",), env={"CSP_MAX_FILES": "10"}),
    Case("text named .zip", "police_uk", _raw("fake.zip", b"this is not an archive"), ("not a valid zip",)),
    Case("zip with no tables", "police_uk", _raw("none.zip", _zip({"readme.txt": b"hello"})), ("no csv",)),
    Case("zip whose member fails its CRC", "police_uk",
         lambda f: _write(f, "crc.zip", forge_declared_size(_zip({"m/x-street.csv": csv_bytes(police_rows(20))}), 50)),
         ("cannot be read from the archive",)),
    # folders
    Case("empty folder", "police_uk", _folder({}), ("no csv",)),
    Case("symbolic link in a folder", "police_uk", _folder({}, {"2025-09-x-street.csv": "/etc/passwd"}),
         ("symbolic link",)),
    Case("folder file over the limit", "police_uk", _folder({"big-street.csv": os.urandom(2 * MIB)}),
         ("csp_max_file_mb",), env={"CSP_MAX_FILE_MB": "1"}),
    Case("no such folder", "police_uk", lambda f: f / "missing", ("no such file or folder",)),
    # XLSX and partner CSVs
    Case("garbage named .xlsx", "fire", _raw("fire.xlsx", b"PK\x03\x04garbage"), ("not a readable xlsx",)),
    Case("XLSX without the header row", "fire", _xlsx(pd.DataFrame([["a", "b"], ["c", "d"]]), header=False),
         ("no header row", "month, category, count")),
    Case("XLSX header only", "fire", _xlsx(pd.DataFrame(columns=["month", "category", "count"])), ("header only",)),
    Case("XLSX bomb", "fire", xlsx_bomb, ("declare", "csp_max_file_mb"), bomb=True),
    Case("partner table without counts", "fire", _partner(_drop("count")), ("'count'", "missing required")),
    Case("partner counts all negative", "fire", _partner(lambda f: f.assign(count="-4")),
         ("no row passed", "count")),
    Case("partner file named for another month", "fire", _partner(name="2025-06-fire.csv"),
         ("named for 2025-06",)),
    Case("IDVA periods all malformed", "idva",
         _raw("idva.csv", b"district,financial_year,quarter,referrals\nCambridge,2025/26,5,3\nCambridge,FY25,0,2\n"),
         ("no row passed", "row 2", "financial year and quarter must look like")),
    Case("population persons not numbers", "population",
         lambda f: _write(f, "pop.csv", b"Local authority code,Local authority name,MSOA Code,MSOA Name,LSOA Code,"
                          b"LSOA Name,Persons,Households\nE07000008,Cambridge,E02003719,Cambridge 001,E01017959,"
                          b"Cambridge 001A,many,x\n"), ("no row passed", "row 2", "persons 'many' is not a whole number")),
    # configuration YAML
    Case("YAML alias bomb", "config", _yaml(YAML_BOMB), ("yaml bomb",), bomb=True),
    Case("YAML with too many aliases", "config",
         _yaml("id: hostile\nx: &x 1\nl: [" + ", ".join(["*x"] * 150) + "]\n"), ("more than 100 yaml aliases",)),
    Case("YAML syntax error", "config", _yaml("id: hostile\nname: [unclosed\n"), ("not valid yaml",)),
    Case("YAML list at the top", "config", _yaml("- a\n- b\n"), ("mapping",)),
    Case("YAML not UTF-8", "config", _yaml(b"id: hostile\nname: \xa3\xff\n"), ("not utf-8",)),
    Case("YAML too large", "config", _yaml("id: hostile\n" + "# padding\n" * 120_000), ("refused", "bytes")),
    Case("YAML value out of range", "config",
         _yaml("id: hostile\nassessment:\n  period_end_month: 13\n"), ("period_end_month", "13")),
    # decision sheets
    Case("decisions without required columns", "decisions", _decisions([{"subject": "asb"}]),
         ("missing column", "outcome")),
    Case("decisions not UTF-8", "decisions", _decisions(None, b"kind,subject\n\xa3\xff,x\n"), ("not utf-8",)),
    Case("decision for an unknown subject", "decisions", _decisions([_decision(subject="nowhere")]),
         ("row 2", "nowhere")),
    Case("decision with a bad outcome", "decisions", _decisions([_decision(outcome="maybe")]),
         ("row 2", "outcome", "maybe")),
    Case("one bad decision among good ones", "decisions",
         _decisions([_decision(), _decision(meeting="no-such-meeting")]), ("row 3", "meeting", "nothing recorded")),
    Case("decision with an impossible date", "decisions", _decisions([_decision(date="31/02/2026")]),
         ("row 2", "date")),
)

NOT_COVERED = "nothing: every reader has cases (action and budget sheets and Word minutes included)"

_WORD_BOMB = forge_declared_size(_zip({"word/document.xml": b"<w:document/>"}), (1 << 30) - 1)
CASES = CASES + (
    Case("action log empty", "actions", _raw("actions.csv", b""), ("actions.csv, row 1", "matches no action-log shape")),
    Case("action log not UTF-8", "actions", _raw("actions.csv", b"reference,action\n\xa3\xff,x\n"),
         ("actions.csv, row 2", "not utf-8", "csv utf-8")),
    Case("action log without its columns", "actions", _raw("actions.csv", b"colour,size\nred,big\n"),
         ("row 1", "expected the register's columns")),
    Case("Word minutes that are not a document", "actions", _raw("minutes.docx", b"PK\x03\x04garbage"),
         ("minutes.docx", "not a word document")),
    Case("Word minutes bomb", "actions", _raw("minutes.docx", _WORD_BOMB), ("minutes.docx", "not a word document"),
         bomb=True),
    Case("action sheet XLSX bomb", "actions", lambda f: xlsx_bomb(f).rename(f / "actions.xlsx"),
         ("actions.xlsx", "refused", "csp_max_file_mb")),
    Case("budget sheet empty", "budget", _raw("budget.csv", b""), ("budget.csv, row 1", "no budget table shape")),
    Case("budget sheet without its columns", "budget", _raw("budget.csv", b"colour,size\nred,big\n"),
         ("row 1", "no budget table shape")),
    Case("budget workbook that is garbage", "budget", _raw("budget.xlsx", b"PK\x03\x04garbage"),
         ("budget.xlsx", "not a readable workbook")),
)
