"""Partnership configuration: one YAML file per partnership over a shared defaults file.

Configuration is read once at the entry point and passed down as plain values. Every error names the
file, the key and what was expected, because the people who edit these files are analysts, not developers.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
import threading
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from csp.cycle import CyclePeriod, parse_cycle
from csp.settings import get_settings

DEFAULTS_FILE = "_defaults.yaml"
SOURCE_KINDS = (
    "police_uk",
    "population",
    "boundaries",
    "fire",
    "ambulance",
    "ae",
    "idva",
    "council_asb",
    "hate_crime",
)
PAPER_KINDS = (
    "strategic_assessment",
    "sa_summary",
    "priorities",
    "community_safety_plan",
    "agenda",
    "minutes",
    "data_quality",
    "terms_of_reference",
    "action_log",
    "financial_report",
)


class ConfigError(ValueError):
    """Configuration that cannot be used; the message names file, key and expectation."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalAuthority(_Strict):
    name: str = Field(description="Name as in ONS files, e.g. 'Cambridge'")
    code: str = Field(pattern=r"^[EW]0[6-9]\d{6}$", description="ONS code, e.g. E07000008")
    lsoa_prefix: str | None = Field(
        default=None, description="Prefix of LSOA names in this authority (defaults to name)"
    )

    @property
    def lsoa_name_prefix(self) -> str:
        return self.lsoa_prefix or self.name


class AreaUnit(_Strict):
    kind: Literal["msoa", "ward", "lookup"] = "msoa"
    label: str = "MSOA"
    lookup: str | None = Field(
        default=None, description="CSV with lsoa_code, area_code, area_name (kind: lookup)"
    )


class Geography(_Strict):
    """Which LSOA vintage rows are placed on, and the reference files that name and map them.

    2021 (the default) places police rows by their 2021 LSOA code through the Census 2021 file (the
    population source, which also names each LSOA's MSOA and authority); 2011 codes on older police
    months are mapped through the exact-fit lookup. ``vintage: 2011`` keeps the old placement by LSOA
    name prefix against a Census 2011 population file, for a partnership whose data needs it.
    """

    vintage: Literal[2011, 2021] = 2021
    lsoa_2011_to_2021: str | None = Field(
        default=None, description="ONS LSOA 2011 -> 2021 exact-fit lookup (CHGIND U/S/M/X)")
    msoa_names: str | None = Field(
        default=None, description="House of Commons Library MSOA names (msoa21cd, msoa21hclnm)")
    wards: str | None = Field(
        default=None, description="LSOA 2021 -> ward lookup (lsoa21_code, ward24_code, ward24_name)")


class Assessment(_Strict):
    period_end_month: int = Field(default=9, ge=1, le=12)
    publication_lag_months: int = Field(
        default=2, ge=0, le=12,
        description="Months after a data month in which it is published (police.uk: 2, September's data "
                    "in November)")
    period_months: int = Field(default=12, ge=1, le=12,
                               description="Length of the assessment period in months")


class Meeting(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    date: dt.date
    start_time: str = Field(default="10:00", pattern=r"^\d{2}:\d{2}$")
    venue: str = ""
    cycle: str
    kind: Literal["board", "tcg", "development", "scrutiny"] = "board"
    proposed: bool = Field(default=False, description="Proposed from the calendar, not yet configured")


class Thresholds(_Strict):
    suppression_min: int = Field(default=5, ge=1)
    top_rate_share: float = Field(default=0.2, gt=0, lt=1)
    hotspot_share: float = Field(default=0.1, gt=0, lt=1)
    significance: float = Field(default=0.05, gt=0, lt=1)
    emerging_min_categories: int = Field(default=3, ge=1)
    min_area_population: int = Field(default=100, ge=0)
    # Recording steps (tasks/assess/steps.py): a level shift at least this many times up or down,
    # holding for at least step_min_months on each side, is flagged as a recording change.
    step_min_ratio: float = Field(default=2.0, gt=1)
    step_min_months: int = Field(default=3, ge=2)
    # Priority areas (tasks/prioritise/rules.py): at most this share of the areas (rounded down) and
    # no more than priority_area_max are recommended.
    priority_area_share: float = Field(default=0.2, gt=0, le=1)
    priority_area_max: int = Field(default=5, ge=0)
    # An area whose rise comes from new homes is Preventing: at least this share of its residents
    # live in LSOAs created since 2011 (metric new_homes_share).
    new_homes_min_share: float = Field(default=0.2, gt=0, le=1)
    # police.uk republishes a few crimes in a later month with a new outcome (Gwent: 1-3 a partnership a
    # year), so a Crime ID in two monthly files is a warning up to this share of the police rows; above it
    # (e.g. the same month loaded twice under two names) validation blocks.
    duplicate_crime_id_max_share: float = Field(default=0.001, ge=0, lt=1)


class AcceptedRecordingChange(_Strict):
    """A recording step an analyst has looked at and accepts: comparisons across it are reported."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    category: str
    from_month: str = Field(alias="from", pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                            description="first month at the new level, YYYY-MM")
    source: str = "police_uk"
    reason: str = ""


class Source(_Strict):
    path: str
    enabled: bool = True
    required: bool = False
    illustrative: bool = False
    description: str = ""


class Priority(_Strict):
    theme: str
    title: str
    adopted: str = Field(description="Cycle in which the board adopted it, e.g. '2021-22'")
    long_term: bool = False
    lead_officer: str = ""


class Person(_Strict):
    name: str
    organisation: str
    role: str = ""
    voting: bool = True


class Contact(_Strict):
    officer: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""


class CouncilWork(_Strict):
    """A line of the Scrutiny report's Appendix A: the council's own community-safety work."""

    work: str
    lead: str = ""
    status: str = ""


class Scrutiny(_Strict):
    """The council's annual report on the partnership to its Scrutiny & Overview Committee."""

    committee: str = "Scrutiny & Overview Committee"
    council: str = ""
    month: int = Field(default=9, ge=1, le=12, description="Month the report is drafted, after the "
                       "year's last board meeting")
    lead_cabinet_member: str = ""
    lead_officer: str = ""
    report_author: str = ""
    accountable_body: str = ""
    responsible_authorities: list[str] = []
    staffing: str = ""
    council_work: list[CouncilWork] = []


class Actions(_Strict):
    """How the partnership numbers its action points: Cambridge's 'MM/NN' by the meeting's month
    ('10/01' is the first action of an October meeting) or 1, 2, 3 within each meeting."""

    numbering: Literal["month", "sequential"] = "sequential"


class Finance(_Strict):
    """Names of the two funds as the partnership's papers print them."""

    grant_name: str = "Community Safety Fund (Police and Crime Commissioner grant)"
    pool_name: str = "Pooled Fund"


class Partnership(_Strict):
    """One partnership's configuration, as loaded and checked."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    short_name: str
    local_authority: LocalAuthority
    police_force: str
    area_unit: AreaUnit = AreaUnit()
    geography: Geography = Geography()
    assessment: Assessment = Assessment()
    thresholds: Thresholds = Thresholds()
    sources: dict[str, Source]
    meetings: list[Meeting] = []
    priorities: list[Priority] = []
    growth_areas: list[str] = []
    accepted_recording_changes: list[AcceptedRecordingChange] = []
    harm_weights: dict[str, float] = {}
    board: list[Person] = []
    members: list[Person] = []
    contact: Contact = Contact()
    actions: Actions = Actions()
    finance: Finance = Finance()
    templates: dict[str, str] = {}
    scrutiny: Scrutiny = Scrutiny()
    config_file: str = ""

    @field_validator("sources")
    @classmethod
    def _known_sources(cls, value: dict[str, Source]) -> dict[str, Source]:
        unknown = sorted(set(value) - set(SOURCE_KINDS))
        if unknown:
            raise ValueError(f"unknown source kind(s) {unknown}; expected one of {SOURCE_KINDS}")
        return value

    @field_validator("templates")
    @classmethod
    def _known_papers(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(PAPER_KINDS))
        if unknown:
            raise ValueError(f"unknown paper(s) {unknown}; expected one of {PAPER_KINDS}")
        return value

    def cycle(self, name: str) -> CyclePeriod:
        """The assessment period of a named cycle under this partnership's calendar."""
        return parse_cycle(name, self.assessment.period_end_month, self.assessment.period_months)

    def reference_path(self, relative: str | None, data_dir: Path | None = None) -> Path | None:
        """A reference file named in configuration, relative paths being under the data folder."""
        if not relative:
            return None
        path = Path(relative)
        return path if path.is_absolute() else (data_dir or get_settings().data_dir) / path

    def meeting(self, meeting_id: str) -> Meeting:
        for meeting in self.meetings:
            if meeting.id == meeting_id:
                return meeting
        proposed = _proposed_meeting(self, meeting_id)
        if proposed is not None:
            return proposed
        known = [m.id for m in self.meetings]
        raise ConfigError(
            f"{self.config_file}: key 'meetings': no meeting {meeting_id!r}; expected one of {known}"
        )

    def source_path(self, kind: str, data_dir: Path | None = None) -> Path:
        """Absolute path of a configured source, relative paths being under the data folder."""
        if kind not in self.sources:
            raise ConfigError(
                f"{self.config_file}: key 'sources.{kind}': not configured (or switched off with "
                f"'enabled: false'); expected a source entry with a path"
            )
        path = Path(self.sources[kind].path)
        return path if path.is_absolute() else (data_dir or get_settings().data_dir) / path


_MEETING_ID = re.compile(r"^(?P<kind>[a-z]+)-(?P<year>\d{4})-(?P<month>\d{2})$")


def _proposed_meeting(config: Partnership, meeting_id: str) -> Meeting | None:
    """A meeting the calendar implies but configuration lacks (see csp.year.proposed_meetings)."""
    from csp.year import proposed_meetings  # csp.year builds on this module

    match = _MEETING_ID.match(meeting_id or "")
    if not match:
        return None
    year, month = int(match.group("year")), int(match.group("month"))
    cycle_first = year - 1 if month <= 9 else year  # provisional: try both neighbouring cycles
    for first in (cycle_first, cycle_first - 1, cycle_first + 1):
        name = f"{first}-{(first + 1) % 100:02d}"
        for meeting in proposed_meetings(config, name):
            if meeting.id == meeting_id:
                return meeting
    return None


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


_PARSED: dict[tuple[str, str, int, int, int], dict[str, Any]] = {}
_PARSED_LOCK = threading.Lock()


def _read_yaml(path: Path) -> dict[str, Any]:
    """A configuration file's mapping (see ``_parse_yaml``), parsed once per process for the same bytes.

    A cycle loads its partnership in every stage and in most tasks (about 30 times); PyYAML's pure-Python
    parser took 20-60 ms a file each time, about 0.8 s of a re-run. The key is the file's bytes (and the
    limits), so an edited file is read afresh; callers get their own copy, as they change what they get.
    """
    from csp.settings import input_limits

    limits = input_limits()
    size = path.stat().st_size
    if size > limits.max_config_bytes:
        raise ConfigError(f"{path}: refused: {size:,} bytes, more than the "
                          f"{limits.max_config_bytes:,} a configuration file may have")
    data = path.read_bytes()
    key = (str(path), hashlib.sha256(data).hexdigest(), limits.max_config_bytes, limits.max_yaml_aliases,
           limits.max_config_values)
    with _PARSED_LOCK:
        parsed = _PARSED.get(key)
    if parsed is None:
        parsed = _parse_yaml(path, data, limits)
        with _PARSED_LOCK:
            _PARSED[key] = parsed
    return copy.deepcopy(parsed)


def _parse_yaml(path: Path, data: bytes, limits: Any) -> dict[str, Any]:
    """Parse a configuration file, refusing (with a short message) too many aliases (a "billion laughs"
    bomb expands to gigabytes when printed or validated) or text that is not UTF-8."""

    class _Loader(yaml.SafeLoader):
        aliases = 0

        def compose_node(self, parent, index):  # noqa: ANN001, ANN202 - PyYAML's signature
            if self.check_event(yaml.AliasEvent):
                _Loader.aliases += 1
                if _Loader.aliases > limits.max_yaml_aliases:
                    mark = self.peek_event().start_mark
                    raise ConfigError(f"{path}: line {mark.line + 1}: refused: more than "
                                      f"{limits.max_yaml_aliases} YAML aliases (*name); write the values out")
            return super().compose_node(parent, index)

    try:
        content = yaml.load(data.decode("utf-8"), Loader=_Loader) or {}  # noqa: S506 - safe loader
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {str(exc)[:500]}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    sizes: dict[int, int] = {}  # aliases share objects: count what they would expand to, without expanding

    def expanded(value: Any) -> int:
        if not isinstance(value, (dict, list)):
            return 1
        if id(value) not in sizes:
            sizes[id(value)] = 0  # a self-referencing alias counts once
            items = value.values() if isinstance(value, dict) else value
            sizes[id(value)] = 1 + sum(expanded(item) for item in items)
        return sizes[id(value)]

    if expanded(content) > limits.max_config_values:
        raise ConfigError(f"{path}: refused: its aliases expand to more than {limits.max_config_values:,} "
                          "values (a YAML bomb?); write the values out")
    if not isinstance(content, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    return content


def _explain(path: Path, error: ValidationError) -> ConfigError:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        got = item.get("input")
        shown = "" if isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"{path}: key '{key}': {item['msg']}{shown}")
    return ConfigError("\n".join(lines))


def _without_disabled(raw: dict[str, Any]) -> dict[str, Any]:
    """Sources switched off with ``enabled: false`` (e.g. one inherited from a force file) are dropped."""
    sources = raw.get("sources")
    if isinstance(sources, dict):
        raw["sources"] = {kind: entry for kind, entry in sources.items()
                          if not (isinstance(entry, dict) and entry.get("enabled") is False)}
    return raw


def load_partnership_file(path: Path, defaults: dict[str, Any] | None = None) -> Partnership:
    """Load one partnership file merged over the defaults; raise ConfigError naming file and key.

    The file may name a force-level defaults file with ``inherits:`` (itself over ``_defaults.yaml``);
    see :func:`_inherited`.
    """
    own = _read_yaml(path)
    base = _inherited(path, own.pop("inherits", None), defaults or {}, [path])
    raw = _without_disabled(_deep_merge(base, own))
    raw["config_file"] = str(path)
    try:
        partnership = Partnership.model_validate(raw)
    except ValidationError as exc:
        raise _explain(path, exc) from None
    if partnership.id != path.stem:
        raise ConfigError(
            f"{path}: key 'id': expected {path.stem!r} (the file name), got {partnership.id!r}"
        )
    for meeting in partnership.meetings:
        try:
            parse_cycle(meeting.cycle)
        except ValueError as exc:
            raise ConfigError(f"{path}: key 'meetings.{meeting.id}.cycle': {exc}") from None
    return partnership


def _inherited(path: Path, parent: Any, defaults: dict[str, Any], seen: list[Path]) -> dict[str, Any]:
    """The merged content a file inherits: its ``inherits:`` chain (nearest last) over the defaults.

    Force-level files (``_force_gwent.yaml``) hold what every partnership of a force shares: police
    force and source, boundaries, period end month. Parents are named relative to the file's folder.
    """
    if parent is None:
        return defaults
    if not isinstance(parent, str) or not parent.strip():
        raise ConfigError(f"{path}: key 'inherits': expected a file name such as _force_gwent.yaml")
    parent_path = path.parent / parent.strip()
    if not parent_path.exists():
        raise ConfigError(f"{path}: key 'inherits': no such file {parent_path}")
    if parent_path.resolve() in {p.resolve() for p in seen}:
        chain = " -> ".join(str(p.name) for p in [*seen, parent_path])
        raise ConfigError(f"{path}: key 'inherits': the chain loops ({chain})")
    content = _read_yaml(parent_path)
    grand = content.pop("inherits", None)
    if parent_path.name == DEFAULTS_FILE:
        return defaults or content  # the shared defaults are the base of every chain already
    return _deep_merge(_inherited(parent_path, grand, defaults, [*seen, parent_path]), content)


def _defaults(config_dir: Path) -> dict[str, Any]:
    path = config_dir / DEFAULTS_FILE
    return _read_yaml(path) if path.exists() else {}


def load_partnership(partnership_id: str, config_dir: Path | None = None) -> Partnership:
    """Load a partnership by id from the configuration folder."""
    folder = config_dir or get_settings().config_dir
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", partnership_id or ""):
        raise ConfigError(f"partnership id {partnership_id!r}: expected lower-case letters and -")
    path = folder / f"{partnership_id}.yaml"
    if not path.exists():
        known = ", ".join(partnership_ids(folder)) or "none"
        raise ConfigError(f"{path}: no such partnership {partnership_id!r}; configured: {known}")
    return load_partnership_file(path, _defaults(folder))


def partnership_ids(config_dir: Path | None = None) -> list[str]:
    folder = config_dir or get_settings().config_dir
    return sorted(p.stem for p in folder.glob("*.yaml") if not p.name.startswith("_"))


def load_all(config_dir: Path | None = None) -> list[Partnership]:
    """Every configured partnership: several run side by side from configuration alone."""
    folder = config_dir or get_settings().config_dir
    return [load_partnership(pid, folder) for pid in partnership_ids(folder)]
