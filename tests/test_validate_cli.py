"""`csp validate`: what it prints and its exit code."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.app import app
from tests.validate_helpers import add_police_months, add_population, period_months

runner = CliRunner()


def _run(monkeypatch, url: str, *args: str):
    monkeypatch.setenv("CSP_DATABASE_URL", url)
    return runner.invoke(app, ["validate", "--partnership", "cambridge", "--cycle", "2025-26",
                               "--today", "2025-11-20", *args])


def test_blocking_failure_prints_everything_and_exits_1(monkeypatch, sqlite_url, csp_env):
    add_population(sqlite_url, [("E01017943", "Cambridge 006A", "Cambridge 006")])
    add_police_months(sqlite_url, [m for m in period_months() if m != "2025-03"])
    result = _run(monkeypatch, sqlite_url)
    assert result.exit_code == 1, result.output
    out = result.output
    assert "cambridge 2025-26 (October 2024 to September 2025): validation_failed" in out
    assert "24-10" in out and "police_uk *" in out  # the coverage table, required source starred
    assert "Blocking failures: 1" in out and "2025-03" in out
    assert "Warnings:" in out and "fire: 12 of 12 months" in out
    assert "2025-01-street.csv" in out  # rows per file
    assert "by LSOA code 100.0% (22 of 22 rows)" in out
    assert f"Data Docs: {csp_env / 'var' / 'gx'}" in out
    assert str(csp_env / "output" / "cambridge" / "2025-26" / "data-quality" / "coverage.csv") in out


def test_complete_data_exits_0(monkeypatch, sqlite_url, csp_env):
    add_population(sqlite_url, [("E01017943", "Cambridge 006A", "Cambridge 006")])
    add_police_months(sqlite_url, period_months())
    result = _run(monkeypatch, sqlite_url, "--no-docs")
    assert result.exit_code == 0, result.output
    assert "Blocking failures: 0" in result.output and "not rebuilt (--no-docs)" in result.output


def test_bad_arguments_fail_cleanly(monkeypatch, sqlite_url, csp_env):
    monkeypatch.setenv("CSP_DATABASE_URL", sqlite_url)
    bad_cycle = runner.invoke(app, ["validate", "--partnership", "cambridge", "--cycle", "2025-27"])
    assert bad_cycle.exit_code == 2 and "2025-27" in bad_cycle.output
    bad_today = _run(monkeypatch, sqlite_url, "--today", "yesterday")
    assert bad_today.exit_code == 2
