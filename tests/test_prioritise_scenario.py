"""Three cycles of South Cambs priority areas, with board decisions in between (SQLite and PostgreSQL).

Metric rows are inserted directly, as the assessment writes them. Areas are real South Cambridgeshire
MSOAs; 003 (Northstowe) and 020 (Cambourne) are the configured growth areas. The builders here are
imported by the other test_prioritise_* modules.

Per cycle, each area's (rate per 1,000, in top 20% by total rate, top-20% categories, change, trend):
the median rate decides "low base"; the expected classes are worked out by hand in EXPECTED.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from sqlalchemy import select

from csp import metrics as m
from csp.config import Partnership, load_partnership
from csp.settings import PROJECT_ROOT
from csp.store import models
from csp.store.db import ensure_cycle, session_scope
from tasks.prioritise.decisions import DecisionInput, record_decision
from tasks.prioritise.store import earlier_adoptions, save_recommendations
from tasks.prioritise.tasks import draft_areas, draft_themes
from tasks.prioritise.themes import ThemeScoring

CONFIG_DIR = PROJECT_ROOT / "data" / "partnerships"
PID = "south-cambridgeshire"
CYCLES = ("2023-24", "2024-25", "2025-26")
MEETINGS = {"2023-24": ("board-2024-02", "2024-02-13"), "2024-25": ("board-2025-02", "2025-02-11"),
            "2025-26": ("board-2026-02", "2026-02-10")}

NAMES = {
    "E02003775": "South Cambridgeshire 001",  # A: Emerging -> Sustaining -> Discharged
    "E02003776": "South Cambridgeshire 002",  # B: predicted vulnerability, then Discharged
    "E02003777": "South Cambridgeshire 003",  # growth area (Northstowe)
    "E02003778": "South Cambridgeshire 004",  # C: escalating above the median
    "E02003779": "South Cambridgeshire 005",  # D: None, board changed it to Emerging
    "E02003780": "South Cambridgeshire 006",  # E: Emerging, board rejected it
    "E02003781": "South Cambridgeshire 007",  # F: quiet
    "E02003783": "South Cambridgeshire 009",  # G: rising trend; Discharged rejected, then Discharged
    "E02006873": "South Cambridgeshire 020",  # growth area (Cambourne)
}
INC, SAME = "significant increase", "no significant change"

# code: (rate, top_by_total, top_categories, change label, change %, p, trend label)
AREAS = {
    "2023-24": {
        "E02003775": (80.0, True, 4, SAME, 3.0, 0.60, "stable"),
        "E02003776": (10.0, False, 0, INC, 60.0, 0.004, "stable"),
        "E02003777": (20.0, False, 0, SAME, 1.0, 0.90, "stable"),
        "E02003778": (60.0, True, 2, INC, 25.0, 0.010, "stable"),
        "E02003779": (50.0, False, 2, SAME, -2.0, 0.70, "stable"),
        "E02003780": (70.0, True, 3, SAME, 0.0, 1.00, "stable"),
        "E02003781": (15.0, False, 0, SAME, 5.0, 0.60, "stable"),
        "E02003783": (40.0, False, 1, SAME, 8.0, 0.20, "rising"),
        "E02006873": (30.0, False, 1, SAME, 4.0, 0.50, "stable"),
    },  # median 40: G (40) is not below it, so its rising trend makes it Emerging
    "2024-25": {
        "E02003775": (65.0, True, 2, SAME, -19.0, 0.08, "stable"),
        "E02003776": (12.0, False, 0, SAME, 20.0, 0.40, "stable"),
        "E02003777": (22.0, False, 0, SAME, 10.0, 0.50, "stable"),
        "E02003778": (62.0, True, 3, INC, 30.0, 0.002, "stable"),
        "E02003779": (55.0, True, 1, SAME, 10.0, 0.30, "stable"),
        "E02003780": (68.0, True, 2, SAME, -3.0, 0.80, "stable"),
        "E02003781": (14.0, False, 0, SAME, -7.0, 0.70, "stable"),
        "E02003783": (35.0, False, 0, SAME, -12.0, 0.30, "stable"),
        "E02006873": (31.0, False, 1, SAME, 3.0, 0.70, "stable"),
    },
    "2025-26": {
        "E02003775": (30.0, False, 1, SAME, -54.0, 0.06, "stable"),
        "E02003776": (11.0, False, 0, SAME, -8.0, 0.70, "stable"),
        "E02003777": (25.0, False, 1, SAME, 14.0, 0.30, "stable"),
        "E02003778": (58.0, True, 2, SAME, -6.0, 0.50, "stable"),
        "E02003779": (52.0, True, 1, SAME, -5.0, 0.60, "stable"),
        "E02003780": (66.0, True, 2, SAME, -3.0, 0.80, "stable"),
        "E02003781": (13.0, False, 0, SAME, -7.0, 0.70, "stable"),
        "E02003783": (33.0, False, 0, SAME, -6.0, 0.60, "stable"),
        "E02006873": (29.0, False, 0, SAME, -6.0, 0.60, "stable"),
    },
}

EXPECTED = {
    "2023-24": {"E02003775": "Emerging", "E02003776": "Preventing", "E02003777": "Preventing",
                "E02003778": "Emerging", "E02003779": "None", "E02003780": "Emerging",
                "E02003781": "None", "E02003783": "Emerging", "E02006873": "Preventing"},
    "2024-25": {"E02003775": "Sustaining", "E02003776": "Discharged", "E02003777": "Preventing",
                "E02003778": "Emerging", "E02003779": "Sustaining", "E02003780": "None",
                "E02003781": "None", "E02003783": "Discharged", "E02006873": "Preventing"},
    "2025-26": {"E02003775": "Discharged", "E02003776": "None", "E02003777": "Preventing",
                "E02003778": "Sustaining", "E02003779": "Sustaining", "E02003780": "None",
                "E02003781": "None", "E02003783": "Discharged", "E02006873": "Preventing"},
}

# The board's decisions after each cycle (subject, outcome, value, reason); unlisted: none recorded.
DECISIONS = {
    "2023-24": [
        ("E02003775", "accepted", "", ""),
        ("E02003776", "accepted", "", ""),
        ("E02003777", "accepted", "", ""),
        ("E02003778", "accepted", "", ""),
        ("E02003779", "changed", "Emerging", "Local knowledge: rising concern about ASB near the school"),
        ("E02003780", "rejected", "", "Hotspot explained by the hospital; well understood"),
        ("E02003783", "accepted", "", ""),
    ],
    "2024-25": [
        ("E02003775", "accepted", "", ""),
        ("E02003776", "accepted", "", ""),
        ("E02003778", "accepted", "", ""),
        ("E02003779", "accepted", "", ""),
        ("E02003783", "rejected", "", "Work with the parish is unfinished; keep the focus"),
    ],
}

# Partnership counts (source, category) -> (current, previous) for the theme scoring.
POLICE_COUNTS = {
    ("police_uk", "Violence and sexual offences"): (1000, 900),
    ("police_uk", "Robbery"): (50, 50),
    ("police_uk", "Possession of weapons"): (30, 30),
    ("police_uk", "Burglary"): (300, 300),
    ("police_uk", "Vehicle crime"): (200, 200),
    ("police_uk", "Bicycle theft"): (100, 100),
    ("police_uk", "Shoplifting"): (400, 400),
    ("police_uk", "Theft from the person"): (50, 50),
    ("police_uk", "Other theft"): (350, 350),
    ("police_uk", "Anti-social behaviour"): (600, 900),
    ("police_uk", "Criminal damage and arson"): (250, 250),
    ("police_uk", "Drugs"): (100, 60),
    ("police_uk", "Public order"): (200, 200),
    ("police_uk", "Other crime"): (40, 40),
    ("idva", "All"): (120, 100),
}


def scenario_config(tmp_path: Path) -> Partnership:
    """South Cambs as shipped (growth areas included) plus one board meeting per cycle."""
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    for shared in CONFIG_DIR.glob("_*.yaml"):  # shared defaults and the force files partnerships inherit
        shutil.copy(shared, folder / shared.name)
    raw = yaml.safe_load((CONFIG_DIR / f"{PID}.yaml").read_text(encoding="utf-8"))
    ids = {meeting["id"] for meeting in raw["meetings"]}
    for cycle, (meeting_id, date) in MEETINGS.items():
        if meeting_id not in ids:
            raw["meetings"].append({"id": meeting_id, "title": "South Cambs CSP Board", "date": date,
                                    "cycle": cycle})
    # Nine areas would cap the list at one; these tests follow the class rules, so the cap is lifted
    # (the cap has its own tests in test_prioritise_rules and test_priorities_cambridgeshire).
    raw.setdefault("thresholds", {}).update({"priority_area_share": 1.0, "priority_area_max": 9})
    (folder / f"{PID}.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_partnership(PID, folder)


def metric(cycle_row: models.Cycle, name: str, value: float | None, *, label: str | None = None,
           source: str = "police_uk", category: str = "All", area_type: str = m.AREA,
           code: str | None = None, area_name: str | None = None, period: str = m.CURRENT) -> models.Metric:
    return models.Metric(partnership_id=cycle_row.partnership_id, cycle_id=cycle_row.id, metric=name,
                         source_kind=source, category=category, area_type=area_type, area_code=code,
                         area_name=area_name, period=period, value=value, label=label,
                         input_file_ids=[1], run_id="assess-test")


def area_metrics(cycle_row: models.Cycle, code: str, name: str, rate: float | None, top: bool | None,
                 cats: int | None, change: str, pct: float | None, p: float | None,
                 trend: str | None, population: float = 1000.0) -> list[models.Metric]:
    """The "All" metrics the assessment writes for one area."""
    count = None if rate is None else round(rate * population / 1000)
    rows = [
        metric(cycle_row, m.POPULATION, population, code=code, area_name=name),
        metric(cycle_row, m.COUNT, count, code=code, area_name=name),
        metric(cycle_row, m.RATE_PER_1000, rate, code=code, area_name=name),
        metric(cycle_row, m.TOP_RATE, None if top is None else float(top), code=code, area_name=name),
        metric(cycle_row, m.TOP_RATE_CATEGORIES, None if cats is None else float(cats), code=code,
               area_name=name),
        metric(cycle_row, m.CHANGE, pct, label=change, code=code, area_name=name),
        metric(cycle_row, m.CHANGE_PCT, pct, code=code, area_name=name),
        metric(cycle_row, m.CHANGE_P_VALUE, p, code=code, area_name=name),
        metric(cycle_row, m.COUNT, 999.0, code=code, area_name=name, period="2025-01"),  # ignored
    ]
    if trend:
        rows.append(metric(cycle_row, m.TREND_RATIO, 1.04 if trend == "rising" else 1.0, label=trend,
                           code=code, area_name=name))
    return rows


def partnership_metrics(cycle_row: models.Cycle, counts: dict) -> list[models.Metric]:
    rows = []
    for (source, category), (current, previous) in counts.items():
        for period, value in ((m.CURRENT, current), (m.PREVIOUS, previous)):
            rows.append(metric(cycle_row, m.COUNT, value, source=source, category=category,
                               area_type=m.PARTNERSHIP, code="E07000012", period=period))
    return rows


def load_cycle(url: str, config: Partnership, cycle: str, areas: dict | None = None,
               counts: dict | None = None) -> None:
    """Store one cycle's metrics as the assessment would."""
    with session_scope(url) as session:
        cycle_row = ensure_cycle(session, config, cycle)
        for code, facts in (AREAS[cycle] if areas is None else areas).items():
            session.add_all(area_metrics(cycle_row, code, NAMES.get(code, code), *facts))
        session.add_all(partnership_metrics(cycle_row, POLICE_COUNTS if counts is None else counts))


def run_cycle(url: str, config: Partnership, cycle: str) -> dict[str, models.Recommendation]:
    """Draft and save a cycle's recommendations without Prefect; return the area rows by code."""
    drafts = draft_areas(url, config, cycle) + draft_themes(url, config, cycle, ThemeScoring())
    save_recommendations(url, config.id, cycle, drafts, run_id="test")
    return stored(url, config, cycle, "area")


def stored(url: str, config: Partnership, cycle: str, kind: str) -> dict[str, models.Recommendation]:
    with session_scope(url) as session:
        rows = session.scalars(
            select(models.Recommendation).join(models.Cycle)
            .where(models.Cycle.name == cycle, models.Cycle.partnership_id == config.id,
                   models.Recommendation.kind == kind)
        ).all()
        return {row.subject: row for row in rows}


def decide_all(url: str, config: Partnership, cycle: str) -> None:
    meeting = MEETINGS[cycle][0]
    for subject, outcome, value, reason in DECISIONS.get(cycle, []):
        record_decision(url, config, cycle, DecisionInput(subject=subject, outcome=outcome, value=value,
                                                          reason=reason, meeting=meeting, kind="area"))


# --- tests --------------------------------------------------------------------------------------


def test_three_cycles_follow_each_area_through_the_board_decisions(db_url, tmp_path):
    config = scenario_config(tmp_path)
    for cycle in CYCLES:
        load_cycle(db_url, config, cycle)
        recs = run_cycle(db_url, config, cycle)
        assert {code: rec.recommendation for code, rec in recs.items()} == EXPECTED[cycle], cycle
        decide_all(db_url, config, cycle)


def test_the_area_that_moves_emerging_sustaining_discharged_says_why(db_url, tmp_path):
    config = scenario_config(tmp_path)
    history = {}
    for cycle in CYCLES:
        load_cycle(db_url, config, cycle)
        history[cycle] = run_cycle(db_url, config, cycle)["E02003775"]
        decide_all(db_url, config, cycle)
    first, second, third = (history[c] for c in CYCLES)
    assert first.reasons["class_rule"] == "multiple_issues"
    assert first.reasons["rules"]["multiple_issues"] == {
        "fired": True, "top_rate_categories": 4, "categories": [], "min_categories": 3,
        "top_rate_share": 0.2}
    assert first.reason_text == (
        "Emerging: highest rate of crime and ASB of the 9 MSOAs in the district (80.0 per 1,000 "
        "residents; median 40.0); in the top 20% by rate for 4 categories (multiple issues); no clear "
        "change on last year (up 3%).")
    assert second.reasons["class_rule"] == "above_threshold"
    assert second.reasons["rules"]["earlier_priority"] == {
        "fired": True, "class": "Emerging", "cycle": "2023-24", "recommended": "Emerging",
        "adopted": "Emerging", "source": "decision", "outcome": "accepted", "meeting": "board-2024-02"}
    assert second.reason_text.startswith("Sustaining: a priority area in 2023-24, still in the top 20% of "
                                         "areas by rate")
    assert "Emerging in 2023-24 (board decision: accepted, board-2024-02)" in second.reason_text
    assert third.recommendation == "Discharged"
    assert third.reasons["rules"]["above_threshold"]["fired"] is False
    assert third.reasons["rules"]["earlier_priority"]["class"] == "Sustaining"
    assert "now outside the top 20% of areas by rate and not rising: no longer needs the focus" in \
        third.reason_text
    assert "(30.0 per 1,000 residents; median 30.0)" in third.reason_text


def test_board_change_and_rejection_are_honoured_next_cycle(db_url, tmp_path):
    config = scenario_config(tmp_path)
    load_cycle(db_url, config, "2023-24")
    run_cycle(db_url, config, "2023-24")
    decide_all(db_url, config, "2023-24")
    load_cycle(db_url, config, "2024-25")
    adoptions = earlier_adoptions(db_url, PID, "2024-25", "area")
    assert adoptions["E02003779"].adopted == "Emerging"  # changed from None
    assert adoptions["E02003780"].adopted == "None"  # Emerging rejected
    assert adoptions["E02006873"].source == "recommendation"  # no decision: the recommendation stands
    recs = run_cycle(db_url, config, "2024-25")
    assert recs["E02003779"].recommendation == "Sustaining"
    assert recs["E02003779"].reasons["rules"]["earlier_priority"]["outcome"] == "changed"
    # E is still in the top 20% by rate, but the board rejected it as a priority: no class now.
    assert recs["E02003780"].recommendation == "None"
    assert recs["E02003780"].reasons["rules"]["earlier_priority"]["fired"] is False
    assert recs["E02003780"].reasons["rules"]["above_threshold"]["fired"] is True


def test_rejecting_discharged_keeps_the_area_in_its_earlier_class(db_url, tmp_path):
    config = scenario_config(tmp_path)
    for cycle in CYCLES[:2]:
        load_cycle(db_url, config, cycle)
        run_cycle(db_url, config, cycle)
        decide_all(db_url, config, cycle)
    load_cycle(db_url, config, "2025-26")
    g = earlier_adoptions(db_url, PID, "2025-26", "area")["E02003783"]
    assert (g.recommended, g.outcome, g.adopted) == ("Discharged", "rejected", "Emerging")
    recs = run_cycle(db_url, config, "2025-26")
    assert recs["E02003783"].reasons["rules"]["earlier_priority"]["class"] == "Emerging"
    assert recs["E02003783"].recommendation == "Discharged"
