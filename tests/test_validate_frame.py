"""check_frame: every rule, broken on purpose, names the exact row, column and rule.

Frames are built in the readers' shape (tests/validate_helpers.py): row_number is the file line with
the header as line 1, so the first data row is 2.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tasks.validate import FUTURE_MONTH, OUTSIDE_WINDOW, check_frame
from tests.validate_helpers import (
    LABEL,
    PERIOD,
    TODAY,
    partner_frame,
    police_frame,
    population_frame,
    problems_of,
)


def _check(kind: str, frame: pd.DataFrame, today: dt.date = TODAY):
    return check_frame(kind, frame, LABEL, PERIOD, today)


def _outcome(check, rule: str):
    return next(o for o in check.outcomes if o.details["rule"] == rule)


def test_a_clean_police_frame_passes_every_rule():
    frame = police_frame({}, {"category": "Anti-social behaviour", "crime_id": None}, {"month": "2024-10"})
    check = _check("police_uk", frame)
    assert check.problems == [] and check.blocking_errors == []
    assert check.accepted["row_number"].tolist() == [2, 3, 4]
    assert all(o.success for o in check.outcomes), [o.message for o in check.outcomes if not o.success]
    # one outcome per expectation in the suite, plus the two window rules
    assert {o.details["rule"] for o in check.outcomes} >= {
        "required columns", "column type", "month format", "known category", "LSOA code pattern",
        "coordinates on GB land", "unique Crime ID", "no fully duplicated rows", OUTSIDE_WINDOW, FUTURE_MONTH}


def test_lsoa_code_that_is_not_a_code_is_quarantined_with_file_row_column_and_value():
    check = _check("police_uk", police_frame({}, {"lsoa_code": "Cambridge 006A"}))
    assert problems_of(check) == [(3, "lsoa_code", "LSOA code pattern")]
    reason = check.problems[0].reason
    assert LABEL in reason and "row 3" in reason and "'Cambridge 006A'" in reason
    assert check.problems[0].raw["lsoa_code"] == "Cambridge 006A"
    assert check.accepted["row_number"].tolist() == [2]


def test_empty_lsoa_is_allowed_and_counted_as_a_warning():
    check = _check("police_uk", police_frame({}, {"lsoa_code": None, "lsoa_name": None,
                                                  "longitude": float("nan"), "latitude": float("nan")}))
    assert check.problems == []
    assert check.accepted["row_number"].tolist() == [2, 3]
    present = _outcome(check, "LSOA present")
    assert present.severity == "warning" and not present.success and present.unexpected_count == 1
    assert present.details["rows"] == [3]
    assert any("LSOA present" in w for w in check.warnings)


def test_points_in_the_sea_fail_the_land_outline_and_towns_pass():
    frame = police_frame(
        {"longitude": 0.12, "latitude": 52.2},  # Cambridge
        {"longitude": -3.04, "latitude": 53.83},  # Blackpool
        {"longitude": -0.24, "latitude": 52.57},  # Peterborough
        {"longitude": -6.0, "latitude": 50.0},  # sea off Land's End
        {"longitude": 1.5, "latitude": 55.0},  # North Sea
        {"longitude": float("nan"), "latitude": float("nan")},  # no location: allowed
    )
    check = _check("police_uk", frame)
    assert problems_of(check) == [(5, "longitude, latitude", "coordinates on GB land"),
                                  (6, "longitude, latitude", "coordinates on GB land")]
    assert "(-6.0, 50.0)" in check.problems[0].reason
    assert check.accepted["row_number"].tolist() == [2, 3, 4, 7]


def test_coordinates_outside_the_bounding_box_name_the_column():
    check = _check("police_uk", police_frame({}, {"longitude": 5.0, "latitude": 52.2}))
    assert (3, "longitude", "coordinates in the GB bounding box") in problems_of(check)
    assert "5.0" in next(p.reason for p in check.problems if p.column == "longitude")


def test_repeated_crime_id_quarantines_the_repeat_not_the_first():
    check = _check("police_uk", police_frame({"crime_id": "abc"}, {}, {}, {"crime_id": "abc", "month": "2025-02"}))
    assert problems_of(check) == [(5, "crime_id", "unique Crime ID")]
    assert "row 2" in check.problems[0].reason
    assert check.accepted["row_number"].tolist() == [2, 3, 4]


def test_identical_police_rows_without_crime_id_are_a_warning_not_a_rejection():
    asb = {"crime_id": None, "category": "Anti-social behaviour", "outcome": None}
    check = _check("police_uk", police_frame(asb, asb, {}))
    assert check.problems == []
    duplicates = _outcome(check, "no fully duplicated rows")
    assert duplicates.severity == "warning" and duplicates.details["rows"] == [2, 3]


def test_fully_duplicated_partner_row_is_quarantined_once():
    check = _check("fire", partner_frame({}, {"month": "2025-02"}, {}))
    assert problems_of(check) == [(4, None, "no fully duplicated rows")]
    assert "repeats row 2" in check.problems[0].reason
    assert check.accepted["row_number"].tolist() == [2, 3]


def test_negative_count_is_quarantined():
    check = _check("ambulance", partner_frame({"category": "Assault-related call-out"},
                                              {"category": "Assault-related call-out", "count": -3,
                                               "month": "2025-02"}))
    assert problems_of(check) == [(3, "count", "count non-negative")]
    assert "-3" in check.problems[0].reason


def test_fractional_count_breaks_the_type_rule_but_whole_floats_do_not():
    check = _check("fire", partner_frame({"count": 4.0}, {"count": 2.5, "month": "2025-02"}))
    assert problems_of(check) == [(3, "count", "column type")]
    assert "2.5" in check.problems[0].reason


def test_month_before_the_window_or_after_the_period_is_outside_the_window():
    frame = police_frame({"month": "2023-09"}, {"month": "2023-10"}, {"month": "2025-09"},
                         {"month": "2025-10"})
    check = _check("police_uk", frame, today=dt.date(2026, 1, 15))
    assert problems_of(check) == [(2, "month", OUTSIDE_WINDOW), (5, "month", OUTSIDE_WINDOW)]
    assert "'2023-09'" in check.problems[0].reason and "2023-10..2025-09" in check.problems[0].reason
    assert check.blocking_errors == []


def test_month_after_the_current_month_is_in_the_future():
    check = _check("police_uk", police_frame({"month": "2025-06"}, {"month": "2025-08"}),
                   today=dt.date(2025, 6, 15))
    assert problems_of(check) == [(3, "month", FUTURE_MONTH)]
    assert "2025-06" in check.problems[0].reason


def test_every_row_outside_the_window_blocks_the_file():
    check = _check("fire", partner_frame({"month": "2021-01"}, {"month": "2021-02"}))
    assert len(check.problems) == 2 and check.accepted.empty
    assert len(check.blocking_errors) == 1
    message = check.blocking_errors[0]
    assert LABEL in message and "'month'" in message and OUTSIDE_WINDOW in message


def test_badly_written_month_breaks_the_format_rule():
    check = _check("police_uk", police_frame({"month": "2025-1"}, {"month": "Jan 2025"}, {"month": "2025-13"}))
    assert problems_of(check) == [(2, "month", "month format"), (3, "month", "month format"),
                                  (4, "month", "month format")]


def test_unknown_category_is_quarantined():
    check = _check("police_uk", police_frame({}, {"category": "Kidnapping"}))
    assert problems_of(check) == [(3, "category", "known category")]
    assert "'Kidnapping'" in check.problems[0].reason


def test_partner_categories_come_from_the_kind():
    check = _check("hate_crime", partner_frame({"category": "Race"}, {"category": "Deliberate primary"}))
    assert problems_of(check) == [(3, "category", "known category")]


def test_missing_column_blocks_the_file_without_crashing():
    frame = police_frame({}, {}).drop(columns=["category"])
    check = _check("police_uk", frame)
    assert any(LABEL in m and "'category'" in m and "required columns" in m for m in check.blocking_errors)
    assert len(check.blocking_errors) == 1  # the checks on that column say "not checked", they do not pile up
    not_checked = [o for o in check.outcomes if o.column == "category" and not o.success]
    assert not_checked and all("not checked" in o.message or "missing" in o.message for o in not_checked)


def test_empty_frame_blocks_the_file():
    frame = police_frame({}).iloc[0:0]
    check = _check("police_uk", frame)
    assert check.accepted.empty and check.problems == []
    assert any(LABEL in m and "file has rows" in m for m in check.blocking_errors)


def test_population_must_be_positive_and_lsoas_unique():
    frame = population_frame({}, {"persons": 0.0}, {"lsoa_code": "E01010000", "lsoa_name": "Cambridge 001Z"})
    check = _check("population", frame)
    assert problems_of(check) == [(3, "persons", "population positive"), (4, "lsoa_code", "unique LSOA code")]


def test_idva_period_must_be_a_month_or_a_quarter():
    idva = {"category": "IDVA referrals", "period_months": 3, "area_name": "Cambridge"}
    frame = partner_frame({"month": "2025-01"}, {"month": "2025-04", "period_months": 2}, kind_defaults=idva)
    frame["period_months"] = frame["period_months"].astype("int64")
    check = _check("idva", frame)
    assert problems_of(check) == [(3, "period_months", "period length")]


def test_the_input_frame_is_left_as_it_was():
    frame = police_frame({"crime_id": ""}, {"lsoa_code": "bad"})
    before = frame.copy()
    _check("police_uk", frame)
    pd.testing.assert_frame_equal(frame, before)


def test_file_level_outcomes_say_whether_they_block_the_file():
    check = _check("police_uk", police_frame({}).drop(columns=["lsoa_code"]))
    missing = next(o for o in check.outcomes if o.expectation == "expect_column_to_exist" and o.column == "lsoa_code")
    assert missing.severity == "blocking" and not missing.success and missing.details["blocks_file"]
    pattern = next(o for o in check.outcomes if o.details["rule"] == "LSOA code pattern")
    assert pattern.details["blocks_file"] is False


def test_frames_without_usable_row_numbers_are_a_reader_bug():
    frame = police_frame({}, {})
    with pytest.raises(ValueError, match="row_number"):
        _check("police_uk", frame.drop(columns=["row_number"]))
    frame["row_number"] = [2, 2]
    with pytest.raises(ValueError, match="repeats row numbers"):
        _check("police_uk", frame)


def test_a_value_that_is_not_text_in_a_text_column_is_named_by_row():
    """Text columns of text only are checked by their type at once; one holding a number is checked
    value by value, so the row is still named, with a message a reader can follow."""
    from tasks.validate.messages import value_detail
    from tasks.validate.prepare import gx_frame

    clean = police_frame({}, {"month": "2024-10"})
    assert str(gx_frame("police_uk", clean)["location"].dtype) == "string"
    check = _check("police_uk", police_frame({}, {"location": 12345, "month": "2024-10"}))
    assert check.warnings == ["test-file.csv: column 'location', rule 'column type': 1 of 2 rows fail (row 3)"]
    reason = value_detail("expect_column_values_to_be_in_type_list", {"type_list": ["str", "StringDtype"]},
                          {"location": 12345})
    assert reason == "12345 is a int, expected str"  # pandas' name for its text type is not shown


def test_gx_results_are_the_same_with_its_conversions_made_once():
    """run_suite reuses GX's expectation/configuration conversions within a call (runtime.py); the
    results must equal GX's own, rule by rule, on frames breaking many rules, and GX is left as it was."""
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    from tasks.validate import runtime
    from tasks.validate.prepare import gx_frame

    original = (Expectation.__dict__["configuration"], ExpectationConfiguration.__dict__["to_domain_obj"])
    police = police_frame({"lsoa_code": "nonsense"}, {"month": "2025-13", "longitude": 99.0},
                          {"crime_id": "id0000"}, {"category": "Not a category"})
    fire = partner_frame({"count": -1}, {"count": 2.5, "category": "Unknown"}, {}, {})
    for kind, frame in (("police_uk", police), ("fire", fire)):
        checked = gx_frame(kind, frame)
        memoised = [r.to_json_dict() for r in runtime.run_suite(kind, checked)]
        with runtime.GX_LOCK:
            gx = runtime._runtime()
            batch = gx.batches[kind].get_batch(batch_parameters={"dataframe": checked})
            plain = [r.to_json_dict() for r in batch.validate(gx.suites[kind], result_format={
                "result_format": "COMPLETE", "unexpected_index_column_names": ["row_number"]}).results]
        assert memoised == plain
        assert sum(not r["success"] for r in plain) >= 3  # the frames do break rules
    assert (Expectation.__dict__["configuration"], ExpectationConfiguration.__dict__["to_domain_obj"]) == original
