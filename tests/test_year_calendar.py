"""The year's calendar from configuration: default cycle, proposed meetings, monitoring quarters."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from csp.config import load_partnership
from csp.cycle import latest_cycle, latest_quarter, monitoring_quarter, months_in_folder, published_through
from csp.year import board_meeting, cycle_meetings, default_cycle, default_quarter, plan_meeting, scrutiny_due


@pytest.mark.parametrize(("today", "lag", "data", "expected"), [
    (dt.date(2026, 12, 1), 2, None, "2026-27"),        # September 2026 published by December
    (dt.date(2026, 10, 15), 2, None, "2025-26"),       # September 2026 not yet published in October
    (dt.date(2026, 12, 1), 2, pd.Period("2025-12", "M"), "2025-26"),  # ... and not on disk either
    (dt.date(2025, 10, 1), 0, None, "2025-26"),        # no lag: the period ended in September
    (dt.date(2025, 9, 30), 0, None, "2024-25"),        # ... but never the month in progress
])
def test_latest_cycle_needs_the_period_ended_published_and_present(today, lag, data, expected):
    assert latest_cycle(today, 9, lag, data) == expected


def test_published_through_excludes_the_month_in_progress_and_the_lag():
    assert published_through(dt.date(2026, 12, 1), 2) == pd.Period("2026-10", "M")
    assert published_through(dt.date(2026, 12, 31), 0) == pd.Period("2026-11", "M")


def test_default_cycle_follows_the_bundled_data(csp_env):
    config = load_partnership("cambridge")
    months = months_in_folder(config.source_path("police_uk"))
    assert months[-1] == pd.Period("2025-12", "M")  # the bundled files end in December 2025
    assert default_cycle(config, dt.date(2026, 12, 1)) == "2025-26"


def test_q1_of_2026_27_is_october_to_december_2025(csp_env):
    quarter = monitoring_quarter("2026-27", 1, 9)
    assert [str(m) for m in quarter.months] == ["2025-10", "2025-11", "2025-12"]
    assert latest_quarter(dt.date(2026, 3, 1), 9, 2) == quarter
    assert latest_quarter(dt.date(2026, 2, 27), 9, 2) == quarter  # December's data is out in February
    assert latest_quarter(dt.date(2026, 1, 31), 9, 2).number == 4  # ... not yet in January
    assert default_quarter(load_partnership("cambridge"), dt.date(2026, 12, 1)) == quarter


def test_a_missing_meeting_is_proposed_from_the_calendar(csp_env):
    config = load_partnership("cambridge")
    assert board_meeting(config, "2025-26").id == "board-2026-02"  # configured
    assert plan_meeting(config, "2025-26").id == "board-2026-07"
    proposed = board_meeting(config, "2026-27")  # not configured: last year's, a year on
    assert proposed.proposed and proposed.id == "board-2027-02"
    assert proposed.date.weekday() == config.meeting("board-2026-02").date.weekday()
    assert config.meeting("board-2027-02") == proposed  # the papers stage can find it by id
    assert [m.kind for m in cycle_meetings(config, "2026-27")] == ["development", "board", "board"]
    assert scrutiny_due(config, "2025-26") == dt.date(2026, 9, 1)  # after the July board


def test_a_partnership_without_meetings_gets_a_board_five_months_after_its_period(csp_env):
    config = load_partnership("cambridge").model_copy(update={"meetings": []})
    board = board_meeting(config, "2025-26")
    assert board.proposed and board.date.year == 2026 and board.date.month == 2
    assert plan_meeting(config, "2025-26").date.month == 7
