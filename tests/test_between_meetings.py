"""Between meetings in the board pack and under Prefect: the pack for Cambridge's February board carries
the action log and the financial report, the agenda lists them with their paper numbers, the report's
numbers are the computed totals, and the two flows write their artifacts and files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId

from csp.config import load_partnership
from csp.store.db import session_scope
from tasks.actions import register as reg
from tasks.finance.budget import load_year
from tasks.finance.load import import_budget
from tasks.finance.money import pounds
from tasks.papers.draft import draft_pack
from tests.papers_helpers import store_fixture, table_with, tables  # noqa: F401 - fixtures

REPORT_2024_25 = """Available Funding 2024/25,AMOUNT,FUND
Allocation from the Police and Crime Commissioner,"£12,000.00",grant
CSP Pooled Fund B/fwd 2023/24,"£5,722.17",pool
Community Safety Fund B/fwd 2023/24,£972.00,grant
Total Available funding,"£18,694.17",
Payment for Domestic Homicide Review,"-£3,500.00",pool
Youth diversion project,"-£9,250.50",grant
,"£5,943.67",
Total remaining,"£6,000.00",
"""


def _seed_between_meetings(url: str, folder: Path) -> None:
    config = load_partnership("cambridge")
    development = dt.date(2025, 12, 2)
    reg.add_action(url, config, "development-2025-12", development, "Write to the PCC about youth diversion.",
                   "Community Safety Manager", due="31/01/2026", priority="violence")
    reg.add_action(url, config, "development-2025-12", development, "Report back on the Safer Streets survey.",
                   "Partnership Support Officer", due="Next meeting")
    reg.add_action(url, config, "development-2025-12", development, "Circulate the DHR action plan.",
                   "Partnership Support Officer")
    reg.close_action(url, "cambridge", "12/03", note="Circulated on 15 January.", on=dt.date(2026, 1, 15),
                     meeting="development-2025-12")
    path = folder / "2024-25_financial_report.csv"
    path.write_text(REPORT_2024_25, encoding="utf-8")
    import_budget(url, config, [path])


def _row(table: list[list[str]], title: str) -> list[str]:
    return next(row for row in table if row[1] == title)


def test_board_pack_carries_the_action_log_and_financial_report(store, tmp_path):
    _seed_between_meetings(store, tmp_path)
    result = draft_pack(store, load_partnership("cambridge"), "2025-26", "board-2026-02")
    folder = Path(result.folder)
    agenda_path = folder / "01 Agenda 10 February 2026 (public).docx"
    agenda = tables(agenda_path)[0]
    assert _row(agenda, "Action points: Review")[5] == "09"
    assert _row(agenda, "Community Safety Fund: End of Year Financial Report: Agreement")[5] == "10"

    log = folder / "09 Action log 10 February 2026 (public).docx"
    sections = [t for t in tables(log) if t[0][:2] == ["MONTH / NUMBER", "ACTION POINT"]]
    overdue, open_, closed = ([r[0] for r in t[1:]] for t in sections)
    assert overdue == ["12/01"]  # due 31 January, still open at the 10 February board
    assert open_ == ["10/01", "12/01", "12/02"]  # the fixture's open 10/01 and ours ('Next meeting' is not late)
    assert closed == ["12/03"]
    closed_row = sections[2][1]
    assert closed_row[4] == "Closed: Circulated on 15 January."
    assert sections[1][3][3] == "Next meeting (10 February 2026)"
    text = "\n".join(p.text for p in Document(str(log)).paragraphs)
    assert "3 action point(s) open, 1 of them overdue; 1 closed since the meeting of 2 December 2025." in text

    minutes = folder / "02 Minutes template 10 February 2026 (public).docx"
    minutes_actions = table_with(minutes, "Month / number", "Action point")
    assert [r[0] for r in minutes_actions[1:4]] == ["10/01", "12/01", "12/02"]
    assert minutes_actions[2][3:] == ["31 January 2026", "Open"]  # the register's 'open', as the seeds print it

    report = folder / "10 End of Year Financial Report 10 February 2026 (public).docx"
    with session_scope(store) as session:
        computed = load_year(session, "cambridge", "2024-25").computed()
    assert computed["balance_total"] == 1869417 - 350000 - 925050
    body = "\n".join(p.text for p in Document(str(report)).paragraphs)
    assert f"funding available for the CSP was {pounds(computed['funding_total'])}" in body
    assert f"CSP Pooled Fund available to the CSP is {pounds(computed['balance:pool'])}" in body
    assert f"this totals {pounds(computed['balance_total'])}" in body
    appendix = table_with(report, "Available Funding 2024/25", "Amount")
    assert ["Total remaining", pounds(computed["balance_total"])] in appendix
    assert ["Youth diversion project", "-£9,250.50"] in appendix
    flagged = table_with(report, "Figure", "Reported", "Computed", "Difference")
    assert flagged[1][:4] == ["Total remaining", "£6,000.00", "£5,943.67", "£56.33"]


@pytest.mark.usefixtures("prefect_harness")
def test_between_meetings_flow_reminds_the_secretary(sqlite_url, csp_env):
    from flows.between_meetings import between_meetings

    config = load_partnership("cambridge")
    reg.add_action(sqlite_url, config, "development-2025-12", dt.date(2025, 12, 2), "Write to the PCC.",
                   "Community Safety Manager", due="2026-01-05")
    reg.add_action(sqlite_url, config, "development-2025-12", dt.date(2025, 12, 2), "Book the venue.",
                   "Partnership Support Officer", due="2026-02-01")
    state = between_meetings("cambridge", as_of=dt.date(2026, 1, 20), database_url=sqlite_url, return_state=True)
    result = state.result()
    assert (result["overdue"], result["due_soon"], result["next_meeting"]) == (["12/01"], ["12/02"],
                                                                                "board-2026-02")
    csv_text = Path(result["csv"]).read_text(encoding="utf-8")
    assert "overdue,12/01,development-2025-12,Write to the PCC.,Community Safety Manager,2026-01-05,15" in csv_text
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["action-reminders-cambridge"])),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    assert artifacts and "1 overdue; 1 due before the next meeting board-2026-02" in artifacts[0].data


@pytest.mark.usefixtures("prefect_harness")
def test_financial_report_flow_imports_checks_and_writes(sqlite_url, csp_env):
    from flows.financial_report import financial_report

    result = financial_report("cambridge", meeting="board-2026-02", database_url=sqlite_url)
    assert result["year"] == "2024-25" and Path(result["path"]).exists()
    assert "2019-20_financial_report_seed.csv" in result["imported"]
    assert result["discrepancies"] == []  # 2024-25 has no tables yet: nothing to check, and the paper says so
    body = "\n".join(p.text for p in Document(result["path"]).paragraphs)
    assert "No funding or spending has been recorded for 2024/25" in body


def test_libreoffice_lays_out_the_action_log_and_financial_report(sqlite_url, tmp_path, monkeypatch):
    from tests.papers_fixtures import populate
    from tests.papers_helpers import use_temporary_folders
    from tests.test_papers_libreoffice import _missing, _text, _to_pdf

    if _missing:
        pytest.skip(f"not installed here: {', '.join(_missing)}")
    use_temporary_folders(monkeypatch, tmp_path)
    populate(sqlite_url, tmp_path / "charts")
    _seed_between_meetings(sqlite_url, tmp_path)
    result = draft_pack(sqlite_url, load_partnership("cambridge"), "2025-26", "board-2026-02",
                        ["action_log", "financial_report"])
    folder = Path(result.folder)
    log = _text(_to_pdf(folder / "01 Action log 10 February 2026 (public).docx", tmp_path))
    report = _text(_to_pdf(folder / "02 End of Year Financial Report 10 February 2026 (public).docx", tmp_path))
    assert "Write to the PCC about youth" in log and "Page 1 of 1" in log  # cells wrap in the PDF
    assert "Appendix A" in report and "£5,943.67" in report and "Page 2 of 2" in report
