"""Open every drafted paper with python-docx and check it against the fixture store.

Expected values are the fixture's (tests/papers_fixtures.py), printed in the assessment's house style:
counts with thousands separators, changes as '+5%', rates with one decimal.
"""

from __future__ import annotations

import re
import zipfile

from docx import Document

from csp import metrics as M
from csp import suppression as S
from tests.papers_fixtures import AREA_FIGURES, AREAS, CRIME_ID, LAT, LON, POLICE
from tests.papers_helpers import (  # noqa: F401 - 'drafted' is a fixture
    all_text,
    column,
    drafted_fixture,
    header_footer,
    headings,
    paragraphs,
    table_with,
    tables,
)

SA = ("Strategic Assessment", "2025-26")
SUMMARY = ("Strategic Assessment executive summary", "2025-26")
DQ = ("Data Quality Report", "2025-26")
PREVIOUS, CURRENT = "Oct 2023 – Sep 2024", "Oct 2024 – Sep 2025"


def _sa(drafted, version="public"):
    return drafted.paper(3, *SA, version)


def test_strategic_assessment_has_the_seed_sections_in_order(drafted):
    level1 = headings(_sa(drafted), 1)
    assert level1 == ["Introduction", "Key findings", "Recommendations", "Overall picture", "Personal safety",
                      "Community harm", "Priority updates", "Data notes and caveats",
                      "Appendix A: rates per 1,000 residents by MSOA", "Appendix B: methods and definitions",
                      "Appendix C: detailed findings"]
    assert "Illustrative data (restricted)" in headings(_sa(drafted, "restricted"), 1)
    level2 = headings(_sa(drafted), 2)
    personal = level2[level2.index("Violence"):level2.index("Anti-social behaviour")]
    assert personal == ["Violence", "Domestic abuse", "Acquisitive crime", "Exploitation and weapons"]
    assert "Priority 1 update: Safeguarding young people against violence and exploitation" in level2
    assert "Changes since the previous strategic assessment" in level2
    details = table_with(_sa(drafted), "Title:")
    assert details[0][1] == "Community Safety Strategic Assessment: Cambridge 2025-26"
    assert ["Time period:", "October 2024 to September 2025"] in details


def test_contents_are_written_at_drafting_as_the_headings(drafted):
    body = paragraphs(_sa(drafted))
    texts = [t for _, t in body]
    start = texts.index("Contents")
    contents = texts[start + 1:start + 41]
    level1 = headings(_sa(drafted), 1)
    assert contents[:len(level1) + 3][:2] == ["Introduction", "Changes since the previous strategic assessment"]
    assert all(h in contents for h in level1)  # every chapter listed, without Word updating a field
    with zipfile.ZipFile(_sa(drafted)) as archive:
        body_xml = archive.read("word/document.xml").decode()
        settings = archive.read("word/settings.xml").decode()
    assert "TOC \\o" not in body_xml  # no field left for a reader to update
    assert "<w:cantSplit/>" in body_xml and '<w:tblHeader w:val="true"/>' in body_xml
    assert '<w:updateFields w:val="true"/>' in settings  # page numbers and captions still refresh


def test_core_properties_are_fixed_from_the_meeting(drafted):
    props = Document(str(_sa(drafted))).core_properties
    assert props.created.date().isoformat() == "2026-02-10"
    assert props.modified == props.created
    assert props.title == "Strategic Assessment 2025-26"
    assert props.author == "Cambridge Community Safety Partnership"


def _expected(category: str, public: bool) -> list[str]:
    current, previous, pct, label, trend = POLICE[category]
    if public and (0 < current < 5 or 0 < previous < 5):
        return [S.suppress_value(previous), S.suppress_value(current), "[c]", "[c]", "[c]"]
    return [f"{previous:,}", f"{current:,}", S.format_metric(M.CHANGE_PCT, pct), label, trend]


def test_category_tables_print_the_stored_metrics(drafted):
    for version in ("public", "restricted"):
        every = [t for t in tables(_sa(drafted, version))
                 if tuple(t[0][:4]) == ("Category", "Source", PREVIOUS, CURRENT)]
        table = every[0]  # the first theme's table: Violence
        rows = {row[0]: row[2:] for row in table[1:]}
        for category in ("Violence and sexual offences", "Robbery"):
            assert rows[category] == _expected(category, version == "public"), (version, category)
        # possession of weapons is counted in one theme only (Exploitation and weapons), never twice
        holding = [t for t in every if any(row[0] == "Possession of weapons" for row in t[1:])]
        assert len(holding) == 1 and "Possession of weapons" not in rows
        weapons = {row[0]: row[2:] for row in holding[0][1:]}["Possession of weapons"]
        assert weapons == _expected("Possession of weapons", version == "public")
        assert "Assault-related call-out" not in rows  # illustrative: never in a theme's table
    illustrative = table_with(_sa(drafted, "restricted"), "Category", "Illustrative source")
    assert illustrative[1] == ["Assault-related call-out", "Ambulance (illustrative)", "n/a", "88", "n/a",
                               "no comparable period"]
    assert "Assault-related call-out" not in all_text(_sa(drafted))
    assert any("1,234 incidents in the 12 months to September 2025, against 1,100" in t and "+12%" in t
               for _, t in paragraphs(_sa(drafted)))


def test_area_table_and_appendix_match_the_stored_area_metrics(drafted):
    public = table_with(_sa(drafted), "Area", "Category", "Count")
    restricted = table_with(_sa(drafted, "restricted"), "Area", "Category", "Count")
    assert public[1] == ["Cambridge 007", "Violence and sexual offences", "200", "9,000", "22.2", "1"]
    assert restricted[2] == ["Cambridge 007", "Robbery", "2", "9,000", "0.2", "1"]
    assert public[2] == ["Cambridge 007", "Robbery", "<5", "9,000", "[c]", "1"]
    appendix = table_with(_sa(drafted), "Area", "Code", "Residents")
    expected = [[AREAS[code][0], code, f"{AREAS[code][1]:,}", f"{count:,}", f"{rate:.1f}", str(rank)]
                for code, (count, rate, rank, _) in AREA_FIGURES["All"].items()]
    assert appendix[1:] == [*expected, ["Cambridge 015", "n/a", "no population", "45", "no population", "n/a"],
                            ["Not placed in an area", "", "", "39", "", ""],  # 1,234 less the areas' 1,195
                            ["Total", "", "n/a", "1,234", "n/a", ""]]


def test_figures_are_numbered_with_captions_sources_and_images(drafted):
    overall = "Figure 1: Monthly police recorded crime and ASB, Cambridge"
    for version, expected in (("public", [overall, "Figure 2: Monthly violence and sexual offences, Cambridge",
                                          "Figure 3: Monthly anti-social behaviour, Cambridge"]),
                              ("restricted", [overall, "Figure 2: Monthly violence and sexual offences, Cambridge",
                                              "Figure 3: Robbery by LSOA (restricted)",
                                              "Figure 4: Monthly anti-social behaviour, Cambridge"])):
        path = _sa(drafted, version)
        captions = [t for s, t in paragraphs(path) if s == "Caption" and t.startswith("Figure")]
        assert captions == expected
        sources = [t for s, t in paragraphs(path) if t == "Source: data.police.uk, 12 months to September 2025"]
        assert len(sources) == len(expected)
        with zipfile.ZipFile(path) as archive:
            body = archive.read("word/document.xml").decode()
            images = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert body.count("<w:drawing>") == len(expected)
        assert len(images) == len(expected)
        tables_captions = [t for s, t in paragraphs(path) if s == "Caption" and t.startswith("Table")]
        count = 6 if version == "public" else 7  # restricted: the illustrative data table too
        assert [c.split(":")[0] for c in tables_captions] == [f"Table {n}" for n in range(1, count + 1)]


def test_data_notes_list_files_checksums_coverage_match_and_illustrative(drafted):
    path = _sa(drafted)
    summary = table_with(path, "Source", "Period", "Files", "Records accepted")
    assert summary[1:] == [  # configured descriptions; no illustrative source in the public version
        ["data.police.uk street-level crime and ASB, Cambridgeshire Constabulary", "Oct 2024 – Sep 2025", "1", "990"],
        ["ONS Census 2021 usual residents by LSOA (TS001), also the LSOA -> MSOA -> authority lookup", "n/a",
         "1", "69"]]
    assert "SHA-256" not in all_text(path) and "1" * 64 not in all_text(path)  # restricted DQ only
    dq = drafted.paper(7, *DQ, "restricted")
    checksums = table_with(dq, "File", "SHA-256")
    assert ["2025-09-cambridgeshire-street.csv.gz", "1" * 64] in checksums
    sources = table_with(dq, "Source", "File", "Period")
    police = next(r for r in sources if r[1] == "2025-09-cambridgeshire-street.csv.gz")
    assert police[2:] == ["Oct 2024 – Sep 2025", "1,000", "990", "3", "7"]  # restricted: exact counts
    ambulance = next(r for r in sources if r[1] == "ambulance_assault_callouts.csv")
    assert ambulance[0].endswith("(illustrative)") and ambulance[0].count("illustrative") == 1
    text = all_text(path)
    assert "66.5% of police records in the area matched a 2021 LSOA by code and 90.4%" in text
    assert "Illustrative data" in headings(path, 2)
    restricted = all_text(_sa(drafted, "restricted"))
    assert "2025-09-cambridgeshire-street.csv.gz: 150 rows have no LSOA code" in restricted
    assert "150 rows have no LSOA code" not in text
    coverage = table_with(path, "Source", "Months expected")
    assert [r[0] for r in coverage[1:]] == ["Police (data.police.uk)"]  # public: no illustrative source
    restricted = table_with(_sa(drafted, "restricted"), "Source", "Months expected")
    assert ["Ambulance (illustrative)", "24", "12", "Oct 2023 – Sep 2024"] in restricted


def test_findings_use_public_text_in_public_and_full_text_in_restricted(drafted):
    public, restricted = all_text(_sa(drafted)), all_text(_sa(drafted, "restricted"))
    assert "Robbery: <5 offences." in public and "Robbery: 3 offences" not in public
    assert "Robbery: 3 offences, up from 2." in restricted
    styled = paragraphs(_sa(drafted))
    body = [t for _, t in styled]
    overall = styled.index(("Heading 1", "Overall picture"))
    assert body[overall + 1] == ("Rates per 1,000 residents were highest in Cambridge 007, Cambridge 008 and "
                                 "Cambridge 009.")  # no partnership-wide rate stored in the fixture
    appendix = body[styled.index(("Heading 1", "Appendix C: detailed findings")):]
    assert "The busiest 10% of LSOAs held 35.1% of incidents." in appendix  # the assessment's own words


def test_markings_in_header_and_footer(drafted):
    for number, title, label, versions in ((3, *SA, ("public", "restricted")), (7, *DQ, ("public", "restricted")),
                                           (1, "Agenda", "10 February 2026", ("public",))):
        for version in versions:
            header, footer = header_footer(drafted.paper(number, title, label, version))
            marking = "OFFICIAL-SENSITIVE" if version == "restricted" else "OFFICIAL"
            assert header == f"Cambridge Community Safety Partnership\t{marking}"
            assert footer.startswith(f"{marking}\tPage 1 of 1")


def _count_cells(path) -> list[str]:
    """Every table cell that holds a count, by the column it is in."""
    count_columns = {PREVIOUS, CURRENT, "Count", "Rows read", "Accepted", "Quarantined", "Outside area",
                     "Rows", "Rows affected"}
    cells = []
    for table in tables(path):
        header = table[0]
        wanted = [i for i, name in enumerate(header) if name in count_columns]
        if header[0] == "Month":  # coverage matrix: every column after the month is a count
            wanted = list(range(1, len(header)))
        cells += [row[i] for row in table[1:] for i in wanted]
    return cells


def test_public_papers_print_no_count_below_five(drafted):
    checked = 0
    for path in drafted.folder.glob("*(public).docx"):
        for cell in _count_cells(path):
            value = cell.replace(",", "")
            assert not (value.isdigit() and 1 <= int(value) <= 4), (path.name, cell)
            checked += 1
        prose = [t for _, t in paragraphs(path)]
        for line in prose:  # counts in sentences: a number 1-4 followed by what was counted
            assert not re.search(r"(?<![\d.,])[1-4] (offences|crimes|incidents|rows|records|reports)\b", line), line
    assert checked > 50


def test_restricted_papers_show_the_small_counts_the_public_ones_hide(drafted):
    cells = _count_cells(_sa(drafted, "restricted"))
    assert "3" in cells and "2" in cells
    dq = drafted.paper(7, *DQ, "restricted")
    quarantine = table_with(dq, "Source", "File", "Rule")
    assert quarantine[1][2:] == ["Month in window (month_in_window)", "month", "3",
                                 "month 2023-01 is outside the cycle window", "12, 13, 14"]
    public = table_with(drafted.paper(7, *DQ), "Source", "Rule")
    assert public[1] == ["Police (data.police.uk)", "Month in window", "month", "<5"]  # no rows, no file


def test_no_paper_prints_coordinates_street_names_or_crime_ids(drafted):
    coordinate = re.compile(r"-?\d{1,3}\.\d{4,}")
    for path in drafted.folder.glob("*.docx"):
        text = all_text(path)
        assert not coordinate.search(text), path.name
        assert "On or near" not in text and "Mill Road" not in text, path.name
        assert CRIME_ID not in text and f"{LAT}" not in text and f"{LON}" not in text, path.name


def test_executive_summary_has_key_figures_headlines_and_recommendations(drafted):
    path = drafted.paper(4, *SUMMARY)
    assert headings(path, 1) == ["Key findings", "Key figures", "Recommendations",
                                 "Recommended priority areas", "About the data"]
    key = table_with(path, "Category", PREVIOUS, CURRENT)
    assert ["Robbery", "<5", "<5", "[c]", "[c]"] in key
    assert ["Burglary", "160", "150", "-6%", "no significant change"] in key
    areas = table_with(path, "Class", "Areas")
    assert areas[1:] == [["Emerging", "Cambridge 007", "Recommended"],
                         ["Sustaining", "Cambridge 008", "Recommended"],
                         ["Discharged", "Cambridge 010", "Recommended"]]  # no decision on areas yet
    text = [t for _, t in paragraphs(path)]
    assert "Robbery: 3 offences" not in all_text(path)
    assert any(t.startswith("2. Acquisitive crime – Add: not a current priority, but one of the heaviest") for t in text)


def test_priorities_paper_classes_reasons_and_decision_table(drafted):
    path = drafted.paper(5, "Priorities", "2026-27")
    assert headings(path, 2) == ["Emerging", "Preventing", "Sustaining", "Discharged"]
    text = [t for _, t in paragraphs(path)]
    assert "No area is recommended as Preventing." in text
    emerging = table_with(path, "No.", "Area", "Code")
    assert emerging[1] == ["1", "Cambridge 007", "E02003719",
                           "Emerging (multiple issues presenting or escalating): among the highest 20% of MSOAs "
                           "by rate for 2 crime categories; 66.7 incidents per 1,000 residents, above the "
                           "typical MSOA (57.1)."]
    themes = table_with(path, "No.", "Theme", "Recommendation")
    assert [r[2] for r in themes[1:]] == ["Retain", "Add", "Retain", "Monitor"]
    decisions = table_with(path, "No.", "Subject", "Recommended", "Board decision")
    assert len(decisions) == 1 + 6  # three themes to decide, three priority areas (None is left out)
    asb = next(r for r in decisions if r[1].startswith("Listening"))
    assert asb[3:] == ["agreed: retain", "Agreed by the Board", "10 February 2026"]
    assert next(r for r in decisions if r[1] == "Cambridge 007")[3] == ""


def test_agenda_times_groups_papers_and_next_meeting(drafted):
    path = drafted.paper(1, "Agenda", "10 February 2026")
    table = tables(path)[0]
    items = {row[0]: row for row in table[1:] if row[0] and row[0] == row[0].strip() and row[0][0].isdigit()}
    assert items["1"][3:5] == ["10:00-10:05", "5"]
    assert items["2"][1].startswith("Election of Chair and Vice Chair")  # a February board
    assert items["5"][1:3] == ["Action points: Review", "Board / members"] and items["5"][5] == "09"
    assert items["6.1"][1:3] == ["Update on CSP priority: Safeguarding young people against violence and "
                                 "exploitation", "Paul Rogerson (Constabulary)"]
    assert items["6.2"][3] == "10:35-10:45"
    assert items["7"][1].startswith("Community Safety Fund") and items["7"][5] == "10"
    assert items["8"][5] == "03, 04, 07"
    assert items["13"][1].startswith("Domestic Abuse and Sexual Violence")
    group_rows = [row[0] for row in table[1:] if len(set(row)) == 1]
    assert group_rows == ["Looking back on the work of the CSP", "Looking forward with the CSP work to add value"]
    assert table[-1][1:3] == ["Date of next Cambridge CSP meeting", "7 July 2026"]
    assert table[-1][4] == "110"
    assert "10:00–11:50, Guildhall, Cambridge" in [t for _, t in paragraphs(path)]


def test_minutes_template_attendance_and_open_actions(drafted):
    path = drafted.paper(2, "Minutes template", "10 February 2026")
    assert headings(path, 2)[:4] == ["Board", "Members", "Guests", "Apologies"]
    board = table_with(path, "Name", "Organisation")
    assert board[1] == ["Debbie Kaye (Chair)", "Cambridge City Council (Community Services)"]
    text = all_text(path)
    assert "(Chair) (Chair)" not in text and "Chair (Chair)" not in text
    outcomes = table_with(path, "Recommendation", "Recommended")
    assert ["Acquisitive crime", "add", ""] in outcomes  # an outcome line per recommendation, left blank
    assert text.count("Outcome:") == len([h for h in headings(path, 2) if h.endswith(": Agreement")]) + 1
    actions = table_with(path, "Month / number", "Action point")
    assert actions[1] == ["10/01", "Submit a bid to the PCC.", "Community Safety Manager", "31 March 2026",
                          "Open"]
    assert all(row[0] not in ("10/02", "10/03") for row in actions)
    assert "4. Minutes of the 2 December 2025 meeting: Agreement" in headings(path, 2)


def test_plan_and_terms_of_reference_from_configuration_and_decisions(drafted):
    plan = drafted.paper(6, "Community Safety Plan", "2026-27")
    level2 = headings(plan, 2)
    assert "Priority 1: Safeguarding young people against violence and exploitation" in level2
    assert "Priority 3: Acquisitive crime" in level2
    text = [t for _, t in paragraphs(plan)]
    assert "Lead officer: Paul Rogerson (Constabulary)" in text
    assert any(t.startswith("Adapt the police engagement process") for t in text)  # data/plans/cambridge.yaml
    assert "[Actions to be agreed with the lead officer.]" in text  # the added theme has none yet
    assert "February 2026 – February 2027" in text
    tor = drafted.paper(8, "Terms of Reference", "2026-27")
    bullets = [t for s, t in paragraphs(tor) if s == "List Bullet"]
    assert "Listening to community needs and responding together to reduce harm" in bullets
    assert table_with(tor, "Organisation", "Representative")[1][0] == "Cambridge City Council (Community Services)"


def test_data_quality_report_coverage_by_month_checks_and_quarantine(drafted):
    path = drafted.paper(7, *DQ)
    matrix = table_with(path, "Month")
    assert matrix[0] == ["Month", "Police (data.police.uk)"]  # illustrative data is never published
    assert len(matrix) == 1 + 24
    rows = {row[0]: row[1:] for row in matrix[1:]}
    assert rows["Oct 2023"] == ["missing"]
    restricted = {row[0]: row[1:] for row in table_with(drafted.paper(7, *DQ, "restricted"), "Month")[1:]}
    assert restricted["Sep 2025"] == ["3", "4"] and restricted["Aug 2025"] == ["6", "7"]
    warnings = table_with(path, "Source", "Check")
    assert warnings[1] == ["Police (data.police.uk)", "no value is missing", "LSOA code", "150"]
    restricted_warnings = table_with(drafted.paper(7, *DQ, "restricted"), "Source", "File", "Check")
    assert restricted_warnings[1][2] == "no value is missing (expect_column_values_to_not_be_null)"
    assert restricted_warnings[1][5] == "150 rows have no LSOA code"
    text = all_text(path)
    assert "2 of 3 checks passed; 1 warning(s) and 0 blocking failure(s)." in text
    assert "66.5% of police records matched a 2021 LSOA by code, 90.4% an MSOA" in text
    restricted_files = table_with(drafted.paper(7, *DQ, "restricted"), "Source", "File", "Period")
    assert column(restricted_files, "Quarantined") == ["0", "3", "0"]


def test_public_data_quality_report_withholds_quarantine_reasons(drafted):
    """Reasons quote the offending values (a crime ID, coordinates): restricted version only."""
    public = all_text(drafted.paper(7, *DQ))
    restricted = all_text(drafted.paper(7, *DQ, "restricted"))
    assert "month 2023-01 is outside the cycle window" in restricted
    assert "month 2023-01 is outside the cycle window" not in public
    assert "Month in window" in public and "month_in_window" not in public  # the rule, in words
