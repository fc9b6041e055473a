"""The action register: the seeds' logs import in both shapes (CSV and Word), a spreadsheet round trip
changes exactly what was edited (with history), an unchanged sheet changes nothing, a malformed sheet is
refused whole, and an edit based on an old version is refused rather than lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from csp.config import load_partnership
from csp.settings import PROJECT_ROOT
from csp.store import models
from csp.store.db import session_scope
from tasks.actions import register as reg
from tasks.actions.overdue import check, reminder_markdown
from tasks.actions.shapes import REGISTER_COLUMNS
from tasks.actions.transfer import export_actions, import_actions
from tasks.sheets import SheetError

PARTNERS = PROJECT_ROOT / "data" / "partners"
CAMBRIDGE_LOG = PARTNERS / "cambridge" / "actions" / "board-2020-10_action_points_seed.csv"
SOUTH_LOG = PARTNERS / "south-cambridgeshire" / "actions" / "cdrp-2019-02_actions_seed.csv"


def _history_count(url: str) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(models.ActionHistory))


def _snapshot(url: str, pid: str) -> list[tuple]:
    return [(v.meeting, v.reference, tuple(sorted((k, reg.as_text(x)) for k, x in v.values.items())), v.version)
            for v in reg.list_actions(url, pid)]


@pytest.fixture
def cambridge(db_url: str) -> str:
    summary = import_actions(db_url, load_partnership("cambridge"), CAMBRIDGE_LOG, "board-2020-10",
                             dt.date(2020, 10, 6), by="secretary")
    assert (summary.shape, summary.created, summary.history_rows) == ("cambridge", 4, 4)
    return db_url


def test_the_cambridge_seed_log_reads_status_and_closing_note(cambridge):
    views = {v.reference: v for v in reg.list_actions(cambridge, "cambridge")}
    assert sorted(views) == ["10/01", "10/02", "10/03", "10/04"]
    assert (views["10/01"].status, views["10/01"].closing_note) == ("closed", "Agenda Item 6.")
    assert (views["10/03"].status, views["10/03"].closing_note) == ("closed", "")
    assert views["10/02"].closing_note == "This was shared on 8 October."
    assert views["10/01"].text.startswith("On behalf of the CCSP for the Transformation project")


def test_the_south_cambridgeshire_seed_log_reads_dates_and_timescales(db_url):
    import_actions(db_url, load_partnership("south-cambridgeshire"), SOUTH_LOG, "cdrp-2019-02",
                   dt.date(2019, 2, 12))
    views = {v.reference: v for v in reg.list_actions(db_url, "south-cambridgeshire")}
    assert (views["1"].owner, views["1"].due) == ("KH", dt.date(2019, 4, 5))  # "05/04" after 12 Feb 2019
    assert views["2"].due == dt.date(2019, 4, 3) and views["2"].owner == "T&CG"
    assert (views["6"].due, views["6"].timescale, views["6"].owner) == (None, "Arranged.", "KH / GB")
    assert all(v.status == "open" for v in views.values())
    reminders = check(db_url, load_partnership("south-cambridgeshire"), dt.date(2019, 4, 4))
    assert [v.reference for v in reminders.overdue] == ["2", "3", "4"]  # due 3 April, still open on the 4th
    assert "3 overdue" in reminder_markdown(reminders)


def test_round_trip_changes_exactly_the_edits_with_history(cambridge, tmp_path):
    path = export_actions(cambridge, "cambridge", tmp_path / "register.xlsx")
    before = _history_count(cambridge)
    book = load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header == REGISTER_COLUMNS
    col = {name: header.index(name) + 1 for name in header}
    rows = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(rows["10/02"], col["Owner"]).value = "Partnership Support Officer"
    sheet.cell(rows["10/03"], col["Status"]).value = "in progress"
    sheet.cell(rows["10/03"], col["Closing note"]).value = "Reopened: awaiting reply"
    sheet.cell(rows["10/03"], col["Due"]).value = "31/03/2026"
    new = sheet.max_row + 1
    for name, value in {"Reference": "12/01", "Meeting": "development-2025-12", "Meeting date": "2025-12-02",
                        "Action point": "=Circulate the Safer Streets evaluation", "Owner": "Community Safety Manager",
                        "Due": "Next meeting", "Status": "open", "Priority": "asb"}.items():
        sheet.cell(new, col[name]).value = "'" + value if value.startswith("=") else value
    book.save(path)

    summary = import_actions(cambridge, load_partnership("cambridge"), path, by="secretary")
    assert (summary.created, summary.changed, summary.unchanged) == (1, 2, 2)
    views = {v.reference: v for v in reg.list_actions(cambridge, "cambridge")}
    assert views["10/02"].owner == "Partnership Support Officer"
    assert (views["10/03"].status, views["10/03"].due) == ("in progress", dt.date(2026, 3, 31))
    assert views["12/01"].text == "=Circulate the Safer Streets evaluation"  # a text cell, never a formula
    assert (views["12/01"].due, views["12/01"].timescale) == (dt.date(2026, 2, 10), "Next meeting")
    assert views["10/01"].version == 1 and views["10/02"].version == 2
    history = reg.history(cambridge, "cambridge", "10/03")
    changed = {(h["field"], h["from"], h["to"], h["by"]) for h in history[1:]}
    assert changed == {("status", "closed", "in progress", "secretary"),
                       ("closing_note", "", "Reopened: awaiting reply", "secretary"),
                       ("due", "", "2026-03-31", "secretary")}
    assert _history_count(cambridge) == before + 1 + 3 + 1  # owner, three fields of 10/03, 'created'


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_unchanged_sheet_changes_nothing(cambridge, tmp_path, suffix):
    reg.update_action(cambridge, "cambridge", "10/02", {"text": "-1 to the list; @ the team\tthen =review"})
    path = export_actions(cambridge, "cambridge", tmp_path / f"register{suffix}")
    snapshot, history = _snapshot(cambridge, "cambridge"), _history_count(cambridge)
    summary = import_actions(cambridge, load_partnership("cambridge"), path)
    assert (summary.created, summary.changed, summary.unchanged) == (0, 0, 4)
    assert _snapshot(cambridge, "cambridge") == snapshot and _history_count(cambridge) == history
    if suffix == ".csv":  # cells that would run as formulas are written as text
        assert "'-1 to the list" in path.read_text(encoding="utf-8")


def test_an_edit_based_on_an_old_version_is_refused_not_lost(cambridge, tmp_path):
    path = export_actions(cambridge, "cambridge", tmp_path / "register.csv")
    reg.update_action(cambridge, "cambridge", "10/04", {"owner": "DASV Partnership Manager"}, by="flow")
    text = path.read_text(encoding="utf-8").replace("Julia Cullum attended the Development Session.",
                                                    "Attended on 1 December.")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SheetError, match=r"row 5, column 'Version': action 10/04 changed since"):
        import_actions(cambridge, load_partnership("cambridge"), path)
    assert reg.list_actions(cambridge, "cambridge")[3].owner == "DASV Partnership Manager"
    with pytest.raises(reg.ConflictError):
        reg.update_action(cambridge, "cambridge", "10/04", {"owner": "x"}, expected_version=1)


def test_two_sessions_cannot_overwrite_each_other(cambridge):
    from sqlalchemy.orm.exc import StaleDataError

    with session_scope(cambridge) as first:
        action = reg.find(first, "cambridge", "10/01")
        reg.update_action(cambridge, "cambridge", "10/01", {"owner": "A"}, by="secretary")  # commits
        action.owner = "B"
        with pytest.raises(StaleDataError):
            first.flush()
        first.rollback()
    assert reg.list_actions(cambridge, "cambridge")[0].owner == "A"


BAD_SHEETS = [  # each has a good row first: the whole sheet is refused, never the good part imported
    ("MONTH / NUMBER,ACTION POINT\n10/09,A good action\n10/10,Do it\n", "row 1, column 'ACTION'",
     "missing column"),
    ("MONTH / NUMBER,ACTION POINT,ACTION\n10/09,A good action,Open\n10/10,Do it,Done\n",
     "row 3, column 'ACTION'", "unknown status 'Done'"),
    ("No.,ACTION,BY WHOM,BY WHEN\n9,A good action,KH,05/04\n10,Do it,KH,soonish\n", "row 3, column 'BY WHEN'",
     "neither a date"),
    ("No.,ACTION,BY WHOM,BY WHEN\n9,A good action,KH,05/04\n10,Do it,KH,31/02\n", "row 3, column 'BY WHEN'",
     "not a real date"),
    ("No.,ACTION,BY WHOM,BY WHEN\n9,A good action,KH,05/04\n9,Again,KH,05/04\n", "row 3, column 'No.'",
     "duplicated reference '9' (also row 2)"),
    ("No.,ACTION,BY WHOM,BY WHEN\n9,A good action,KH,05/04\n10,=HYPERLINK(\"x\"),KH,05/04\n",
     "row 3, column 'ACTION'", "a formula"),
]


@pytest.mark.parametrize(("text", "where", "rule"), BAD_SHEETS)
def test_a_malformed_sheet_is_refused_whole(cambridge, tmp_path, text, where, rule):
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    snapshot, history = _snapshot(cambridge, "cambridge"), _history_count(cambridge)
    with pytest.raises(SheetError) as caught:
        import_actions(cambridge, load_partnership("cambridge"), path, "board-2026-02")
    assert f"log.csv, {where}" in str(caught.value) and rule in str(caught.value)
    assert _snapshot(cambridge, "cambridge") == snapshot and _history_count(cambridge) == history


def _minutes(path: Path, header: list[str], rows: list[list[str]], merge: bool = False) -> Path:
    document = Document()
    document.add_paragraph("Minutes of the meeting")
    document.add_table(rows=1, cols=2).rows[0].cells[0].text = "Not an action table"
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
    if merge:
        table.rows[2].cells[1].merge(table.rows[2].cells[2])
    document.save(path)
    return path


def test_word_minutes_import_in_both_shapes(db_url, tmp_path):
    cambridge = _minutes(tmp_path / "cambridge.docx", ["MONTH / NUMBER", "ACTION POINT", "ACTION"],
                         [["02/01", "Write to the PCC about the bid.", "Open"],
                          ["02/02", "Invite the DASV manager.", "Closed: Agenda Item 4."]])
    done = import_actions(db_url, load_partnership("cambridge"), cambridge, "board-2026-02")
    assert (done.shape, done.created) == ("cambridge", 2)
    south = _minutes(tmp_path / "south.docx", ["No.", "ACTION", "BY WHOM", "BY WHEN"],
                     [["1", "Circulate membership", "KH", "05/04"], ["2", "Organise Development Day", "GB",
                                                                     "Next meeting"]])
    import_actions(db_url, load_partnership("south-cambridgeshire"), south, "cdrp-2019-02", dt.date(2019, 2, 12))
    views = {(v.meeting, v.reference): v for v in [*reg.list_actions(db_url, "cambridge"),
                                                   *reg.list_actions(db_url, "south-cambridgeshire")]}
    assert views[("board-2026-02", "02/02")].closing_note == "Agenda Item 4."
    assert views[("board-2026-02", "02/01")].meeting_date == dt.date(2026, 2, 10)  # from configuration
    assert views[("cdrp-2019-02", "1")].due == dt.date(2019, 4, 5)
    assert views[("cdrp-2019-02", "2")].timescale == "Next meeting"


def test_word_table_with_merged_cells_is_refused(sqlite_url, tmp_path):
    path = _minutes(tmp_path / "merged.docx", ["No.", "ACTION", "BY WHOM", "BY WHEN"],
                    [["1", "Circulate membership", "KH", "05/04"], ["2", "Organise", "GB", "05/04"]], merge=True)
    with pytest.raises(SheetError, match=r"merged.docx \(table 2\), row 3, column 'ACTION': merged cells"):
        import_actions(sqlite_url, load_partnership("south-cambridgeshire"), path, "m", dt.date(2019, 2, 12))
    assert reg.list_actions(sqlite_url, "south-cambridgeshire") == []


def test_add_numbers_actions_in_each_partnership_style(sqlite_url):
    cambridge, south = load_partnership("cambridge"), load_partnership("south-cambridgeshire")
    refs = [reg.add_action(sqlite_url, cambridge, "board-2026-02", dt.date(2026, 2, 10), f"Action {n}", "Officer")
            for n in range(2)]
    assert refs == ["02/01", "02/02"]
    assert [reg.add_action(sqlite_url, south, "board-x", dt.date(2026, 3, 1), "A", "KH") for _ in range(2)] == \
        ["1", "2"]
    first = reg.list_actions(sqlite_url, "cambridge")[0]
    assert reg.history(sqlite_url, "cambridge", "02/01")[0]["field"] == "created"
    assert first.version == 1


def test_an_action_links_to_a_budget_line_and_keeps_it_through_reimports(db_url, tmp_path):
    from tasks.finance.load import budget_files, import_budget

    south = load_partnership("south-cambridgeshire")
    folder = PARTNERS / "south-cambridgeshire" / "budget"
    import_budget(db_url, south, budget_files(folder))
    ref = reg.add_action(db_url, south, "board-2019-10", dt.date(2019, 10, 1), "Commission the DHR",
                         "KH", budget_line="2019-20/1")
    with pytest.raises(reg.ActionError, match="no budget line '2019-20/9'"):
        reg.update_action(db_url, "south-cambridgeshire", ref, {"budget_line": "2019-20/9"})
    path = export_actions(db_url, "south-cambridgeshire", tmp_path / "register.csv")
    assert "2019-20/1" in path.read_text(encoding="utf-8")
    import_budget(db_url, south, budget_files(folder))  # the lines are updated in place, the link holds
    assert import_actions(db_url, south, path).unchanged == 1
    [view] = reg.list_actions(db_url, "south-cambridgeshire")
    assert view.budget_line == "2019-20/1"
