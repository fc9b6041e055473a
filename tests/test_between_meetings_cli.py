"""`csp actions` and `csp budget` from the command line: plain messages, exit code 2 on bad input."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.app import app
from tests.test_actions_register import CAMBRIDGE_LOG

runner = CliRunner()


def _csp(monkeypatch, url: str, *args: str):
    monkeypatch.setenv("CSP_DATABASE_URL", url)
    return runner.invoke(app, list(args))


def test_actions_commands_add_update_close_and_list(sqlite_url, monkeypatch, tmp_path):
    added = _csp(monkeypatch, sqlite_url, "actions", "add", "-p", "cambridge", "-m", "board-2026-02", "--text",
                 "Write to the PCC", "--owner", "Community Safety Manager", "--due", "Next meeting")
    assert added.exit_code == 0 and "added action 02/01 (board-2026-02)" in added.output
    updated = _csp(monkeypatch, sqlite_url, "actions", "update", "-p", "cambridge", "02/01", "--status",
                   "in progress", "--by", "clerk")
    assert "02/01: status: 'open' -> 'in progress'" in updated.output
    listed = _csp(monkeypatch, sqlite_url, "actions", "list", "-p", "cambridge", "--as-of", "2026-03-01")
    assert "02/01" in listed.output and "due 2026-07-07" in listed.output and "1 action(s)" in listed.output
    closed = _csp(monkeypatch, sqlite_url, "actions", "close", "-p", "cambridge", "02/01", "--note", "Agenda Item 6.")
    assert closed.exit_code == 0
    history = _csp(monkeypatch, sqlite_url, "actions", "history", "-p", "cambridge", "02/01")
    assert "clerk" in history.output and "'in progress' -> 'closed'" in history.output
    bad = _csp(monkeypatch, sqlite_url, "actions", "update", "-p", "cambridge", "02/01", "--due", "soonish")
    assert bad.exit_code == 2 and "neither a date" in bad.output and "Traceback" not in bad.output


def test_actions_import_errors_name_file_row_and_column(sqlite_url, monkeypatch, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(CAMBRIDGE_LOG.read_text(encoding="utf-8").replace("Closed.", "Finished"), encoding="utf-8")
    result = _csp(monkeypatch, sqlite_url, "actions", "import", "-p", "cambridge", str(path), "-m", "board-2020-10",
                  "--meeting-date", "2020-10-06")
    assert result.exit_code == 2
    assert "log.csv, row 4, column 'ACTION': unknown status 'Finished'" in result.output
    exported = _csp(monkeypatch, sqlite_url, "actions", "export", "-p", "cambridge", str(tmp_path / "r.xlsx"))
    assert exported.exit_code == 0 and (tmp_path / "r.xlsx").exists()


def test_budget_import_flags_the_seed_discrepancies(sqlite_url, monkeypatch, tmp_path):
    result = _csp(monkeypatch, sqlite_url, "budget", "import", "-p", "south-cambridgeshire")
    assert result.exit_code == 0
    assert "differs by -£2,165.00" in result.output and "differs by -£165.00" in result.output
    assert "2 reported figure(s) differ" in result.output
    report = _csp(monkeypatch, sqlite_url, "budget", "report", "-p", "south-cambridgeshire", "--year", "2018-19",
                  "--csv", str(tmp_path / "appendix.csv"))
    assert report.exit_code == 0 and "£15,728.94 + TBC" in report.output
    assert "Total funding available,\"£44,113.94\",\"£15,728.94 + TBC\"" in (tmp_path / "appendix.csv").read_text(
        encoding="utf-8")
