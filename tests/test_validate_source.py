"""One GX validation over a source's files gives each file exactly the answer it got on its own.

Each case checks the files one by one (the reference: one GX call each) and again cut from a single
stacked validation, and compares every problem, outcome and refusal.
"""

from __future__ import annotations

import pandas as pd

from tasks.validate import check_frame
from tasks.validate.source import validate_source
from tests.validate_helpers import PERIOD, TODAY, police_frame, population_frame


def _same(a, b) -> None:
    assert [(p.row_number, p.column, p.rule, p.reason, p.raw) for p in a.problems] == \
        [(p.row_number, p.column, p.rule, p.reason, p.raw) for p in b.problems]
    # GX lists the results of expectations it could not evaluate in no fixed order
    assert sorted((o.expectation, o.column or "", o.success, o.unexpected_count or 0, o.message,
                   o.details["rows"]) for o in a.outcomes) == \
        sorted((o.expectation, o.column or "", o.success, o.unexpected_count or 0, o.message,
                o.details["rows"]) for o in b.outcomes)
    assert a.blocking_errors == b.blocking_errors and a.warnings == b.warnings
    assert a.accepted["row_number"].tolist() == b.accepted["row_number"].tolist()


def _files() -> list[tuple[str, pd.DataFrame]]:
    january = police_frame({}, {"lsoa_code": "Cambridge 006A"}, {"crime_id": "id0000"},
                           {"category": "Unknown crime"}, {"month": "2019-01"})
    # february repeats January's first Crime ID: a repeat across files is not a repeat within one
    february = police_frame({}, {"longitude": 5.0}, {"crime_id": None, "category": "Anti-social behaviour"})
    march = police_frame({"lsoa_code": None, "lsoa_name": None, "longitude": float("nan"),
                          "latitude": float("nan")}, {})
    return [("2025-01.csv", january), ("2025-02.csv", february), ("2025-03.csv", march)]


def test_stacked_validation_matches_file_by_file_with_every_problem_on_its_file_and_line():
    files = _files()
    stacked = validate_source("police_uk", files)
    checks = []
    for label, frame in files:
        alone = check_frame("police_uk", frame, label, PERIOD, TODAY)
        cut = check_frame("police_uk", frame, label, PERIOD, TODAY, validation=stacked)
        _same(alone, cut)
        checks.append(cut)
    january, february, _ = checks
    rules = sorted((p.row_number, p.rule) for p in january.problems)
    assert rules == [(3, "LSOA code pattern"), (4, "unique Crime ID"), (5, "known category"),
                     (6, "month outside the assessment window")]
    assert all(p.reason.startswith("2025-01.csv row ") for p in january.problems)
    assert sorted((p.row_number, p.rule) for p in february.problems) == [
        (3, "coordinates in the GB bounding box"), (3, "coordinates on GB land")]


def test_a_part_of_a_file_gets_the_answer_of_that_part_alone():
    """A partnership sees only its rows of a force's file: the repeat and the bad row elsewhere vanish."""
    files = _files()
    stacked = validate_source("police_uk", files)
    label, january = files[0]
    part = january[january["row_number"].isin([2, 3, 5])]
    alone = check_frame("police_uk", part, label, PERIOD, TODAY)
    cut = check_frame("police_uk", part, label, PERIOD, TODAY, validation=stacked)
    _same(alone, cut)
    assert sorted(p.rule for p in cut.problems) == ["LSOA code pattern", "known category"]


def test_a_whole_file_rule_that_fails_is_asked_again_for_that_file_alone():
    good = population_frame({}, {})
    missing = population_frame({}).drop(columns=["households"])
    files = [("good.csv", good), ("missing.csv", missing)]
    stacked = validate_source("population", files)
    for label, frame in files:
        _same(check_frame("population", frame, label, PERIOD, TODAY),
              check_frame("population", frame, label, PERIOD, TODAY, validation=stacked))
    refused = check_frame("population", missing, "missing.csv", PERIOD, TODAY, validation=stacked)
    assert any("households" in e for e in refused.blocking_errors)
