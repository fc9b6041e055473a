"""Agenda items from YAML: numbering, start and end times from the meeting's start, groupings, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from csp.config import load_partnership
from tasks.papers.agenda import AgendaError, build_agenda
from tasks.papers.common import neighbour_meetings
from tasks.papers.schemas import conformance_errors

VALUES = {"cycle": "2025-26", "priorities_year": "2026-27", "previous_meeting": "2 December 2025",
          "next_meeting": "7 July 2026", "short_name": "Cambridge CSP"}


def _meeting(start: str = "09:30"):
    config = load_partnership("cambridge")
    meeting = config.meeting("board-2026-02").model_copy(update={"start_time": start})
    return config, meeting


def _write(folder: Path, text: str, name: str = "cambridge.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_times_are_worked_out_from_the_start_and_priorities_expand(tmp_path):
    folder = _write(tmp_path, """
board:
  items:
    - {title: Welcome, lead: Chair, minutes: 5}
    - {title: "Minutes of {previous_meeting}", lead: Board, minutes: 10}
    - group: Looking back
    - {title: "Priority: {priority}", lead: "{lead_officer}", minutes: 15, each: priority}
    - {title: "Strategic Assessment {cycle}", lead: Research, minutes: 20, papers: [strategic_assessment]}
""")
    config, meeting = _meeting("09:30")
    agenda = build_agenda(config, meeting, VALUES, folder)
    rows = [(r.number, r.title or r.group, r.start, r.end, r.is_group) for r in agenda.rows]
    assert rows == [
        ("1", "Welcome", "09:30", "09:35", False),
        ("2", "Minutes of 2 December 2025", "09:35", "09:45", False),
        ("", "Looking back", "", "", True),
        ("3.1", "Priority: Safeguarding young people against violence and exploitation", "09:45", "10:00", False),
        ("3.2", "Priority: Listening to community needs and responding together to reduce harm", "10:00",
         "10:15", False),
        ("4", "Strategic Assessment 2025-26", "10:15", "10:35", False),
    ]
    assert agenda.rows[3].lead == "Paul Rogerson (Constabulary)"  # the configured lead officer, by name
    assert (agenda.end, agenda.total_minutes) == ("10:35", 65)
    assert agenda.rows[-1].papers == ("strategic_assessment",)


def test_a_meeting_file_wins_over_the_partnership_and_default_files(tmp_path):
    _write(tmp_path, "board:\n  items:\n    - {title: From partnership file, minutes: 5}\n")
    _write(tmp_path / "cambridge", "items:\n  - {title: Special meeting only, minutes: 30}\n",
           "board-2026-02.yaml")
    config, meeting = _meeting()
    agenda = build_agenda(config, meeting, VALUES, tmp_path)
    assert [r.title for r in agenda.rows] == ["Special meeting only"]
    assert agenda.file.endswith("cambridge/board-2026-02.yaml")


def test_the_shipped_default_agenda_serves_every_configured_partnership():
    from csp.config import load_all

    for config in load_all():
        for meeting in config.meetings:
            agenda = build_agenda(config, meeting, VALUES)
            assert agenda.total_minutes > 0, (config.id, meeting.id)


@pytest.mark.parametrize(("item", "message"), [
    ("{title: 'Minutes of {last_meeting}', minutes: 5}", "cannot fill 'Minutes of {last_meeting}'"),
    ("{title: Budget, minutes: 5, papers: [budget]}", "unknown paper(s) ['budget']"),
    ("{lead: Chair, minutes: 5}", "an item needs a 'title'"),
    ("{title: Long, minutes: -5}", "items.0.minutes"),
])
def test_bad_items_are_named_with_file_and_position(tmp_path, item, message):
    _write(tmp_path, f"board:\n  items:\n    - {item}\n")
    config, meeting = _meeting()
    with pytest.raises(AgendaError) as error:
        build_agenda(config, meeting, VALUES, tmp_path)
    assert str(tmp_path / "cambridge.yaml") in str(error.value)
    assert message in str(error.value)


def test_previous_and_next_meetings_come_from_configuration():
    config = load_partnership("cambridge")
    before, after = neighbour_meetings(config, config.meeting("board-2026-02"))
    assert before.id == "development-2025-12"  # no earlier board meeting is configured
    assert after.id == "board-2026-07"


def test_conformance_names_missing_and_extra_keys():
    schema = {"a": None, "rows": [{"x": None}]}
    assert conformance_errors({"a": 1, "rows": [{"x": 1}]}, schema) == []
    assert conformance_errors({"rows": [{"y": 1}], "b": 2}, schema) == [
        "a: missing", "b: not in the schema", "rows[0].x: missing", "rows[0].y: not in the schema"]


def test_the_default_board_is_the_seeds_february_business_and_elections_come_only_in_february():
    config = load_partnership("cambridge")
    february = build_agenda(config, config.meeting("board-2026-02"), VALUES)
    titles = [r.title for r in february.rows if not r.is_group]
    for expected in ("Election of Chair and Vice Chair", "Community Safety Fund: End of Year Financial Report",
                     "Countywide Community Safety Strategic Board", "Domestic Abuse and Sexual Violence",
                     "Minutes of the 2 December 2025 meeting", "Action points: Review"):
        assert any(t.startswith(expected) for t in titles), expected
    action_points = next(r for r in february.rows if r.title == "Action points: Review")
    assert action_points.papers == ("action_log",)
    decisions = {r.title for r in february.rows if r.decision}
    assert "CSP priorities 2026-27: Agreement" in decisions
    assert any(t.startswith("Election of Chair") for t in decisions)
    assert "Any other business" not in decisions
    july = build_agenda(config, config.meeting("board-2026-07"), VALUES)
    assert not any(r.title.startswith("Election") for r in july.rows)  # due at the February board only
