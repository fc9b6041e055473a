"""validate_cycle on a small store (SQLite and PostgreSQL): coverage, match rates, duplicates, outputs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select

from csp import metrics
from csp.store import models
from csp.store.db import session_scope
from tasks.validate import validate_cycle
from tasks.validate.tasks import store_state_key, validate_cycle_task
from tests.validate_helpers import (
    TODAY,
    add_police_file,
    add_police_months,
    add_population,
    period_months,
)

CAMBRIDGE_LSOAS = [("E01017943", "Cambridge 006A", "Cambridge 006")]


def _results(url: str) -> list[models.ValidationResult]:
    with session_scope(url) as session:
        return list(session.scalars(select(models.ValidationResult).order_by(models.ValidationResult.id)))


def _cycle_status(url: str) -> str:
    with session_scope(url) as session:
        return session.scalar(select(models.Cycle.status))


def test_a_missing_month_of_a_required_source_blocks_the_cycle(db_url, csp_env):
    add_population(db_url, CAMBRIDGE_LSOAS)
    add_police_months(db_url, [m for m in period_months() if m != "2025-03"])
    result = validate_cycle(db_url, "cambridge", "2025-26", today=TODAY, build_docs=False)
    assert result.status == "validation_failed" and _cycle_status(db_url) == "validation_failed"
    assert len(result.blocking) == 1
    assert "police_uk" in result.blocking[0] and "2025-03" in result.blocking[0]
    assert result.coverage.loc["police_uk", "2025-03"] == 0
    assert result.coverage.loc["police_uk", "2025-02"] == 2
    stored = [r for r in _results(db_url) if r.expectation == "coverage of the assessment period"
              and r.details["source"] == "police_uk"]
    assert len(stored) == 1
    row = stored[0]
    assert (row.severity, row.success, row.unexpected_count, row.element_count) == ("blocking", False, 1, 12)
    assert row.details["missing_months"] == ["2025-03"] and row.cycle_id is not None


def test_complete_required_sources_validate_and_missing_optional_ones_only_warn(db_url, csp_env):
    add_population(db_url, CAMBRIDGE_LSOAS)
    add_police_months(db_url, period_months())
    result = validate_cycle(db_url, "cambridge", "2025-26", today=TODAY, build_docs=False)
    assert result.blocking == [] and result.status == "validated" and _cycle_status(db_url) == "validated"
    assert any(w.startswith("fire: 12 of 12 months of the assessment period") for w in result.warnings)
    fire = next(r for r in _results(db_url) if r.details.get("source") == "fire"
                and r.expectation == "coverage of the assessment period")
    assert (fire.severity, fire.success) == ("warning", False)
    assert result.coverage.loc["fire"].sum() == 0


def test_a_missing_required_population_blocks_the_cycle(db_url, csp_env):
    add_police_months(db_url, period_months())
    result = validate_cycle(db_url, "cambridge", "2025-26", today=TODAY, build_docs=False)
    assert len(result.blocking) == 1 and result.blocking[0].startswith("population: no current file")


def test_months_in_progress_or_unpublished_are_not_yet_due(db_url, csp_env):
    """Mid-June, with police.uk's two-month lag, April is the newest month anyone can have."""
    add_population(db_url, CAMBRIDGE_LSOAS)
    add_police_months(db_url, [m for m in period_months() if m <= "2025-04"])
    result = validate_cycle(db_url, "cambridge", "2025-26", today=dt.date(2025, 6, 15), build_docs=False)
    assert result.blocking == []
    assert any("police_uk: 2025-05..2025-09 not yet due" in w for w in result.warnings)


def test_a_published_month_that_is_missing_still_blocks(db_url, csp_env):
    add_population(db_url, CAMBRIDGE_LSOAS)
    add_police_months(db_url, [m for m in period_months() if m <= "2025-03"])
    result = validate_cycle(db_url, "cambridge", "2025-26", today=dt.date(2025, 6, 15), build_docs=False)
    assert len(result.blocking) == 1 and "2025-04" in result.blocking[0]


def test_match_rates_equal_the_hand_computed_values_and_are_stored_as_metrics(db_url, csp_env):
    add_population(db_url, [("E01000001", "Cambridge 001A", "Cambridge 001"),
                            ("E01000002", "Cambridge 001B", "Cambridge 001"),
                            ("E01000003", "Cambridge 002A", "Cambridge 002")],
                   {"Cambridge 001": "E02000001", "Cambridge 002": "E02000002"})
    crimes = (  # placed at ingest: lsoa_code is the 2021 LSOA, lsoa_mapping how it was found
        [{"month": "2025-01", "lsoa_code": "E01000001", "msoa_code": "E02000001", "lsoa_mapping": "2021"}] * 3
        + [{"month": "2025-02", "lsoa_code": "E01000002", "msoa_code": "E02000001",
            "lsoa_mapping": "2011-S"}] * 2  # a 2011 code split since, given to its largest part
        + [{"month": "2025-03", "lsoa_code": "E01088888", "lsoa_mapping": "unmatched"}]  # in no file
        + [{"month": "2025-03", "lsoa_code": None, "lsoa_name": None}]  # no LSOA: counted apart
        + [{"month": "2024-09", "lsoa_code": "E01000003", "msoa_code": "E02000002",
            "lsoa_mapping": "2011-M"}]  # the comparison year: mapped from a merged 2011 code
    )
    add_police_file(db_url, "mixed.csv", crimes)
    result = validate_cycle(db_url, "cambridge", "2025-26", today=TODAY, build_docs=False)
    # in the period, 6 rows have an LSOA: 5 reached a 2021 LSOA with a population and an MSOA
    assert (result.match_rates.lsoa.matched, result.match_rates.lsoa.rows) == (5, 6)
    assert result.match_rates.lsoa.pct == 83.3
    assert (result.match_rates.msoa.matched, result.match_rates.msoa.rows) == (5, 6)
    assert result.match_rates.rows_without_lsoa == 1
    # over both years: 3 rows mapped from 2011 codes (2 of them splits), 1 unmatched
    assert (result.match_rates.mapped_from_2011, result.match_rates.split_given_to_largest_part,
            result.match_rates.unmatched) == (3, 2, 1)
    with session_scope(db_url) as session:
        stored = {m.metric: m for m in session.scalars(select(models.Metric))}
    assert stored[metrics.LSOA_MATCH_RATE_PCT].value == 83.3
    assert stored[metrics.MSOA_MATCH_RATE_PCT].value == 83.3
    assert stored[metrics.ROWS_MAPPED_FROM_2011].value == 3
    assert stored[metrics.ROWS_UNMATCHED_LSOA].value == 1
    row = stored[metrics.LSOA_MATCH_RATE_PCT]
    assert (row.source_kind, row.area_type, row.period, row.category) == ("police_uk", "partnership", "current", "All")
    assert any("83.3% (5 of 6 rows)" in w for w in result.warnings)
    assert any("3 rows carried 2011 LSOA codes" in w for w in result.warnings)


def _match_values(url: str) -> dict[str, float | None]:
    with session_scope(url) as session:
        return {m.metric: m.value for m in session.scalars(select(models.Metric))}


def test_match_rates_without_population_or_without_crimes(db_url, csp_env):
    validate_cycle(db_url, "cambridge", "2025-26", today=TODAY, build_docs=False)
    # nothing to match: no rate, never a division by zero; no rows mapped
    assert _match_values(db_url) == {metrics.LSOA_MATCH_RATE_PCT: None, metrics.MSOA_MATCH_RATE_PCT: None,
                                     metrics.ROWS_MAPPED_FROM_2011: 0, metrics.ROWS_UNMATCHED_LSOA: 0}
    add_police_months(db_url, ["2025-01"])
    result = validate_cycle(db_url, "cambridge", "2025-26", today=TODAY, build_docs=False)
    assert result.match_rates.lsoa.rows == 2 and result.match_rates.lsoa.matched == 0
    assert _match_values(db_url) == {metrics.LSOA_MATCH_RATE_PCT: 0.0, metrics.MSOA_MATCH_RATE_PCT: 0.0,
                                     metrics.ROWS_MAPPED_FROM_2011: 0, metrics.ROWS_UNMATCHED_LSOA: 0}
    assert any("no population rows to match" in w for w in result.warnings)


def test_the_same_crime_id_in_two_files_blocks_the_cycle(db_url, csp_env):
    add_population(db_url, CAMBRIDGE_LSOAS)
    add_police_months(db_url, period_months())
    add_police_file(db_url, "copy.csv", [{"month": "2025-01", "crime_id": "2025-01-0",
                                          "lsoa_code": "E01017943", "lsoa_name": "Cambridge 006A"}])
    result = validate_cycle(db_url, "cambridge", "2025-26", today=TODAY, build_docs=False)
    assert result.duplicate_crime_ids == 1
    assert len(result.blocking) == 1 and "unique Crime ID across files" in result.blocking[0]
    assert "copy.csv" in result.blocking[0] and "2025-01-street.csv" in result.blocking[0]


def test_a_crime_republished_by_police_uk_is_a_warning_not_a_block(db_url, csp_env):
    # 12 months of 100 rows: one Crime ID in a later file is 1 in 1,201 rows (under 0.1%), as in Gwent's
    # real files, so it is stated but does not stop the cycle
    add_population(db_url, CAMBRIDGE_LSOAS)
    add_police_months(db_url, period_months(), per_month=100)
    add_police_file(db_url, "copy.csv", [{"month": "2025-01", "crime_id": "2025-01-0",
                                          "lsoa_code": "E01017943", "lsoa_name": "Cambridge 006A"}])
    result = validate_cycle(db_url, "cambridge", "2025-26", today=TODAY, build_docs=False)
    assert result.duplicate_crime_ids == 1
    assert not any("unique Crime ID across files" in b for b in result.blocking)
    warned = [w for w in result.warnings if "unique Crime ID across files" in w]
    assert len(warned) == 1 and "counted twice" in warned[0] and "a warning, not a block" in warned[0]


def test_rerun_replaces_cycle_results_and_keeps_file_level_results(db_url, csp_env):
    file_id = add_population(db_url, CAMBRIDGE_LSOAS)
    with session_scope(db_url) as session:
        session.add(models.ValidationResult(
            partnership_id="cambridge", cycle_id=None, input_file_id=file_id, suite="population",
            expectation="expect_column_to_exist", severity="blocking", success=True, message="ok"))
    validate_cycle(db_url, "cambridge", "2025-26", today=TODAY, build_docs=False)
    first = len(_results(db_url))
    add_police_months(db_url, period_months())
    validate_cycle(db_url, "cambridge", "2025-26", today=TODAY, build_docs=False)
    results = _results(db_url)
    assert len(results) == first  # replaced, not added to
    assert sum(1 for r in results if r.cycle_id is None) == 1
    police = [r for r in results if r.details.get("source") == "police_uk"
              and r.expectation == "coverage of the assessment period"]
    assert len(police) == 1 and police[0].success
    assert _cycle_status(db_url) == "validated"
    with session_scope(db_url) as session:
        assert len(session.scalars(select(models.Metric)).all()) == 4  # two match rates, two row counts
        runs = session.scalars(select(models.StageRun).where(models.StageRun.stage == "validate")).all()
        assert [r.status for r in runs] == ["failed", "completed"]


def test_quarantined_rows_are_counted_per_file(db_url, csp_env):
    add_population(db_url, CAMBRIDGE_LSOAS)
    add_police_months(db_url, period_months())
    with session_scope(db_url) as session:
        target = session.scalar(select(models.InputFile).where(models.InputFile.file_name == "2025-01-street.csv"))
        for row_number, rule in ((7, "LSOA code pattern"), (7, "known category"), (9, "month format")):
            session.add(models.QuarantinedRow(input_file_id=target.id, row_number=row_number, column="x",
                                              rule=rule, reason="r"))
    result = validate_cycle(db_url, "cambridge", "2025-26", today=TODAY, build_docs=False)
    counts = {q["file"]: q["rows_quarantined"] for q in result.quarantined}
    assert counts["2025-01-street.csv"] == 2 and counts["2025-02-street.csv"] == 0
    assert any("2025-01-street.csv: 2 of 2 rows quarantined" in w for w in result.warnings)
    line = next(r for r in _results(db_url) if r.expectation == "rows quarantined")
    assert line.input_file_id == target.id and line.unexpected_count == 2


def test_data_docs_and_the_coverage_table_are_written(db_url, csp_env):
    """A blocking cycle renders the Data Docs even when not asked (build_docs=None, the flows' default)."""
    add_population(db_url, CAMBRIDGE_LSOAS)
    add_police_months(db_url, [m for m in period_months() if m != "2025-03"])
    result = validate_cycle(db_url, "cambridge", "2025-26", today=TODAY)
    assert result.blocking and result.data_docs_note == ""
    assert result.data_docs == csp_env / "var" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    index = result.data_docs.read_text(encoding="utf-8")
    assert "police_uk" in index and "population" in index
    folder = csp_env / "output" / "cambridge" / "2025-26" / "data-quality"
    table = pd.read_csv(folder / "coverage.csv", index_col="source")
    assert table.loc["police_uk", "2025-02"] == 2 and table.loc["police_uk", "2025-03"] == 0
    assert table.loc["police_uk", "months_covered"] == 11 and bool(table.loc["police_uk", "required"])
    page = (folder / "coverage.html").read_text(encoding="utf-8")
    assert "missing-required" in page and "2025-03" in page and "index.html" in page


def test_a_cycle_without_blocking_problems_leaves_the_data_docs_for_later(db_url, csp_env):
    """The flows' default renders no Data Docs for a usable cycle; the report says how to get them, and
    render_data_docs renders them from the store alone, without validating again."""
    from tasks.validate.docs import render_data_docs

    add_population(db_url, CAMBRIDGE_LSOAS)
    add_police_months(db_url, period_months())
    result = validate_cycle(db_url, "cambridge", "2025-26", today=TODAY)
    index = csp_env / "var" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert result.ok and result.data_docs is None and not index.exists()
    assert "csp validate -p cambridge -c 2025-26" in result.data_docs_note
    folder = csp_env / "output" / "cambridge" / "2025-26" / "data-quality"
    assert "not rendered in this run" in (folder / "coverage.html").read_text(encoding="utf-8")
    assert "render_data_docs" in (folder / "validation.json").read_text(encoding="utf-8")
    before = _results(db_url)
    assert render_data_docs(db_url, "cambridge", "2025-26") == index
    page = index.read_text(encoding="utf-8")
    assert "police_uk" in page and "population" in page
    assert [(r.id, r.message) for r in _results(db_url)] == [(r.id, r.message) for r in before]
    # asked for explicitly (csp validate), they are rendered whatever the outcome
    assert validate_cycle(db_url, "cambridge", "2025-26", today=TODAY, build_docs=True).data_docs == index


def test_render_data_docs_without_stored_rows_renders_nothing(db_url, csp_env):
    from tasks.validate.docs import render_data_docs

    assert render_data_docs(db_url, "cambridge", "2025-26") is None


def test_the_prefect_task_returns_plain_data_and_its_cache_key_follows_the_store(db_url, csp_env):
    add_population(db_url, CAMBRIDGE_LSOAS)
    inputs = {"database_url": db_url, "partnership": "cambridge", "cycle": "2025-26", "today": TODAY}
    before = store_state_key(None, inputs)
    summary = validate_cycle_task.fn(db_url, "cambridge", "2025-26", TODAY)
    assert summary["status"] == "validation_failed" and summary["blocking"][0].startswith("police_uk: 12 of 12")
    assert summary["coverage"]["police_uk"]["2025-01"] == 0
    assert store_state_key(None, inputs) == before  # validating changes nothing the key covers
    add_police_months(db_url, ["2025-01"])
    assert store_state_key(None, inputs) != before
    assert store_state_key(None, {**inputs, "today": dt.date(2026, 1, 1)}) != store_state_key(None, inputs)
    unreadable = {**inputs, "database_url": f"sqlite:///{csp_env / 'unmigrated.db'}"}
    assert store_state_key(None, unreadable) != store_state_key(None, unreadable)  # never reused


def test_data_docs_survive_a_stored_suite_from_an_older_format(tmp_path):
    from tasks.validate.docs import build_data_docs
    from tasks.validate.prepare import gx_frame
    from tests.validate_helpers import police_frame

    gx_dir = tmp_path / "gx"
    frames = {"police_uk": gx_frame("police_uk", police_frame({}, {"month": "2025-02"}))}
    build_data_docs(gx_dir, "cambridge", "2025-26", frames)
    stored = gx_dir / "expectations" / "police_uk.json"
    old = stored.read_text().replace('"outline": "great_britain"', '"polygons": [[[0, 0], [1, 0], [1, 1]]]')
    assert "polygons" in old
    stored.write_text(old)  # what an earlier version of the suite left in the project
    index = build_data_docs(gx_dir, "cambridge", "2025-26", frames)
    assert "great_britain" in stored.read_text() and "police_uk" in index.read_text()
    # two partnerships share one project without dropping each other's assets
    build_data_docs(gx_dir, "fenland", "2025-26", frames)
    config = (gx_dir / "great_expectations.yml").read_text()
    assert "cambridge police_uk" in config and "fenland police_uk" in config
