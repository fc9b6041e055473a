"""The partnership's year from its configuration and the calendar: which cycle a run is for, which
meetings it goes to (configured, or proposed from the calendar when configuration lacks them) and
which monitoring quarter is due.

Runs started from a schedule or the Prefect UI's Run button pass no cycle; this module chooses one from
the date, the publisher's lag and the months present on disk, so the defaults always describe work that
can be done.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from csp.config import ConfigError, Meeting, Partnership
from csp.cycle import Quarter, latest_cycle, latest_quarter, months_in_folder, parse_cycle

DEFAULT_BOARD_OFFSET = 5  # months after the period ends: September -> February, as in the seeds
DEFAULT_PLAN_GAP = 5  # months from the priorities meeting to the next board (February -> July)


def latest_data_month(config: Partnership) -> pd.Period | None:
    """The newest month among the police files on disk (None when the source is not a folder)."""
    if "police_uk" not in config.sources:
        return None
    months = months_in_folder(config.source_path("police_uk"))
    return months[-1] if months else None


def default_cycle(config: Partnership, today: dt.date | None = None) -> str:
    """The newest cycle whose period has ended, is published, and whose months are on disk."""
    return latest_cycle(today or dt.date.today(), config.assessment.period_end_month,
                        config.assessment.publication_lag_months, latest_data_month(config))


def current_cycle(config: Partnership, today: dt.date | None = None) -> str:
    """The cycle an operator means by 'this year': the default cycle (for status and papers)."""
    return default_cycle(config, today)


def default_quarter(config: Partnership, today: dt.date | None = None) -> Quarter:
    """The newest whole monitoring quarter that is published and on disk."""
    return latest_quarter(today or dt.date.today(), config.assessment.period_end_month,
                          config.assessment.publication_lag_months, latest_data_month(config))


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The nth (1-5, capped to the month) given weekday of a month: meetings keep their weekday."""
    first = dt.date(year, month, 1)
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    while day.month != month:
        day -= dt.timedelta(days=7)
    return day


def _shift(meeting: Meeting, months: int, cycle: str) -> Meeting:
    """The same meeting ``months`` later: same weekday and week of the month, same time and venue."""
    target = pd.Period(meeting.date, freq="M") + months
    nth = (meeting.date.day - 1) // 7 + 1
    date = _nth_weekday(target.year, target.month, meeting.date.weekday(), nth)
    return meeting.model_copy(update={"id": f"{meeting.kind}-{target.year}-{target.month:02d}",
                                      "date": date, "cycle": cycle, "proposed": True})


def _template_meetings(config: Partnership, cycle: str) -> list[Meeting]:
    """The nearest configured cycle's meetings moved to ``cycle`` (the partnership's own calendar)."""
    others = sorted({m.cycle for m in config.meetings if m.cycle != cycle},
                    key=lambda c: abs(int(c[:4]) - int(cycle[:4])))
    if not others:
        return []
    years = int(cycle[:4]) - int(others[0][:4])
    return [_shift(m, 12 * years, cycle) for m in config.meetings if m.cycle == others[0]]


def _default_board(config: Partnership, cycle: str) -> Meeting:
    period = parse_cycle(cycle, config.assessment.period_end_month)
    month = period.end + DEFAULT_BOARD_OFFSET
    return Meeting(id=f"board-{month.year}-{month.month:02d}", title=config.name,
                   date=_nth_weekday(month.year, month.month, 1, 2), cycle=cycle, kind="board",
                   proposed=True)


def proposed_meetings(config: Partnership, cycle: str) -> list[Meeting]:
    """Meetings of the cycle the calendar implies and configuration lacks (marked ``proposed``).

    Without meetings for the cycle, the nearest configured cycle's meetings are moved by whole years;
    without any, the board meets five months after the period ends. A cycle needs two board meetings:
    one for the priorities and one that receives the published plan.
    """
    configured = [m for m in config.meetings if m.cycle == cycle]
    meetings = configured or _template_meetings(config, cycle)
    boards = sorted((m for m in meetings if m.kind == "board"), key=lambda m: m.date)
    if not boards:
        boards = [_default_board(config, cycle)]
        meetings = [*meetings, boards[0]]
    if len(boards) < 2:
        meetings = [*meetings, _shift(boards[0], DEFAULT_PLAN_GAP, cycle)]
    known = {m.id for m in configured}
    return sorted((m for m in meetings if m.id not in known), key=lambda m: m.date)


def cycle_meetings(config: Partnership, cycle: str, kind: str | None = None) -> list[Meeting]:
    """The cycle's meetings, configured and proposed, by date."""
    meetings = [m for m in config.meetings if m.cycle == cycle] + proposed_meetings(config, cycle)
    return sorted((m for m in meetings if kind is None or m.kind == kind), key=lambda m: m.date)


def board_meeting(config: Partnership, cycle: str) -> Meeting:
    """The board meeting that receives the assessment and decides the priorities (the cycle's first)."""
    boards = cycle_meetings(config, cycle, "board")
    if not boards:  # proposed_meetings always proposes one; this guards a future change
        raise ConfigError(f"{config.config_file}: key 'meetings': no board meeting for cycle {cycle}")
    return boards[0]


def plan_meeting(config: Partnership, cycle: str) -> Meeting:
    """The board meeting after the priorities meeting, which receives the published plan."""
    return cycle_meetings(config, cycle, "board")[1]


def scrutiny_due(config: Partnership, cycle: str) -> dt.date:
    """When the Scrutiny report is due: the configured month after the cycle's last board meeting."""
    last = cycle_meetings(config, cycle, "board")[-1].date
    year = last.year if config.scrutiny.month > last.month else last.year + 1
    return dt.date(year, config.scrutiny.month, 1)
