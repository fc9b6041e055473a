"""The whole year on the bundled Cambridge data, from the command line without a Prefect server:
stop at the board, record the board's decisions from a CSV (one changed), resume, and find the plan,
the action plan, the TCG report for October-December 2025 and the Scrutiny report, with `csp status`
saying the year is complete."""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest
from docx import Document
from typer.testing import CliRunner

from cli.app import app
from csp.config import load_partnership
from csp.settings import PROJECT_ROOT, get_settings
from flows.annual_cycle import WAITING_FOR_BOARD, annual_cycle
from tasks.prioritise.decisions import export_template
from tasks.year.timeline import timeline

TODAY = dt.date(2026, 12, 1)
RAW = PROJECT_ROOT / "data" / "raw" / "police_uk" / "cambridgeshire"


def _tables(path) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in table.rows] for table in Document(str(path)).tables]


def _text(path) -> str:
    document = Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _fill(path, changed_class: str = "Sustaining") -> str:
    """Accept every recommendation the board is asked about, but change the first Emerging area."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    changed = next(r for r in rows if r["kind"] == "area" and r["recommendation"] == "Emerging")
    for row in rows:
        if row["recommendation"] in ("None", "no data"):
            continue
        row.update(outcome="accepted", meeting="board-2026-02")
    changed.update(outcome="changed", value=changed_class, reason="Work already under way there")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return changed["subject_name"]


def _raw_count(months: list[str], crime_type: str) -> int:
    """Counted straight from the published files: rows in Cambridge's LSOAs of one crime type."""
    total = 0
    for month in months:
        frame = pd.read_csv(RAW / f"{month}-cambridgeshire-street.csv.gz")
        inside = frame["LSOA name"].fillna("").str.match(r"^Cambridge \d{3}[A-Z]$")
        total += int((inside & (frame["Crime type"] == crime_type)).sum())
    return total


@pytest.mark.usefixtures("prefect_harness", "csp_env")
def test_the_year_waits_for_the_board_then_publishes_the_plan_reports_and_scrutiny(sqlite_url, tmp_path,
                                                                                   monkeypatch):
    monkeypatch.setenv("CSP_DATABASE_URL", sqlite_url)
    config = load_partnership("cambridge")
    first = annual_cycle("cambridge", until="board", today=TODAY, database_url=sqlite_url)
    assert first["cycle"] == "2025-26" and first["status"] == WAITING_FOR_BOARD  # chosen from date and data
    assert timeline(sqlite_url, config, "2025-26", TODAY).where.startswith("Board decision: waiting since")

    decisions = tmp_path / "decisions.csv"
    export_template(sqlite_url, config, "2025-26", decisions)
    area = _fill(decisions)
    runner = CliRunner()
    imported = runner.invoke(app, ["priorities", "import-decisions", str(decisions), "-p", "cambridge",
                                   "-c", "2025-26"])
    assert imported.exit_code == 0, imported.output
    assert "csp cycle resume -p cambridge -c 2025-26" in imported.output  # no server: resume by hand
    resumed = runner.invoke(app, ["cycle", "resume", "-p", "cambridge", "-c", "2025-26", "--today",
                                  str(TODAY)])
    assert resumed.exit_code == 0, resumed.output

    output = get_settings().output_dir / "cambridge" / "2025-26"
    assert (output / "board-2026-02" / "manifest.json").exists()  # the board pack stays as drafted
    plan = output / "board-2026-07" / "01 Community Safety Plan 2026-27 (public).docx"
    assert area in _text(plan) and "Sustaining" in _text(plan)

    report = output / "monitoring" / "TCG performance report Q1 2026-27 (restricted).docx"
    rows = [row for table in _tables(report) for row in table]
    asb = next(row for row in rows if row[1] == "Anti-social behaviour")
    assert asb[2] == f"{_raw_count(['2025-10', '2025-11', '2025-12'], 'Anti-social behaviour'):,}"
    assert asb[3] == f"{_raw_count(['2024-10', '2024-11', '2024-12'], 'Anti-social behaviour'):,}"
    idva = next(table for table in _tables(report) if table[0][0] == "Quarter")
    assert idva[0][1:] == ["2024/25 Financial Year", "2025/26 Financial Year"]
    assert idva[1] == ["1", "63", "60"]  # Cambridge, data/partners/county/idva (April-June)
    # the plan's actions are seeded at the July board, due after this March report's horizon
    assert "No open action is due by 30 June 2026" in _text(report)

    scrutiny = output / "scrutiny" / "Scrutiny and Overview Committee report 2026-27 (public).docx"
    text = _text(scrutiny)
    for heading in ("REPORT TO:", "LEAD CABINET MEMBER:", "LEAD OFFICER:", "Executive Summary", "Key Decision",
                    "Reasons for Recommendations", "Implications", "Appendix D: Summary of budget"):
        assert heading in text
    assert config.scrutiny.lead_officer in text and config.scrutiny.council_work[0].lead in text
    areas = next(table for table in _tables(scrutiny) if table[0] == ["Area", "Code", "Class"])
    assert any(r[0] == area and r[2] == "Sustaining" for r in areas)
    plan_rows = next(table for table in _tables(scrutiny) if table[0][:2] == ["Priority", "No."])
    assert len(plan_rows) > 1 and all(r[5].lower() == "open" for r in plan_rows[1:])

    shown = runner.invoke(app, ["status", "-p", "cambridge"])
    assert shown.exit_code == 0 and "cycle 2025-26: year complete" in shown.output, shown.output
    assert str(report) in shown.output and "Board decision" in shown.output
    table = runner.invoke(app, ["status"])
    assert table.exit_code == 0 and "year complete" in table.output
