"""Action tables from a meeting's minutes in Word (.docx), in either of the seeds' shapes.

The first table whose header is an action-log shape is read. A merged cell cannot be mapped to one
action and one column, so a table with any is refused with the row and column of the merge.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table as DocxTable

from tasks.actions.shapes import detect
from tasks.sheets import Problem, SheetError, Table


def _merges(table: DocxTable, label: str, header: list[str]) -> list[Problem]:
    problems = []
    for number, row in enumerate(table.rows, start=1):
        for index, tc in enumerate(row._tr.tc_lst):
            props = tc.tcPr
            if props is None:
                continue
            span = props.find(qn("w:gridSpan"))
            merged = (span is not None and int(span.get(qn("w:val"), "1")) > 1) or \
                props.find(qn("w:vMerge")) is not None
            if merged:
                column = header[index] if index < len(header) else f"column {index + 1}"
                problems.append(Problem(label, number, column,
                                        "merged cells; split them so each action has its own row and cells"))
    return problems


def _plain(table: DocxTable) -> list[list[str]]:
    return [[tc_text(tc) for tc in row._tr.tc_lst] for row in table.rows]


def tc_text(tc) -> str:  # noqa: ANN001 - a CT_Tc element
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))).strip()


def read_minutes(path: Path) -> Table:
    """The action table of a minutes document as a Table (rows numbered within the Word table)."""
    if not path.exists():
        raise SheetError([Problem(str(path), None, None, "no such file")])
    try:
        document = Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several types for a bad file
        raise SheetError([Problem(path.name, None, None, f"not a Word document ({exc})")]) from None
    for index, table in enumerate(document.tables, start=1):
        cells = _plain(table)
        if not cells:
            continue
        label = f"{path.name} (table {index})"
        candidate = Table(label, cells[0], [], [])
        shape, problems = detect(candidate)
        if not shape:
            continue
        problems += _merges(table, label, cells[0])
        if problems:
            raise SheetError(problems)
        width = len(cells[0])
        rows = [(n, (r + [""] * width)[:width]) for n, r in enumerate(cells[1:], start=2)
                if any(c.strip() for c in r)]
        return Table(label, cells[0], [r for _, r in rows], [n for n, _ in rows])
    raise SheetError([Problem(path.name, None, None, "no action table found: expected a table headed "
                              "MONTH / NUMBER | ACTION POINT | ACTION or No. | ACTION | BY WHOM | BY WHEN")])
