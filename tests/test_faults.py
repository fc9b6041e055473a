"""Faults a person meets at the command line: an unreachable database, an unwritable output folder,
a malformed cycle name or date, a formula in an exported cell. Each is one paragraph, no traceback."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pandas as pd
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.app import app
from csp.spreadsheet import restore_cell, safe_cell, safe_frame
from csp.store import models
from csp.store.db import session_scope, shown_status
from tasks.validate import validate_cycle

runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _one_paragraph(output: str) -> str:
    text = output.strip()
    assert "Traceback" not in text and text.count("\n") == 0, text[:2000]
    return text


def test_closed_port_is_one_line_naming_the_url_without_password(monkeypatch, csp_env):
    url = f"postgresql+psycopg://csp:s3cret@127.0.0.1:{_free_port()}/store"
    monkeypatch.setenv("CSP_DATABASE_URL", url)
    result = runner.invoke(app, ["status", "-p", "cambridge"])
    assert result.exit_code == 2
    line = _one_paragraph(result.output)
    assert line.startswith(f"cannot reach the database postgresql+psycopg://csp:***@127.0.0.1:{url.split(':')[3]}")
    assert "s3cret" not in line and "refused" in line.lower()


def test_a_server_that_never_answers_times_out_quickly(monkeypatch, csp_env):
    """A socket that accepts connections (backlog) but never speaks: the connect timeout ends it."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        monkeypatch.setenv("CSP_DATABASE_URL", f"postgresql+psycopg://csp:pw@127.0.0.1:{port}/store")
        monkeypatch.setenv("CSP_DB_CONNECT_TIMEOUT", "2")
        started = time.monotonic()
        result = runner.invoke(app, ["status", "-p", "cambridge"])
        elapsed = time.monotonic() - started
    assert result.exit_code == 2 and elapsed < 15
    assert "timeout" in _one_paragraph(result.output).lower()


@pytest.mark.parametrize("args, expected", [
    (["ingest", "-p", "cambridge", "-c", "2025-27"], "cycle '2025-27': the second year must follow the first"),
    (["ingest", "-p", "cambridge", "-c", "2025-26\n"], "cycle '2025-26\\n': expected a financial year"),
    (["ingest", "-p", "cambridge", "-c", "2025-26 "], "cycle '2025-26 ': expected a financial year"),
    (["ingest", "-p", "cambridge", "--today", "yesterday"], "--today 'yesterday': expected a date like"),
    (["ingest", "-p", "cambridge\n"], "partnership id 'cambridge\\n': expected lower-case letters"),
    (["cycle", "run", "-p", "cambridge", "-c", "2025-27"], "cycle '2025-27': the second year"),
])
def test_malformed_names_and_dates_are_one_line(args, expected, sqlite_url, monkeypatch, csp_env):
    monkeypatch.setenv("CSP_DATABASE_URL", sqlite_url)
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert _one_paragraph(result.output) == expected or _one_paragraph(result.output).startswith(expected)
    assert not list((csp_env / "output").glob("**/2025-2*"))  # no folder named after a bad cycle


def test_debug_shows_the_traceback(sqlite_url, monkeypatch, csp_env):
    monkeypatch.setenv("CSP_DATABASE_URL", sqlite_url)
    result = runner.invoke(app, ["--debug", "ingest", "-p", "cambridge", "--path", str(csp_env / "nothing.csv"),
                                 "-s", "police_uk", "--today", "2026-11-23"])
    assert result.exit_code == 1 and "no such file or folder" in result.output


def test_unwritable_output_fails_the_validation_honestly(db_url, tmp_path):
    """The report cannot be written: the stage is failed (not completed) and the cycle not validated."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        validate_cycle(db_url, "cambridge", "2025-26", today=dt.date(2026, 11, 23), build_docs=False,
                       output_dir=blocker / "output")
    with session_scope(db_url) as session:
        [run] = session.scalars(select(models.StageRun)).all()
        cycle = session.get(models.Cycle, run.cycle_id)
        assert (run.status, shown_status(run)) == ("failed", "failed")
        assert "NotADirectoryError" in run.message and cycle.status == "open"


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1+1", "-2-3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_cells_are_neutralised_and_restored(text):
    written = safe_cell(text)
    assert written == "'" + text and restore_cell(written) == text


def test_numbers_and_plain_text_are_left_alone():
    for value in ("-3", "+1.5", "1e5", "Cambridge 001A", "", 42, None):
        assert safe_cell(value) == value
    frame = safe_frame(pd.DataFrame({"=area": ["=HYPERLINK(\"x\")", "Cambridge"]}))
    assert list(frame.columns) == ["'=area"] and frame.iloc[0, 0].startswith("'=")


def test_decision_sheet_round_trip_keeps_a_formula_as_text(db_url, tmp_path):
    from csp.config import load_partnership
    from tasks.prioritise.decisions import DecisionInput, export_template, import_decisions, record_decision
    from tasks.selfcheck.run import prepare_store

    config = load_partnership("cambridge")
    prepare_store(db_url, tmp_path)
    hostile = "=cmd|' /C calc'!A0"
    record_decision(db_url, config, "2025-26", DecisionInput(subject="asb", outcome="accepted", reason=hostile,
                                                             meeting="development-2025-12"))
    sheet = tmp_path / "decisions.csv"
    export_template(db_url, config, "2025-26", sheet)
    assert f",'{hostile}," in sheet.read_text(encoding="utf-8-sig").replace('"', "")
    import_decisions(db_url, config, "2025-26", sheet)
    with session_scope(db_url) as session:
        assert session.scalars(select(models.Decision.reason)).all() == [hostile]
