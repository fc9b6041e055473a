"""The assessment's parameters: everything it needs from configuration, as one plain value.

Configuration is read once at the entry point (the flow or command) and passed down as this frozen
dataclass, so every step is a function of its data and these parameters, and Prefect can hash them
into the cache key (a changed threshold or lookup file recomputes the assessment).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from csp.config import Partnership
from csp.cycle import CyclePeriod
from csp.frames import PARTNER_KINDS
from csp.settings import get_settings

SOURCE_TITLES = {
    "police_uk": "police-recorded crime and ASB",
    "fire": "fire incidents",
    "ambulance": "assault-related ambulance call-outs",
    "ae": "A&E assault attendances",
    "idva": "IDVA referrals",
    "council_asb": "council ASB reports",
    "hate_crime": "hate crime reports",
}
SOURCE_PUBLISHERS = {
    "police_uk": "data.police.uk street-level crime",
    "fire": "Cambridgeshire Fire and Rescue Service",
    "ambulance": "East of England Ambulance Service",
    "ae": "Emergency Department assault attendances",
    "idva": "Cambridgeshire and Peterborough IDVA Service",
    "council_asb": "council ASB team",
    "hate_crime": "hate crime reports",
}


@dataclass(frozen=True)
class AssessParams:
    """Parameters of one partnership's assessment for one cycle."""

    partnership_id: str
    partnership_name: str
    area_name: str  # the local authority, e.g. "Cambridge"
    cycle: str
    start: str  # first month of the assessment period, "YYYY-MM"
    end: str  # last month, inclusive
    suppression_min: int = 5
    top_rate_share: float = 0.2
    hotspot_share: float = 0.1
    significance: float = 0.05
    min_area_population: int = 100
    emerging_min_categories: int = 3
    area_kind: str = "msoa"
    area_label: str = "MSOA"
    geography_vintage: int = 2021  # LSOA vintage rows are placed on (configuration 'geography.vintage')
    lookup_path: str | None = None
    lookup_sha256: str | None = None
    boundaries_path: str | None = None
    configured_sources: tuple[str, ...] = ()
    illustrative_sources: tuple[str, ...] = ()
    source_descriptions: dict[str, str] = field(default_factory=dict)
    main_categories: int = 6  # monthly charts are drawn for this many largest police categories
    step_min_ratio: float = 2.0
    step_min_months: int = 3
    accepted_recording_changes: tuple[tuple[str, str, str], ...] = ()  # (source, category, from month)

    @property
    def period(self) -> CyclePeriod:
        """The cycle's calendar (csp.cycle), which owns the month arithmetic and the labels."""
        return CyclePeriod(self.cycle, pd.Period(self.start, freq="M"), pd.Period(self.end, freq="M"))

    @property
    def months(self) -> list[str]:
        return [str(p) for p in self.period.months]

    @property
    def previous_months(self) -> list[str]:
        return [str(p) for p in self.period.previous_months]

    @property
    def window(self) -> list[str]:
        """Every month the cycle looks at: the comparison year, then the assessment period."""
        return self.previous_months + self.months

    @property
    def ending_label(self) -> str:
        """The seeds' phrase, e.g. '12 months to September 2025'."""
        return self.period.ending_label

    @property
    def period_label(self) -> str:
        return self.period.label

    def is_illustrative(self, kind: str) -> bool:
        return kind in self.illustrative_sources


def month_name(month: str) -> str:
    """'2025-09' -> 'September 2025'."""
    return pd.Period(month, freq="M").strftime("%B %Y")


def _sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def params_from_config(config: Partnership, cycle_name: str, data_dir: Path | None = None) -> AssessParams:
    """Build the parameters from a loaded partnership configuration (raises on a bad cycle name)."""
    period = config.cycle(cycle_name)
    data = data_dir or get_settings().data_dir
    lookup = None
    if config.area_unit.kind == "lookup" and config.area_unit.lookup:
        path = Path(config.area_unit.lookup)
        lookup = path if path.is_absolute() else data / path
    boundaries = config.source_path("boundaries", data) if "boundaries" in config.sources else None
    t = config.thresholds
    return AssessParams(
        partnership_id=config.id,
        partnership_name=config.name,
        area_name=config.local_authority.name,
        cycle=cycle_name,
        start=str(period.start),
        end=str(period.end),
        suppression_min=t.suppression_min,
        top_rate_share=t.top_rate_share,
        hotspot_share=t.hotspot_share,
        significance=t.significance,
        min_area_population=t.min_area_population,
        emerging_min_categories=t.emerging_min_categories,
        area_kind=config.area_unit.kind,
        area_label=config.area_unit.label,
        geography_vintage=config.geography.vintage,
        lookup_path=str(lookup) if lookup else None,
        lookup_sha256=_sha256(lookup) if lookup else None,
        boundaries_path=str(boundaries) if boundaries else None,
        configured_sources=tuple(k for k in ("police_uk", *PARTNER_KINDS) if k in config.sources),
        illustrative_sources=tuple(k for k, s in config.sources.items() if s.illustrative),
        source_descriptions={k: s.description for k, s in config.sources.items()},
        step_min_ratio=t.step_min_ratio,
        step_min_months=t.step_min_months,
        accepted_recording_changes=tuple((a.source, a.category, a.from_month)
                                         for a in config.accepted_recording_changes),
    )
