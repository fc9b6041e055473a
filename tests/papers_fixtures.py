"""A small, hand-made store for the papers tests: every number below is what the papers must print.

Cambridge 2025-26 (configuration as shipped). Deliberate traps: Robbery has 3 offences this year and 2
last year, a quarantined row carries a crime ID, coordinates and a street, and crime rows carry the same,
so a public paper that leaked any of them, or printed a small count, fails the tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
import zlib
from pathlib import Path

from csp import metrics as M
from csp.config import load_partnership
from csp.store import models
from csp.store.db import ensure_cycle, session_scope

CRIME_ID = "a3f1" + "0" * 56 + "beef"
STREET = "On or near Mill Road"
LAT, LON = 52.198765, 0.137654
RUN = "assess-run-1"

AREAS = {  # code: (name, residents)
    "E02003719": ("Cambridge 007", 9000),
    "E02003720": ("Cambridge 008", 7000),
    "E02003721": ("Cambridge 009", 6000),
}
# police.uk partnership counts: category -> (current, previous, change_pct, change label, trend label)
POLICE = {
    "All": (1234, 1100, 12.18, "significant increase", "rising"),
    "Violence and sexual offences": (400, 380, 5.26, "no significant change", "stable"),
    "Robbery": (3, 2, 50.0, "no significant change", "too few months"),
    "Possession of weapons": (12, 7, 71.43, "no significant change", "stable"),
    "Burglary": (150, 160, -6.25, "no significant change", "falling"),
    "Anti-social behaviour": (500, 450, 11.11, "significant increase", "rising"),
}
# area counts and rates: category -> {code: (count, rate, rank, top)}
AREA_FIGURES = {
    "All": {"E02003719": (600, 66.67, 1, 1.0), "E02003720": (400, 57.14, 2, 0.0),
            "E02003721": (150, 25.0, 3, 0.0)},
    "Violence and sexual offences": {"E02003719": (200, 22.22, 1, 1.0), "E02003720": (150, 21.43, 2, 0.0),
                                     "E02003721": (50, 8.33, 3, 0.0)},
    "Robbery": {"E02003719": (2, 0.22, 1, 1.0), "E02003720": (1, 0.14, 2, 0.0),
                "E02003721": (0, 0.0, 3, 0.0)},
}
AMBULANCE = ("Assault-related call-out", 88, None)


def tiny_png(path: Path, shade: int = 200) -> str:
    """Write a 4x4 grey PNG (no plotting library needed) and return its sha256."""
    raw = b"".join(b"\x00" + bytes([shade, shade, shade]) * 4 for _ in range(4))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _metric(cycle_id: int, metric: str, value, *, source="police_uk", category="All", period=M.CURRENT,
            area_type=M.PARTNERSHIP, code=None, name=None, label=None, suppressed=None, files=(1,)):
    return models.Metric(partnership_id="cambridge", cycle_id=cycle_id, metric=metric, source_kind=source,
                         category=category, area_type=area_type, area_code=code, area_name=name,
                         period=period, value=value, label=label, suppressed=suppressed,
                         input_file_ids=list(files), run_id=RUN)


def _files(session) -> dict[str, models.InputFile]:
    files = {
        "police": models.InputFile(
            partnership_id="cambridge", source_kind="police_uk", file_name="2025-09-cambridgeshire-street.csv.gz",
            path="raw/police_uk/cambridgeshire", sha256="1" * 64, size_bytes=1000, rows_read=1000,
            rows_accepted=990, rows_quarantined=3, rows_outside_area=7, month_min=dt.date(2024, 10, 1),
            month_max=dt.date(2025, 9, 1), months=[f"{y}-{m:02d}" for y, m in
                                                 [(2024, 10), (2024, 11), (2024, 12)] +
                                                 [(2025, i) for i in range(1, 10)]]),
        "population": models.InputFile(
            partnership_id="cambridge", source_kind="population", file_name="census2011_lsoa_population_ew.csv.gz",
            path="raw/reference", sha256="2" * 64, size_bytes=500, rows_read=34753, rows_accepted=69),
        "ambulance": models.InputFile(
            partnership_id="cambridge", source_kind="ambulance", file_name="ambulance_assault_callouts.csv",
            path="partners/cambridge", sha256="3" * 64, size_bytes=200, rows_read=12, rows_accepted=12,
            month_min=dt.date(2024, 10, 1), month_max=dt.date(2025, 9, 1), illustrative=True),
    }
    session.add_all(files.values())
    session.flush()
    return files


def _metrics(session, cycle_id: int, files: dict[str, models.InputFile]) -> None:
    police, amb = (files["police"].id,), (files["ambulance"].id,)
    rows = []
    for category, (current, previous, pct, label, trend) in POLICE.items():
        small = current < 5 or previous < 5
        rows += [
            _metric(cycle_id, M.COUNT, current, category=category, files=police, suppressed=current < 5),
            _metric(cycle_id, M.COUNT, previous, category=category, period=M.PREVIOUS, files=police,
                    suppressed=previous < 5),
            _metric(cycle_id, M.CHANGE_PCT, pct, category=category, files=police, suppressed=small),
            _metric(cycle_id, M.CHANGE, pct, category=category, label=label, files=police, suppressed=small),
            _metric(cycle_id, M.TREND_RATIO, 1.01, category=category, label=trend, files=police),
        ]
    for category, by_area in AREA_FIGURES.items():
        for code, (count, rate, rank, top) in by_area.items():
            name = AREAS[code][0]
            common = {"category": category, "area_type": M.AREA, "code": code, "name": name, "files": police}
            rows += [
                _metric(cycle_id, M.COUNT, count, suppressed=0 < count < 5, **common),
                _metric(cycle_id, M.RATE_PER_1000, rate, suppressed=0 < count < 5, **common),
                _metric(cycle_id, M.RANK_BY_RATE, rank, **common),
                _metric(cycle_id, M.TOP_RATE, top, **common),
            ]
    no_code = {"category": "All", "area_type": M.AREA, "code": None, "name": "Cambridge 015", "files": police}
    rows += [  # a 2021 MSOA the 2011 population does not know: no code, no residents, no rate
        _metric(cycle_id, M.COUNT, 45, **no_code),
        _metric(cycle_id, M.RATE_PER_1000, None, label="no population", **no_code),
        _metric(cycle_id, M.POPULATION, None, label="no population", **no_code),
    ]
    for code, (name, residents) in AREAS.items():
        rows.append(_metric(cycle_id, M.POPULATION, residents, area_type=M.AREA, code=code, name=name,
                            files=(files["population"].id,)))
    category, current, previous = AMBULANCE
    rows += [
        _metric(cycle_id, M.COUNT, current, source="ambulance", category=category, files=amb),
        _metric(cycle_id, M.COUNT, current, source="ambulance", files=amb),
        _metric(cycle_id, M.CHANGE, None, source="ambulance", category=category, label="no comparable period",
                files=amb),
        # validation records the authority's code on its partnership-level match metrics
        _metric(cycle_id, M.LSOA_MATCH_RATE_PCT, 66.5, code="E07000008", name="Cambridge", files=police),
        _metric(cycle_id, M.MSOA_MATCH_RATE_PCT, 90.4, code="E07000008", name="Cambridge", files=police),
        _metric(cycle_id, M.POPULATION_COVERAGE_PCT, 89.0, area_type=M.AREA, files=police),
        _metric(cycle_id, M.POPULATION_COVERAGE_PCT, 61.0, area_type=M.LSOA, files=police),
    ]
    session.add_all(rows)


def _findings_and_charts(session, cycle_id: int, chart_dir: Path) -> None:
    findings = [
        ("overview", None, 0, True, "Police recorded 1,234 crimes and ASB incidents, a significant increase.",
         "Police recorded 1,234 crimes and ASB incidents, a significant increase."),
        ("overview", None, 1, False, "The busiest 10% of LSOAs held 35.1% of incidents.",
         "The busiest 10% of LSOAs held 35.1% of incidents."),
        ("violence", "Robbery", 0, True, "Robbery: 3 offences, up from 2.", "Robbery: <5 offences."),
        ("violence", "Violence and sexual offences", 1, False, "Violence and sexual offences: 400 offences.",
         "Violence and sexual offences: 400 offences."),
        ("asb", "Anti-social behaviour", 0, True, "Anti-social behaviour rose significantly, to 500 incidents.",
         "Anti-social behaviour rose significantly, to 500 incidents."),
    ]
    session.add_all(models.Finding(cycle_id=cycle_id, theme=t, category=c, position=p, headline=h, text=x,
                                   public_text=px, evidence={}, run_id=RUN) for t, c, p, h, x, px in findings)
    chart_dir.mkdir(parents=True, exist_ok=True)
    charts = [("all_monthly", "overview", True, "Monthly police recorded crime and ASB, Cambridge"),
              ("violence_monthly", "violence", True, "Monthly violence and sexual offences, Cambridge"),
              ("robbery_lsoa", "violence", False, "Robbery by LSOA (restricted)"),
              ("asb_monthly", "asb", True, "Monthly anti-social behaviour, Cambridge")]
    for shade, (key, theme, public, caption) in enumerate(charts, start=100):
        path = chart_dir / f"{key}.png"
        digest = tiny_png(path, shade)
        session.add(models.Chart(cycle_id=cycle_id, key=key, theme=theme, path=str(path), caption=caption,
                                 source="data.police.uk, 12 months to September 2025", public=public,
                                 sha256=digest, run_id=RUN))


def _recommendations(session, cycle_id: int) -> None:
    recs = [
        ("theme", "violence", "Safeguarding young people against violence and exploitation", "retain", 0.71,
         "Retain: adopted in 2019-20 as a long-term priority and the data do not argue against it."),
        ("theme", "asb", "Listening to community needs and responding together to reduce harm", "retain", 0.55,
         "Retain: adopted in 2019-20 as a long-term priority."),
        ("theme", "acquisitive", "Acquisitive crime", "add", 0.8, "Add: not a current priority; its score reaches 0.75."),
        ("theme", "drugs", "Drug misuse", "monitor", 0.3, "Monitor: below the score needed to add it."),
        ("area", "E02003719", "Cambridge 007", "Emerging", 66.67, "Emerging: multiple issues presenting."),
        ("area", "E02003720", "Cambridge 008", "Sustaining", 57.14, "Sustaining: still above the threshold."),
        ("area", "E02003721", "Cambridge 009", "None", 39.0, "None: no rule fired."),
        ("area", "E02003799", "Cambridge 010", "Discharged", 20.0, "Discharged: now below the threshold."),
    ]
    rule = {"violence": "long_term_continuity", "asb": "long_term_continuity", "acquisitive": "high_score",
            "drugs": "below_add"}
    ranks = {"violence": (2, 1), "asb": (1, 3), "acquisitive": (3, 2), "drugs": (4, 4)}
    rows = {}
    for kind, subject, name, value, score, text in recs:
        if kind == "theme":  # the shape the priorities stage stores (tasks/prioritise/themes.py)
            reasons = {"rule": rule[subject], "priority": {"adopted": "2019-20"},
                       "volume": {"rank": ranks[subject][0]}, "harm": {"rank": ranks[subject][1]},
                       "series": [{"source_kind": "police_uk"}],
                       "supporting": [{"source_kind": "ambulance"}] if subject == "violence" else []}
        else:
            reasons = {"rules": {"multiple_issues": {"fired": value == "Emerging", "top_rate_share": 0.2,
                                                     "top_rate_categories": 2 if value == "Emerging" else 1}},
                       "inputs": {"rate_per_1000": score, "median_rate_per_1000": 57.14}}
        rows[subject] = models.Recommendation(cycle_id=cycle_id, kind=kind, subject=subject, subject_name=name,
                                              recommendation=value, score=score, reasons=reasons,
                                              reason_text=text, run_id="priorities-run-1")
    session.add_all(rows.values())
    session.flush()
    session.add(models.Decision(recommendation_id=rows["asb"].id, outcome="accepted", decided_value="retain",
                                reason="Agreed by the Board", meeting="board-2026-02",
                                decided_on=dt.date(2026, 2, 10)))


def _checks_and_quarantine(session, cycle_id: int, files: dict[str, models.InputFile]) -> None:
    police = files["police"].id
    session.add_all([
        models.ValidationResult(partnership_id="cambridge", cycle_id=cycle_id, input_file_id=police,
                                suite="police_uk", expectation="expect_column_values_to_not_be_null",
                                column="lsoa_code", severity="warning", success=False, element_count=1000,
                                unexpected_count=150, message="150 rows have no LSOA code"),
        models.ValidationResult(partnership_id="cambridge", cycle_id=cycle_id, input_file_id=police,
                                suite="police_uk", expectation="expect_column_to_exist", column="month",
                                severity="blocking", success=True, element_count=1000, unexpected_count=0,
                                message=""),
        models.ValidationResult(partnership_id="cambridge", cycle_id=cycle_id, input_file_id=police,
                                suite="police_uk", expectation="expect_column_values_to_be_in_set",
                                column="category", severity="blocking", success=True, element_count=1000,
                                unexpected_count=0, message=""),
    ])
    raw = {"Crime ID": CRIME_ID, "Longitude": LON, "Latitude": LAT, "Location": STREET}
    session.add_all(models.QuarantinedRow(input_file_id=police, row_number=n, column="month",
                                          rule="month_in_window",
                                          reason="month 2023-01 is outside the cycle window", raw=raw)
                    for n in (12, 13, 14))


def _records(session, files: dict[str, models.InputFile]) -> None:
    police = files["police"].id
    for month, n in ((dt.date(2025, 8, 1), 6), (dt.date(2025, 9, 1), 3)):
        session.add_all(models.CrimeRecord(
            input_file_id=police, partnership_id="cambridge", row_number=100 + i, month=month,
            category="Robbery", crime_id=CRIME_ID if i == 0 else f"{i:064x}", lsoa_code="E01017950",
            lsoa_name="Cambridge 007A", msoa_name="Cambridge 007", location=STREET, longitude=LON,
            latitude=LAT, outcome=None) for i in range(n))
    amb = files["ambulance"].id
    for i, month in enumerate(range(10, 22)):
        year, mon = 2024 + (month - 1) // 12, (month - 1) % 12 + 1
        session.add(models.PartnerRecord(input_file_id=amb, partnership_id="cambridge", source_kind="ambulance",
                                         row_number=i + 2, month=dt.date(year, mon, 1), period_months=1,
                                         category="Assault-related call-out", count=4 if i == 11 else 7))


def _actions(session) -> None:
    session.add_all([
        models.Action(partnership_id="cambridge", number="10/01", text="Submit a bid to the PCC.",
                      owner="Community Safety Manager", due=dt.date(2026, 3, 31), status="Open",
                      meeting="board-2025-10"),
        models.Action(partnership_id="cambridge", number="10/02", text="Circulate the Safer Streets report.",
                      owner="Partnership Support Officer", status="Closed: Agenda Item 6", meeting="board-2025-10"),
        models.Action(partnership_id="cambridge", number="10/03", text="Contact the OCG lead.",
                      owner="Community Safety Manager", status="Open", meeting="board-2025-10",
                      closed_on=dt.date(2025, 12, 1)),
    ])


def populate(url: str, chart_dir: Path) -> int:
    """Fill a migrated store with the Cambridge 2025-26 fixture; returns the cycle id."""
    config = load_partnership("cambridge")
    with session_scope(url) as session:
        cycle = ensure_cycle(session, config, "2025-26")
        files = _files(session)
        _metrics(session, cycle.id, files)
        _findings_and_charts(session, cycle.id, chart_dir)
        _recommendations(session, cycle.id)
        _checks_and_quarantine(session, cycle.id, files)
        _records(session, files)
        _actions(session)
        return cycle.id
