"""Agenda items come from YAML in ``data/agendas/``, never from code: the secretary owns them.

Lookup, first found wins: ``<partnership>/<meeting id>.yaml``, ``<partnership>.yaml``, ``_default.yaml``;
inside a file the items are under the meeting's kind (``board``, ``development``, ``tcg``...). Titles and
leads may use ``{cycle}``, ``{priorities_year}``, ``{previous_meeting}``, ``{next_meeting}``,
``{short_name}``; an item with ``each: priority`` is repeated for every configured priority with
``{priority}`` and ``{lead_officer}``. Start and end times are worked out from the meeting's start time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from csp.config import PAPER_KINDS, Meeting, Partnership
from csp.settings import get_settings

DEFAULT_FILE = "_default.yaml"


class AgendaError(ValueError):
    """An agenda file that cannot be used; the message names the file, the item and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Strict):
    title: str | None = None
    group: str | None = None
    lead: str = ""
    minutes: int = Field(default=0, ge=0, le=600)
    papers: list[str] = []
    each: Literal["priority"] | None = None
    months: list[int] = Field(default=[], description="only at meetings held in these months (1-12), "
                              "e.g. the election of Chair and Vice Chair at the February board")
    decision: bool | None = None  # the board decides (default: a title ending in ': Agreement')


class Person(_Strict):
    name: str
    organisation: str = ""
    role: str = ""


class Attendance(_Strict):
    guests: list[Person] = []
    apologies: list[Person] = []


class MeetingAgenda(_Strict):
    items: list[Item]
    attendance: Attendance = Attendance()


@dataclass(frozen=True)
class AgendaRow:
    is_group: bool
    group: str
    number: str
    title: str
    lead: str
    minutes: int
    start: str
    end: str
    papers: tuple[str, ...]
    decision: bool = False


@dataclass(frozen=True)
class Agenda:
    file: str
    rows: tuple[AgendaRow, ...]
    attendance: Attendance
    start: str
    end: str
    total_minutes: int


def agenda_file(config: Partnership, meeting: Meeting, folder: Path | None = None) -> tuple[Path, dict]:
    """The first agenda file with items for this meeting's kind, and its items mapping."""
    folder = folder or get_settings().data_dir / "agendas"
    candidates = [folder / config.id / f"{meeting.id}.yaml", folder / f"{config.id}.yaml",
                  folder / DEFAULT_FILE]
    for path in candidates:
        if not path.exists():
            continue
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise AgendaError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(content, dict):
            raise AgendaError(f"{path}: expected a mapping of meeting kinds at the top level")
        if path.parent.name == config.id:  # a meeting's own file holds the items directly
            return path, content
        if meeting.kind in content:
            return path, content[meeting.kind]
    raise AgendaError(f"no agenda for a {meeting.kind!r} meeting: looked in " + ", ".join(map(str, candidates)))


def _parse(path: Path, content: Any) -> MeetingAgenda:
    try:
        return MeetingAgenda.model_validate(content)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            problems.append(f"{path}: {where}: {error['msg']}")
        raise AgendaError("\n".join(problems)) from None


def _fill(text: str, values: dict[str, str], path: Path, index: int) -> str:
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        known = ", ".join("{" + k + "}" for k in sorted(values))
        raise AgendaError(f"{path}: items.{index}: cannot fill {text!r} ({exc}); known fields: {known}") from None


def _clock(start: str, minutes: int) -> str:
    base = dt.datetime.combine(dt.date(2000, 1, 1), dt.time.fromisoformat(start))
    return (base + dt.timedelta(minutes=minutes)).strftime("%H:%M")


def build_agenda(config: Partnership, meeting: Meeting, values: dict[str, str],
                 folder: Path | None = None) -> Agenda:
    """Numbered rows with start and end times; group rows ('Looking back') carry no number or time."""
    path, content = agenda_file(config, meeting, folder)
    agenda = _parse(path, content)
    rows: list[AgendaRow] = []
    elapsed, number = 0, 0
    for index, item in enumerate(agenda.items):
        if item.group is not None:
            rows.append(AgendaRow(True, _fill(item.group, values, path, index), "", "", "", 0, "", "", ()))
            continue
        if item.title is None:
            raise AgendaError(f"{path}: items.{index}: an item needs a 'title' (or a 'group' heading)")
        if item.months and meeting.date.month not in item.months:
            continue  # not due at this meeting (e.g. elections are held at the February board)
        number += 1
        expansions = [{}] if item.each is None else [
            {"priority": p.title, "lead_officer": p.lead_officer or "Lead officer"} for p in config.priorities
        ]
        unknown = sorted(set(item.papers) - set(PAPER_KINDS))
        if unknown:
            raise AgendaError(f"{path}: items.{index}.papers: unknown paper(s) {unknown}; "
                              f"expected some of {list(PAPER_KINDS)}")
        if not expansions:  # 'each: priority' and no configured priority: the item has nothing to say
            number -= 1
            continue
        for sub, extra in enumerate(expansions, start=1):
            label = str(number) if len(expansions) == 1 else f"{number}.{sub}"
            merged = {**values, **extra}
            start = _clock(meeting.start_time, elapsed)
            elapsed += item.minutes
            title = _fill(item.title, merged, path, index)
            decision = item.decision if item.decision is not None else title.rstrip().endswith(": Agreement")
            rows.append(AgendaRow(False, "", label, title, _fill(item.lead, merged, path, index), item.minutes,
                                  start, _clock(meeting.start_time, elapsed), tuple(item.papers), decision))
    return Agenda(str(path), tuple(rows), agenda.attendance, meeting.start_time,
                  _clock(meeting.start_time, elapsed), elapsed)
