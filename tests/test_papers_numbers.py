"""How numbers are printed per version, and how stored metric rows are found (no store needed)."""

from __future__ import annotations

import pandas as pd

from csp import metrics as M
from tasks.papers.ctx_assessment import Metrics, comparison
from tasks.papers.ctx_sources import match_rates
from tasks.papers.numbers import Numbers
from tasks.papers.render import forbidden_content
from tasks.papers.store_read import METRIC_COLUMNS


def _frame(rows: list[dict]) -> pd.DataFrame:
    defaults = {"id": 0, "source_kind": "police_uk", "category": "All", "area_type": M.PARTNERSHIP,
                "area_code": None, "area_name": None, "period": M.CURRENT, "label": None, "suppressed": None,
                "input_file_ids": [1], "run_id": "r"}
    return pd.DataFrame([{**defaults, **row} for row in rows], columns=METRIC_COLUMNS)


def test_public_counts_are_suppressed_and_derived_figures_withheld():
    public, restricted = Numbers(public=True), Numbers(public=False)
    assert [public.count(v) for v in (0, 1, 4, 5, 1234, None)] == ["0", "<5", "<5", "5", "1,234", "n/a"]
    assert [restricted.count(v) for v in (0, 1, 4, 5, 1234)] == ["0", "1", "4", "5", "1,234"]
    assert public.metric(M.RATE_PER_1000, 0.44, False, base_counts=(3,)) == "[c]"
    assert restricted.metric(M.RATE_PER_1000, 0.44, False, base_counts=(3,)) == "0.4"
    assert public.metric(M.RATE_PER_1000, 12.34, True) == "[c]"  # flagged by the assessment
    assert public.count(9, suppressed=True) == "[c]"  # a secondary suppression of the assessment


def test_comparison_withholds_change_and_labels_from_small_counts():
    frame = _frame([
        {"metric": M.COUNT, "category": "Robbery", "value": 3.0},
        {"metric": M.COUNT, "category": "Robbery", "period": M.PREVIOUS, "value": 9.0},
        {"metric": M.CHANGE_PCT, "category": "Robbery", "value": -66.7},
        {"metric": M.CHANGE, "category": "Robbery", "value": -66.7, "label": "no significant change"},
    ])
    mx = Metrics(frame)
    assert comparison(mx, Numbers(public=True), "police_uk", "Robbery") == {
        "current": "<5", "previous": "9", "change_pct": "[c]", "change_label": "[c]", "trend_label": "[c]"}
    assert comparison(mx, Numbers(public=False), "police_uk", "Robbery") == {
        "current": "3", "previous": "9", "change_pct": "-67%", "change_label": "no significant change",
        "trend_label": "n/a"}


def test_match_rates_prefer_validation_metrics_and_fall_back_to_lsoa_coverage():
    coverage = [{"metric": M.POPULATION_COVERAGE_PCT, "area_type": M.LSOA, "value": 66.14},
                {"metric": M.POPULATION_COVERAGE_PCT, "area_type": M.AREA, "value": 90.39}]
    validated = [{"metric": M.LSOA_MATCH_RATE_PCT, "area_code": "E07000008", "value": 66.5},
                 {"metric": M.MSOA_MATCH_RATE_PCT, "area_code": "E07000008", "value": 90.4}]
    nb = Numbers(public=True)
    assert match_rates(Metrics(_frame(coverage + validated)), nb) == {
        "lsoa_pct": "66.5%", "msoa_pct": "90.4%", "population_pct": "90.4%"}
    assert match_rates(Metrics(_frame(coverage)), nb) == {
        "lsoa_pct": "66.1%", "msoa_pct": "n/a", "population_pct": "90.4%"}
    assert match_rates(Metrics(_frame(coverage)), nb, area_is_msoa=True)["msoa_pct"] == "90.4%"


def test_areas_without_a_code_are_found_by_name():
    frame = _frame([{"metric": M.COUNT, "area_type": M.AREA, "area_name": "Cambridge 015", "value": 899.0},
                    {"metric": M.COUNT, "area_type": M.AREA, "area_code": "E02003719",
                     "area_name": "Cambridge 007", "value": 600.0}])
    mx = Metrics(frame)
    assert mx.value(M.COUNT, "police_uk", area_type=M.AREA, area_code="Cambridge 015") == 899.0
    assert mx.value(M.COUNT, "police_uk", area_type=M.AREA, area_code="E02003719") == 600.0


def test_forbidden_content_finds_coordinates_streets_and_crime_id_candidates():
    text = "Rate 12.5 per 1,000; p < 0.001; file abc; at 52.205337, 0.121817 On or near Mill Road\n" + "ab" * 32
    problems, candidates = forbidden_content(text)
    assert problems == ["a coordinate-like number '52.205337'", "a coordinate-like number '0.121817'",
                        "a police.uk street location 'On or near Mill Road'"]
    assert candidates == ["ab" * 32]
    assert forbidden_content("Version 0.20.2, 66.5% matched, 1,234 crimes") == ([], [])
