"""Spreadsheets in and out (CSV and XLSX) for the registers secretaries edit: the action register and
the budget tables.

Every cell written goes through ``csp.spreadsheet.safe_cell`` (a leading apostrophe before ``=``, ``+``,
``-``, ``@``, a tab or a carriage return, so no spreadsheet runs it as a formula) and every cell read
through ``restore_cell``, so a round trip is lossless. A cell that still begins with ``=`` when read,
or an XLSX formula cell, is refused: the figures we import are typed, never computed by the sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook

from csp.spreadsheet import restore_cell, safe_cell

SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, row, column) and which rule."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class SheetError(ValueError):
    """An input refused whole; the message lists every problem found, one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n  ".join(str(p) for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"nothing was imported ({len(problems)} problem(s)):\n  {shown}{more}")


@dataclass(frozen=True)
class Table:
    """A sheet as text cells: header, rows, and each row's line number in the file (header = 1)."""

    file: str
    header: list[str]
    rows: list[list[str]]
    numbers: list[int]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _formula_problems(table: Table) -> list[Problem]:
    problems = []
    for number, row in zip(table.numbers, table.rows, strict=True):
        for column, value in zip(table.header, row, strict=False):
            if value.startswith("="):
                problems.append(Problem(table.file, number, column,
                                        f"a formula ({value[:30]!r}); type the value itself"))
    return problems


def _read_csv(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = list(reader)
    if not lines:
        return [], [], []
    return lines[0], lines[1:], list(range(2, len(lines) + 1))


def _read_xlsx(path: Path) -> tuple[list[str], list[list[str]], list[int], list[Problem]]:
    book = load_workbook(path, data_only=False)
    sheet = book.worksheets[0]
    problems, rows, numbers, header = [], [], [], []
    for index, cells in enumerate(sheet.iter_rows(), start=1):
        values = []
        for cell in cells:
            if cell.data_type == "f":
                column = header[cell.column - 1] if header and cell.column <= len(header) else cell.coordinate
                problems.append(Problem(path.name, index, column,
                                        f"a formula ({str(cell.value)[:30]!r}); type the value itself"))
                values.append("")
            else:
                values.append(_cell_text(cell.value))
        if index == 1:
            header = values
        else:
            rows.append(values)
            numbers.append(index)
    return header, rows, numbers, problems


def _check_size(path: Path) -> None:
    """The same size limits as partner files (csp.settings.InputLimits): a workbook's parts are checked
    from the sizes they declare, before openpyxl expands them."""
    from csp.settings import input_limits

    limits = input_limits()
    size = path.stat().st_size if path.exists() else 0
    declared = size
    if path.suffix.lower() == ".xlsx" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as book:
            declared = sum(info.file_size for info in book.infolist())
    if max(size, declared) > limits.max_file_bytes:
        raise SheetError([Problem(path.name, None, None, f"refused: {max(size, declared):,} bytes uncompressed, more "
                                  f"than the {limits.max_file_bytes:,} allowed (limit CSP_MAX_FILE_MB)")])


def read_table(path: Path) -> Table:
    """Read the first sheet of an XLSX or a CSV as text; refuse formulas, restore neutralised cells."""
    if path.suffix.lower() not in SUFFIXES:
        raise SheetError([Problem(path.name, None, None, f"expected a .csv or .xlsx file, got {path.suffix!r}")])
    if not path.exists():
        raise SheetError([Problem(str(path), None, None, "no such file")])
    problems: list[Problem] = []
    _check_size(path)
    try:
        if path.suffix.lower() == ".csv":
            header, rows, numbers = _read_csv(path)
        else:
            header, rows, numbers, problems = _read_xlsx(path)
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise SheetError([Problem(path.name, line, None, f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); "
                                  "save the sheet as 'CSV UTF-8' and import it again")]) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SheetError([Problem(path.name, None, None, f"not a readable workbook ({exc}); open it in "
                                  "Excel and save it again as .xlsx")]) from None
    header = [h.strip() for h in header]
    while header and not header[-1]:
        header.pop()
    kept = [(n, [c for c in r]) for n, r in zip(numbers, rows, strict=True) if any(c.strip() for c in r)]
    raw = Table(path.name, header, [r for _, r in kept], [n for n, _ in kept])
    problems += _formula_problems(raw)
    if problems:
        raise SheetError(problems)
    width = len(header)
    cells = [[restore_cell(c) for c in (row + [""] * width)[:width]] for row in raw.rows]
    overflow = [Problem(path.name, n, None, f"{len(r)} cells but the header has {width} columns")
                for n, r in zip(raw.numbers, raw.rows, strict=True) if any(c.strip() for c in r[width:])]
    if overflow:
        raise SheetError(overflow)
    return Table(path.name, header, cells, raw.numbers)


def write_table(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """Write a CSV or an XLSX (by suffix) with every cell as neutralised text."""
    safe = [[safe_cell(c) for c in row] for row in [header, *rows]]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(safe)
    elif path.suffix.lower() == ".xlsx":
        book = Workbook()
        sheet = book.active
        for row in safe:
            sheet.append(row)
        for cells in sheet.iter_rows():
            for cell in cells:
                cell.data_type = "s"
                cell.number_format = "@"
        book.save(path)
    else:
        raise ValueError(f"{path}: expected a .csv or .xlsx file name")
    return path
