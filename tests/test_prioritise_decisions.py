"""The board's decisions: one at a time, from a CSV (all-or-nothing), and kept across re-runs."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlalchemy import func, select

from csp.store import models
from csp.store.db import session_scope
from tasks.prioritise import decisions as d
from tasks.prioritise.store import recommendations_with_decisions
from tests.test_prioritise_scenario import AREAS, PID, load_cycle, run_cycle, scenario_config, stored

CYCLE = "2023-24"
MEETING = "board-2024-02"


@pytest.fixture
def ready(db_url, tmp_path):
    """One stored cycle with its recommendations, nothing decided yet."""
    config = scenario_config(tmp_path)
    load_cycle(db_url, config, CYCLE)
    run_cycle(db_url, config, CYCLE)
    return db_url, config


def decision_count(url: str) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(models.Decision))


def by_subject(url: str) -> dict:
    return {v.subject: v for v in recommendations_with_decisions(url, PID, CYCLE)}


def test_accepted_changed_and_rejected_are_recorded_with_what_they_adopt(ready):
    url, config = ready
    accepted = d.record_decision(url, config, CYCLE, d.DecisionInput(
        subject="South Cambridgeshire 001", outcome="Accepted", meeting=MEETING))  # by name, any case
    assert (accepted.subject, accepted.decided_value, accepted.decided_on) == (
        "E02003775", "Emerging", dt.date(2024, 2, 13))  # the meeting's date by default
    d.record_decision(url, config, CYCLE, d.DecisionInput(
        subject="E02003779", outcome="changed", value="emerging", reason="Local knowledge",
        meeting=MEETING, date="20/02/2024"))
    d.record_decision(url, config, CYCLE, d.DecisionInput(
        subject="E02003780", outcome="rejected", reason="Explained by the hospital", meeting=MEETING))
    d.record_decision(url, config, CYCLE, d.DecisionInput(
        subject="violence", kind="theme", outcome="changed",
        value="Safeguarding young people against violence and exploitation", reason="Wording",
        meeting=MEETING))
    views = by_subject(url)
    assert (views["E02003775"].outcome, views["E02003775"].adopted) == ("accepted", "Emerging")
    assert (views["E02003779"].decided_value, views["E02003779"].adopted) == ("Emerging", "Emerging")
    assert views["E02003779"].decided_on == "2024-02-20"
    assert (views["E02003780"].decided_value, views["E02003780"].adopted) == ("None", "None")
    assert views["E02003780"].decision_reason == "Explained by the hospital"
    # New wording keeps the recommendation it was decided on.
    assert views["violence"].adopted == views["violence"].recommendation
    assert views["violence"].decided_value.startswith("Safeguarding young people")


def test_deciding_again_replaces_the_decision(ready):
    url, config = ready
    first = d.DecisionInput(subject="E02003781", outcome="accepted", meeting=MEETING)
    d.record_decision(url, config, CYCLE, first)
    again = d.record_decision(url, config, CYCLE, d.DecisionInput(
        subject="E02003781", outcome="changed", value="Preventing", reason="New estate", meeting=MEETING))
    assert again.replaced is True
    assert decision_count(url) == 1
    assert by_subject(url)["E02003781"].adopted == "Preventing"


@pytest.mark.parametrize(("given", "expected"), [
    ({"outcome": "approved"}, "outcome: 'approved' is not one of accepted, changed, rejected"),
    ({"outcome": "changed", "reason": "x"}, "value: the new value is required"),
    ({"outcome": "changed", "value": "Urgent", "reason": "x"}, "value: 'Urgent' is not an area class"),
    ({"outcome": "changed", "value": "Emerging", "reason": "x"}, "is the recommendation itself"),
    ({"outcome": "changed", "value": "Sustaining"}, "reason: a reason is required"),
    ({"outcome": "rejected", "value": "None", "reason": "x"}, "value: leave value empty"),
    ({"outcome": "accepted", "value": "Sustaining"}, "differs from the recommendation 'Emerging'"),
    ({"outcome": "accepted", "meeting": "board-1999-01"}, "key 'meetings': no meeting 'board-1999-01'"),
    ({"outcome": "accepted", "meeting": ""}, "meeting: the meeting is required"),
    ({"outcome": "accepted", "date": "13 Feb"}, "date: '13 Feb' is not a date"),
    ({"outcome": "accepted", "subject": "Nowhere"}, "subject 'Nowhere': no recommendation"),
])
def test_bad_decisions_are_refused_with_the_field_named(ready, given, expected):
    url, config = ready
    fields = {"subject": "E02003775", "meeting": MEETING} | given
    with pytest.raises(d.DecisionError) as error:
        d.record_decision(url, config, CYCLE, d.DecisionInput(**fields))
    assert expected in str(error.value)
    assert decision_count(url) == 0


def test_export_writes_one_row_per_recommendation(ready, tmp_path):
    url, config = ready
    d.record_decision(url, config, CYCLE, d.DecisionInput(
        subject="E02003780", outcome="rejected", reason="Explained", meeting=MEETING))
    path = tmp_path / "decisions.csv"
    count = d.export_template(url, config, CYCLE, path)
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert count == len(rows) == len(by_subject(url))
    assert list(rows[0]) == list(d.TEMPLATE_COLUMNS)
    assert {r["subject"] for r in rows if r["kind"] == "area"} == set(AREAS[CYCLE])
    rejected = next(r for r in rows if r["subject"] == "E02003780")
    assert (rejected["outcome"], rejected["reason"], rejected["meeting"]) == ("rejected", "Explained", MEETING)
    assert rejected["recommendation"] == "Emerging"
    assert rejected["reason_text"].startswith("Emerging: ") and "(multiple issues)" in rejected["reason_text"]


def _fill(path, decisions: dict[str, dict[str, str]]) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    for row in rows:
        row.update(decisions.get(row["subject"], {}))
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_filled_in_template_is_imported(ready, tmp_path):
    url, config = ready
    path = tmp_path / "decisions.csv"
    d.export_template(url, config, CYCLE, path)
    _fill(path, {
        "E02003775": {"outcome": "accepted", "meeting": MEETING},
        "E02003779": {"outcome": "changed", "value": "Sustaining", "reason": "Work under way",
                      "meeting": MEETING, "date": "2024-02-13"},
        "violence": {"outcome": "rejected", "reason": "Covered by the county group", "meeting": MEETING},
    })
    summary = d.import_decisions(url, config, CYCLE, path)
    assert len(summary.recorded) == 3
    assert len(summary.undecided_rows) == len(by_subject(url)) - 3
    assert "3 decision(s) recorded" in summary.message()
    views = by_subject(url)
    assert views["E02003779"].adopted == "Sustaining"
    assert views["violence"].recommendation == "add"
    assert views["violence"].adopted == "monitor"  # a rejected 'add' leaves the theme unprioritised


def test_bad_rows_are_all_reported_and_nothing_is_recorded(ready, tmp_path):
    url, config = ready
    path = tmp_path / "decisions.csv"
    d.export_template(url, config, CYCLE, path)
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    line = {r["subject"]: n for n, r in enumerate(rows, start=2)}
    _fill(path, {
        "E02003775": {"outcome": "accepted", "meeting": MEETING},  # good, but must not be recorded
        "E02003776": {"outcome": "acepted", "meeting": MEETING},
        "E02003777": {"outcome": "accepted", "meeting": "board-2030-01"},
        "E02003778": {"outcome": "changed", "value": "Critical", "reason": "x", "meeting": MEETING},
        "E02003779": {"outcome": "", "reason": "forgot the outcome"},
        "E02003780": {"outcome": "rejected", "meeting": MEETING, "date": "31/02/2024"},
        "E02003781": {"outcome": "accepted", "meeting": MEETING, "recommendation": "Emerging"},
    })
    with pytest.raises(d.DecisionImportError) as error:
        d.import_decisions(url, config, CYCLE, path)
    problems = error.value.problems
    assert f"row {line['E02003776']} column 'outcome': 'acepted' is not one of accepted, changed, rejected" \
        in problems
    assert any(p.startswith(f"row {line['E02003777']} column 'meeting':") and "board-2030-01" in p
               for p in problems)
    assert any(p.startswith(f"row {line['E02003778']} column 'value': 'Critical' is not an area class")
               for p in problems)
    assert any(p.startswith(f"row {line['E02003779']} column 'outcome': empty, but reason filled in")
               for p in problems)
    assert f"row {line['E02003780']} column 'reason': a reason is required when the outcome is rejected" \
        in problems
    assert any(p.startswith(f"row {line['E02003780']} column 'date': '31/02/2024' is not a date")
               for p in problems)
    assert any(p.startswith(f"row {line['E02003781']} column 'recommendation': the sheet says 'Emerging'")
               for p in problems)
    assert len(problems) == 7
    assert str(path) in str(error.value) and "nothing recorded" in str(error.value)
    assert decision_count(url) == 0


def test_duplicate_subjects_and_missing_columns_are_refused(ready, tmp_path):
    url, config = ready
    path = tmp_path / "dupes.csv"
    path.write_text("Kind,Subject,Outcome,Value,Reason,Meeting,Date\n"  # headers in any case
                    f"area,E02003775,accepted,,,{MEETING},\n"
                    f"area,South Cambridgeshire 001,accepted,,,{MEETING},\n", encoding="utf-8")
    with pytest.raises(d.DecisionImportError, match=r"row 3 column 'subject': 'E02003775' is also decided "
                                                    r"in row 2"):
        d.import_decisions(url, config, CYCLE, path)
    path.write_text("subject,outcome\nE02003775,accepted\n", encoding="utf-8")
    with pytest.raises(d.DecisionImportError, match=r"row 1: missing column\(s\) kind, value, reason, "
                                                    r"meeting, date"):
        d.import_decisions(url, config, CYCLE, path)
    with pytest.raises(d.DecisionError, match="no such file"):
        d.import_decisions(url, config, CYCLE, tmp_path / "absent.csv")
    assert decision_count(url) == 0


def test_an_import_that_fails_while_writing_leaves_no_decision(ready, tmp_path, monkeypatch):
    url, config = ready
    path = tmp_path / "decisions.csv"
    d.export_template(url, config, CYCLE, path)
    _fill(path, {s: {"outcome": "accepted", "meeting": MEETING} for s in ("E02003775", "E02003776")})
    original, calls = d._write, []

    def failing_write(session, rec, checked):
        calls.append(rec.subject)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return original(session, rec, checked)

    monkeypatch.setattr(d, "_write", failing_write)
    with pytest.raises(RuntimeError):
        d.import_decisions(url, config, CYCLE, path)
    assert len(calls) == 2  # the first row was written inside the transaction, then rolled back
    assert decision_count(url) == 0


def test_rerunning_keeps_decisions_attached(ready):
    url, config = ready
    d.record_decision(url, config, CYCLE, d.DecisionInput(subject="E02003775", outcome="accepted",
                                                          meeting=MEETING))
    before = stored(url, config, CYCLE, "area")["E02003775"].id
    run_cycle(url, config, CYCLE)
    views = by_subject(url)
    assert views["E02003775"].id == before
    assert views["E02003775"].outcome == "accepted"
    assert "decided_on" not in views["E02003775"].reasons


def test_rerun_on_new_data_flags_a_decision_taken_on_another_recommendation(db_url, tmp_path):
    config = scenario_config(tmp_path)
    load_cycle(db_url, config, CYCLE)
    run_cycle(db_url, config, CYCLE)
    d.record_decision(db_url, config, CYCLE, d.DecisionInput(subject="E02003775", outcome="accepted",
                                                             meeting=MEETING))
    d.record_decision(db_url, config, CYCLE, d.DecisionInput(subject="E02003783", outcome="accepted",
                                                             meeting=MEETING))
    # Corrected data: area 001 no longer presents multiple issues and area 009 disappears.
    with session_scope(db_url) as session:
        session.query(models.Metric).delete()
    areas = {code: facts for code, facts in AREAS[CYCLE].items() if code != "E02003783"}
    areas["E02003775"] = (80.0, True, 1) + AREAS[CYCLE]["E02003775"][3:]
    load_cycle(db_url, config, CYCLE, areas=areas)
    run_cycle(db_url, config, CYCLE)
    views = by_subject(db_url)
    assert views["E02003775"].recommendation == "None"
    assert views["E02003775"].reasons["decided_on"] == "Emerging"
    assert views["E02003775"].adopted == "Emerging"  # what the board accepted still stands
    assert views["E02003783"].reasons["stale"] is True  # decided, so kept although no longer drafted
    assert views["E02003783"].outcome == "accepted"
    assert "E02003781" in views  # undecided rows are simply replaced
