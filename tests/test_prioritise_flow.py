"""The recommend-priorities flow (Prefect harness) and the `csp priorities` commands."""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.app import app
from csp.store import models
from csp.store.db import MissingStageError, ensure_cycle, session_scope
from tasks.prioritise.decisions import DecisionInput, record_decision
from tests.test_prioritise_scenario import (
    EXPECTED,
    PID,
    area_metrics,
    load_cycle,
    run_cycle,
    scenario_config,
    stored,
)


@pytest.fixture
def scenario(monkeypatch, tmp_path, csp_env):
    """The South Cambs test configuration, made the one the flow and the CLI load."""
    config = scenario_config(tmp_path)
    monkeypatch.setenv("CSP_CONFIG_DIR", str(tmp_path / "config"))
    return config


def stage_runs(url: str) -> list[models.StageRun]:
    with session_scope(url) as session:
        return list(session.scalars(select(models.StageRun).where(models.StageRun.stage == "priorities")
                                    .order_by(models.StageRun.id)))


def test_flow_stores_caches_publishes_and_keeps_decisions(prefect_harness, db_url, scenario):
    from prefect.artifacts import Artifact

    from flows.recommend_priorities import recommend_priorities

    config = scenario
    load_cycle(db_url, config, "2023-24")
    first = recommend_priorities(PID, "2023-24", database_url=db_url)
    expected_counts = {}
    for value in EXPECTED["2023-24"].values():
        expected_counts[value] = expected_counts.get(value, 0) + 1
    assert first["areas"] == expected_counts
    assert first["themes"]["retain"] == 2  # the two long-term South Cambs priorities
    recs = stored(db_url, config, "2023-24", "area")
    assert {code: rec.recommendation for code, rec in recs.items()} == EXPECTED["2023-24"]
    assert all(rec.run_id and rec.run_id != "test" for rec in recs.values())  # the flow run's id

    artifact = Artifact.get(f"priorities-{PID}-2023-24")
    table = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    assert {row["subject"]: row["recommendation"] for row in table if row["kind"] == "area"} == \
        EXPECTED["2023-24"]

    record_decision(db_url, config, "2023-24", DecisionInput(subject="E02003775", outcome="accepted",
                                                             meeting="board-2024-02"))
    decided_id = recs["E02003775"].id
    again = recommend_priorities(PID, "2023-24", database_url=db_url)
    assert again["cached"] == {"areas": True, "themes": True}  # same store, same code: reused
    after = stored(db_url, config, "2023-24", "area")["E02003775"]
    assert after.id == decided_id
    # nothing changed: the rows are left as they are, with the run that made them (so the papers' inputs
    # are unchanged too)
    assert after.run_id == recs["E02003775"].run_id
    with session_scope(db_url) as session:
        assert session.get(models.Recommendation, decided_id).decisions[0].outcome == "accepted"

    with session_scope(db_url) as session:  # new data: an area escalates
        cycle_row = ensure_cycle(session, config, "2023-24")
        session.query(models.Metric).filter(models.Metric.area_code == "E02003781").delete()
        session.add_all(area_metrics(cycle_row, "E02003781", "South Cambridgeshire 007", 70.0, True, 1,
                                     "significant increase", 90.0, 0.001, "stable"))
    third = recommend_priorities(PID, "2023-24", database_url=db_url)
    assert third["cached"] == {"areas": False, "themes": False}
    assert stored(db_url, config, "2023-24", "area")["E02003781"].recommendation == "Emerging"

    runs = stage_runs(db_url)
    assert [r.status for r in runs] == ["completed"] * 3
    assert runs[0].flow_run_id and "21 new" in runs[0].message  # 9 areas, 12 themes
    assert "reused cached areas and themes" in runs[1].message
    assert "0 updated" in runs[1].message and "21 unchanged" in runs[1].message


def test_a_failed_run_is_recorded_as_failed(prefect_harness, sqlite_url, scenario):
    from flows.recommend_priorities import recommend_priorities

    with session_scope(sqlite_url) as session:
        ensure_cycle(session, scenario, "2024-25")  # a cycle with no metrics yet
    with pytest.raises(MissingStageError, match="no area metrics"):
        recommend_priorities(PID, "2024-25", database_url=sqlite_url)
    [run] = stage_runs(sqlite_url)
    assert run.status == "failed"
    assert "MissingStageError: no area metrics" in run.message


# --- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def cli_store(monkeypatch, sqlite_url, scenario):
    monkeypatch.setenv("CSP_DATABASE_URL", sqlite_url)
    load_cycle(sqlite_url, scenario, "2023-24")
    run_cycle(sqlite_url, scenario, "2023-24")
    return sqlite_url


def invoke(*args: str):
    return CliRunner().invoke(app, ["priorities", *args])


def test_cli_decide_then_show_lists_the_decision_beside_the_recommendation(cli_store):
    result = invoke("decide", "--partnership", PID, "--cycle", "2023-24", "--subject", "E02003779",
                    "--outcome", "changed", "--value", "Sustaining", "--reason", "Work already under way",
                    "--meeting", "board-2024-02")
    assert result.exit_code == 0, result.output
    assert "recommended None; changed -> Sustaining at board-2024-02 on 2024-02-13" in result.output
    shown = invoke("show", "--partnership", PID, "--cycle", "2023-24")
    assert shown.exit_code == 0, shown.output
    assert "South Cambs CSP 2023-24: recommendations for 2024-25" in shown.output
    block = shown.output[shown.output.index("E02003779"):]
    assert "board: changed -> Sustaining (board-2024-02, 2024-02-13): Work already under way" in block
    assert "E02003781" not in shown.output  # undecided None rows are hidden...
    assert "E02003781" in invoke("show", "--partnership", PID, "--cycle", "2023-24", "--all").output


def test_cli_reports_bad_input_plainly(cli_store):
    result = invoke("decide", "--partnership", PID, "--cycle", "2023-24", "--subject", "E02003779",
                    "--outcome", "changed", "--value", "Urgent", "--reason", "x", "--meeting", "board-2024-02")
    assert result.exit_code == 2
    assert "'Urgent' is not an area class" in result.output
    missing = invoke("show", "--partnership", PID, "--cycle", "2019-20")
    assert missing.exit_code == 2 and "no cycle '2019-20' stored" in missing.output


def test_cli_export_and_import_round_trip(cli_store, tmp_path):
    path = tmp_path / "sheet.csv"
    exported = invoke("export-decisions", "--partnership", PID, "--cycle", "2023-24", "--out", str(path))
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    for row in rows:
        if row["subject"] == "E02003775":
            row.update(outcome="accepted", meeting="board-2024-02")
        if row["subject"] == "E02003776":
            row.update(outcome="rejected", meeting="board-2024-02")  # no reason: refused
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    refused = invoke("import-decisions", str(path), "--partnership", PID, "--cycle", "2023-24")
    assert refused.exit_code == 2
    assert "column 'reason': a reason is required when the outcome is rejected" in refused.output
    rows[[r["subject"] for r in rows].index("E02003776")]["reason"] = "Seasonal"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    imported = invoke("import-decisions", str(path), "--partnership", PID, "--cycle", "2023-24")
    assert imported.exit_code == 0, imported.output
    assert "2 decision(s) recorded" in imported.output


def test_cli_export_default_path_is_under_the_output_folder(cli_store, csp_env):
    result = invoke("export-decisions", "--partnership", PID, "--cycle", "2023-24")
    assert result.exit_code == 0, result.output
    assert (csp_env / "output" / PID / "2023-24" / "priorities" / "decisions-2023-24.csv").exists()


def test_cli_recommend_runs_the_flow(prefect_harness, cli_store):
    result = invoke("recommend", "--partnership", PID, "--cycle", "2023-24", "--no-trend")
    assert result.exit_code == 0, result.output
    assert f"{PID} 2023-24: areas" in result.output
    # Without the trend rule, area 009 (rising trend only) is no longer Emerging.
    assert stored(cli_store, scenario_config_from_env(), "2023-24", "area")["E02003783"].recommendation == "None"


def scenario_config_from_env():
    from csp.config import load_partnership

    return load_partnership(PID)
