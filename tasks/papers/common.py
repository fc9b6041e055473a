"""What every paper's context shares: the setting it is built in, common keys, dates and images.

A context is plain data (strings, numbers, lists, dicts, and :class:`ImageRef` for charts) so that
Prefect can hash and persist it; ``render.py`` turns ImageRefs into docxtpl images. Numbers are already
formatted for the version (public or restricted) by :class:`tasks.papers.numbers.Numbers`. Wording
belongs to the templates: contexts carry values and short labels, never sentences of our own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csp.config import Meeting, Partnership
from csp.cycle import CyclePeriod
from csp.settings import PROJECT_ROOT, get_settings
from tasks.papers.numbers import MARKINGS, PUBLIC, Numbers


@dataclass(frozen=True)
class ImageRef:
    """A chart to place in a paper: its PNG file, checksum (for the cache key) and printed width."""

    path: str
    sha256: str
    width_mm: float = 160.0


@dataclass(frozen=True)
class Built:
    """A paper's context and what it was drawn from (for the pack manifest)."""

    context: dict[str, Any]
    input_file_ids: tuple[int, ...] = ()
    source_runs: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Setting:
    """Everything a builder needs besides the store: configuration, cycle, meeting, version, pack."""

    config: Partnership
    period: CyclePeriod
    meeting: Meeting
    version: str
    pack: dict[str, int]  # paper kind -> number in this pack

    @property
    def public(self) -> bool:
        return self.version == PUBLIC

    @property
    def numbers(self) -> Numbers:
        return Numbers(public=self.public, minimum=self.config.thresholds.suppression_min)


def long_date(value: dt.date) -> str:
    """'10 February 2026', as the seeds write dates."""
    return f"{value.day} {value:%B %Y}"


def month_label(value: dt.date | str) -> str:
    """'Sep 2025' from a date or 'YYYY-MM'."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(f"{value[:7]}-01")
    return f"{value:%b %Y}"


def plan_period(meeting: Meeting) -> str:
    """'February 2026 – February 2027': a plan runs from the meeting that agrees it for a year."""
    return f"{meeting.date:%B %Y} – {meeting.date.replace(year=meeting.date.year + 1):%B %Y}"


def other_meeting(meeting: Meeting | None) -> dict[str, Any]:
    if meeting is None:
        return {"title": "", "date": "", "known": False}
    return {"title": meeting.title, "date": long_date(meeting.date), "known": True}


def neighbour_meetings(config: Partnership, meeting: Meeting) -> tuple[Meeting | None, Meeting | None]:
    """The partnership's previous and next meetings of the same kind (any kind if none)."""
    def pick(candidates: list[Meeting], latest: bool) -> Meeting | None:
        same = [m for m in candidates if m.kind == meeting.kind] or candidates
        return (max if latest else min)(same, key=lambda m: m.date) if same else None

    before = [m for m in config.meetings if m.date < meeting.date]
    after = [m for m in config.meetings if m.date > meeting.date]
    return pick(before, True), pick(after, False)


def common(setting: Setting) -> dict[str, Any]:
    """The keys every template receives (see schemas.COMMON)."""
    config, period, meeting = setting.config, setting.period, setting.meeting
    thresholds = config.thresholds
    return {
        "partnership_name": config.name,
        "short_name": config.short_name,
        "area_name": config.local_authority.name,
        "area_label": config.area_unit.label,
        "census_year": str(config.geography.vintage),
        "marking": MARKINGS[setting.version],
        "version": setting.version,
        "is_public": setting.public,
        "cycle": period.name,
        "period": period.label,
        "period_ending": period.ending_label,
        "previous_period_ending": f"12 months to {period.previous_end.strftime('%B %Y')}",
        "period_short": f"{period.start.strftime('%b %Y')} – {period.end.strftime('%b %Y')}",
        "previous_period_short": f"{period.previous_start.strftime('%b %Y')} – "
                                 f"{period.previous_end.strftime('%b %Y')}",
        "priorities_year": period.priorities_year,
        "issue_date": f"{meeting.date:%B %Y}",
        "meeting": {"id": meeting.id, "title": meeting.title, "date": long_date(meeting.date),
                    "start_time": meeting.start_time, "venue": meeting.venue},
        "contact": config.contact.model_dump(),
        "thresholds": {
            "suppression_min": thresholds.suppression_min,
            "top_rate_pct": f"{thresholds.top_rate_share * 100:g}",
            "significance": f"{thresholds.significance:g}",
            "emerging_min_categories": thresholds.emerging_min_categories,
        },
    }


def resolve_chart(path: str) -> Path:
    """A chart's file: absolute as stored, else under the output folder (or the project)."""
    candidate = Path(path)
    if candidate.is_absolute():
        return candidate
    for base in (get_settings().output_dir, PROJECT_ROOT):
        if (base / candidate).exists():
            return base / candidate
    return get_settings().output_dir / candidate
