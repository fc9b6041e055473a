"""One set of numbers: the same quantity agrees wherever the pack prints it, tables add up, and no
count hidden in a public paper can be worked out from the totals and parts the public pack prints.

Numbers are read back from the drafted .docx files (python-docx), never from the store.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from csp import metrics as M
from csp.config import load_partnership
from csp.store import models
from csp.store.db import session_scope
from tasks.papers.draft import draft_pack
from tests.papers_helpers import (  # noqa: F401 - 'drafted' and 'store' are fixtures
    all_text,
    drafted_fixture,
    paragraphs,
    store_fixture,
    table_with,
    tables,
)

CURRENT = "Oct 2024 – Sep 2025"
HIDDEN = ("<5", "[c]")


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _category_counts(path: Path) -> dict[str, str]:
    """Category -> this year's count, from every theme table of the assessment."""
    counts: dict[str, str] = {}
    for table in tables(path):
        if table[0][:2] == ["Category", "Source"] and CURRENT in table[0]:
            column = table[0].index(CURRENT)
            for row in table[1:]:
                assert row[0] not in counts, f"{row[0]} is printed under two themes"
                counts[row[0]] = row[column]
    return counts


def test_the_same_quantity_agrees_wherever_the_pack_prints_it(drafted):
    for version in ("public", "restricted"):
        sa = drafted.paper(3, "Strategic Assessment", "2025-26", version)
        summary = drafted.paper(4, "Strategic Assessment executive summary", "2025-26", version)
        totals = set()
        for path in (sa, summary):
            totals |= set(re.findall(r"Police recorded ([\d,]+) crimes and anti-social behaviour", all_text(path)))
        appendix = table_with(sa, "Area", "Code", "Residents")
        totals.add(next(r for r in appendix if r[0] == "Total")[3])
        assert totals == {"1,234"}, version
        in_sa = _category_counts(sa)
        key = table_with(summary, "Category")
        column = key[0].index(CURRENT)
        for row in key[1:]:
            if row[0] in in_sa:
                assert row[column] == in_sa[row[0]], (version, row[0])
        assert "Possession of weapons" in in_sa  # once (the helper fails on a second theme)


def test_theme_totals_in_words_are_the_sum_of_their_table(drafted):
    sa = drafted.paper(3, "Strategic Assessment", "2025-26", "restricted")
    priorities = drafted.paper(5, "Priorities", "2026-27")
    counts = _category_counts(sa)
    acquisitive = _int(counts["Burglary"])  # the fixture's only acquisitive category
    violence = _int(counts["Violence and sexual offences"]) + _int(counts["Robbery"])
    themes = table_with(priorities, "No.", "Theme", "Recommendation")
    why = {row[1]: row[3] for row in themes[1:]}
    assert f"Police recorded {acquisitive:,} offences" in why["Acquisitive crime"]
    # violence includes a hidden robbery count (3): the public paper rounds the total
    assert f"Police recorded about {round(violence, -1):,} offences" in why[
        "Safeguarding young people against violence and exploitation"]
    restricted_sa = all_text(sa)
    assert f"Police recorded {violence:,} offences" in restricted_sa


def test_every_table_adds_up_to_its_total(drafted):
    appendix = table_with(drafted.paper(3, "Strategic Assessment", "2025-26", "restricted"), "Area", "Code",
                          "Residents")
    parts = [_int(r[3]) for r in appendix[1:] if r[0] != "Total"]
    total = _int(next(r for r in appendix if r[0] == "Total")[3])
    assert "Not placed in an area" in [r[0] for r in appendix]
    assert sum(parts) == total


def _hate_crime_case(url: str) -> None:
    """South Cambridgeshire's published case: hate crime in September 2025 was 3 ("<5") while the
    annual total and the other eleven months were printed. Reproduced here on a real (not illustrative)
    hate-crime source so the public papers do print it."""
    months = [dt.date(2024, 10, 1) + dt.timedelta(days=31 * i) for i in range(12)]
    months = [m.replace(day=1) for m in months]
    counts = [9, 7, 11, 6, 8, 12, 10, 7, 9, 8, 6, 3]
    with session_scope(url) as session:
        cycle_id = session.query(models.Cycle.id).scalar()
        file = models.InputFile(partnership_id="cambridge", source_kind="hate_crime", file_name="hate_crime.csv",
                                path="partners/cambridge", sha256="4" * 64, size_bytes=100, rows_read=12,
                                rows_accepted=12, month_min=months[0], month_max=months[-1])
        session.add(file)
        session.flush()
        session.add_all(models.PartnerRecord(input_file_id=file.id, partnership_id="cambridge",
                                             source_kind="hate_crime", row_number=i + 2, month=m, period_months=1,
                                             category="Race", count=n)
                        for i, (m, n) in enumerate(zip(months, counts, strict=True)))
        session.add(models.Metric(partnership_id="cambridge", cycle_id=cycle_id, metric=M.COUNT,
                                  source_kind="hate_crime", category="All", area_type=M.PARTNERSHIP,
                                  period=M.CURRENT, value=float(sum(counts)), input_file_ids=[file.id],
                                  run_id="assess-run-1"))


def test_a_hidden_month_cannot_be_worked_out_from_the_published_total(store):
    _hate_crime_case(store)
    config = load_partnership("cambridge")
    real = config.sources["hate_crime"].model_copy(update={"illustrative": False})
    config = config.model_copy(update={"sources": {**config.sources, "hate_crime": real}})
    result = draft_pack(store, config, "2025-26", "board-2026-02",
                        ["strategic_assessment", "sa_summary", "data_quality"])
    folder = Path(result.folder)
    public = sorted(folder.glob("*(public).docx"))
    assert "96" in all_text(folder / "01 Strategic Assessment 2025-26 (public).docx")  # the annual total
    matrix = table_with(folder / "03 Data Quality Report 2025-26 (public).docx", "Month")
    column = matrix[0].index("Hate crime reports")
    rows = {r[0]: r[column] for r in matrix[1:]}
    year = [rows[m] for m in ("Oct 2024", "Nov 2024", "Dec 2024", "Jan 2025", "Feb 2025", "Mar 2025",
                              "Apr 2025", "May 2025", "Jun 2025", "Jul 2025", "Aug 2025", "Sep 2025")]
    assert rows["Sep 2025"] == "<5"
    hidden = [c for c in year if c in HIDDEN]
    assert len(hidden) >= 2  # with one more month hidden, 96 less the others no longer gives September
    assert "[c]" in year and year.count("6") == 1  # the smallest other month (January, 6) hidden
    for path in public:  # the same rule over every monthly table of every public paper
        for table in tables(path):
            if table[0][0] != "Month":
                continue
            for index in range(1, len(table[0])):
                cells = [row[index] for row in table[1:]]
                for block in (cells[:12], cells[12:24]):
                    assert sum(c in HIDDEN for c in block) != 1, (path.name, table[0][index])
    restricted = table_with(folder / "03 Data Quality Report 2025-26 (restricted).docx", "Month")
    assert {r[0]: r[restricted[0].index("Hate crime reports")] for r in restricted[1:]}["Sep 2025"] == "3"
