"""Public papers read as an analyst wrote them: no internal names, scores, rule names or source ids.

Every public paper of the drafted pack is read with python-docx (paragraphs, every table cell, headers
and footers) and scanned for the tokens a machine leaves behind.
"""

from __future__ import annotations

import re

from tests.papers_helpers import all_text, drafted_fixture, paragraphs  # noqa: F401 - 'drafted' is a fixture

INTERNAL = {
    "snake_case word": re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),
    "source id": re.compile(r"\b(police_uk|council_asb|hate_crime|idva|ae)\b"),
    "score printed in a sentence": re.compile(r"\bscore 0\.", re.IGNORECASE),
    "monthly ratio": re.compile(r"\bx1\.\d"),
    "Great Expectations rule": re.compile(r"\bexpect_\w+"),
    "pipeline name": re.compile(r"csp-cycle|drafted by the", re.IGNORECASE),
    "rule name": re.compile(r"\b(class_rule|no_rule|long_term_continuity|high_score|month_in_window)\b"),
}


def test_no_public_paper_prints_internal_tokens(drafted):
    scanned = 0
    for path in sorted(drafted.folder.glob("*(public).docx")):
        text = all_text(path)
        for name, pattern in INTERNAL.items():
            found = pattern.findall(text)
            assert not found, f"{path.name}: {name}: {found[:5]}"
        scanned += 1
    assert scanned >= 8  # every public paper of the pack, whichever papers it holds


def test_the_scan_catches_what_the_old_papers_printed():
    old = ("4,773 records in the year (police_uk; volume rank 2 of 10); score 0.80; a rising trend "
           "(x1.028 a month); check expect_compound_columns_to_be_unique; rule month_in_window")
    caught = {name for name, pattern in INTERNAL.items() if pattern.search(old)}
    assert caught >= {"snake_case word", "source id", "score printed in a sentence", "monthly ratio",
                      "Great Expectations rule", "rule name"}


def test_the_assessment_opens_with_at_most_five_key_findings(drafted):
    path = drafted.paper(3, "Strategic Assessment", "2025-26")
    body = paragraphs(path)
    start = body.index(("Heading 1", "Key findings"))  # the chapter, not its line in the contents
    findings = []
    for style, text in body[start + 1:]:
        if style.startswith("Heading"):
            break
        findings.append(text)
    assert 1 <= len(findings) <= 5
    assert findings[0].startswith("Police recorded 1,234 crimes and anti-social behaviour incidents in Cambridge")
    assert "significantly higher than the year before (+12%)" in findings[0]
    assert any("Cambridge 007" in f for f in findings)  # the places, by name


def test_public_quality_warnings_are_one_row_per_check_not_per_file():
    """The public report names no file, so the same warning from several monthly files is one row with
    the rows summed (and small sums hidden); the restricted report keeps a row a file."""
    import types

    import pandas as pd

    from csp.config import load_partnership
    from tasks.papers.ctx_quality import _check_rows
    from tasks.papers.numbers import Numbers
    from tasks.papers.store_read import FileRow

    files = {i: FileRow(i, "police_uk", f"2025-0{i}-street.csv", "0" * 64, 100, 100, 0, 0, None, None)
             for i in (1, 2, 3)}
    checks = pd.DataFrame([
        {"input_file_id": i, "expectation": "expect_compound_columns_to_be_unique", "column": None,
         "severity": "warning", "success": False, "unexpected_count": n, "message": f"{n} rows repeat"}
        for i, n in ((1, 4), (2, 6), (3, 2))] + [
        {"input_file_id": 2, "expectation": "expect_column_values_to_not_be_null", "column": "lsoa_code",
         "severity": "warning", "success": False, "unexpected_count": 3, "message": "3 rows have no LSOA code"}])
    config = load_partnership("cambridge")
    public = types.SimpleNamespace(config=config, public=True, numbers=Numbers(public=True))
    rows = _check_rows(checks, files, public, "warning")
    assert [(r["expectation"], r["column"], r["unexpected"]) for r in rows] == [
        ("no record appears twice (3 files)", "", "12"), ("no value is missing", "LSOA code", "<5")]
    assert all(r["file_name"] == "" for r in rows)
    restricted = types.SimpleNamespace(config=config, public=False, numbers=Numbers(public=False))
    assert len(_check_rows(checks, files, restricted, "warning")) == 4
