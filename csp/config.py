"""Partnership configuration: one YAML file per partnership over a shared defaults file.

Configuration is read once at the entry point and passed down as plain values. Every error names the
file, the key and what was expected, because the people who edit these files are analysts, not developers.
"""

from __future__ import annotations

import datetime as dt
import re
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
    kind: Literal["msoa", "lookup"] = "msoa"
    label: str = "MSOA"
    lookup: str | None = Field(
        default=None, description="CSV with lsoa_code, area_code, area_name (kind: lookup)"
    )


class Assessment(_Strict):
    period_end_month: int = Field(default=9, ge=1, le=12)


class Meeting(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    date: dt.date
    start_time: str = Field(default="10:00", pattern=r"^\d{2}:\d{2}$")
    venue: str = ""
    cycle: str
    kind: Literal["board", "tcg", "development", "scrutiny"] = "board"


class Thresholds(_Strict):
    suppression_min: int = Field(default=5, ge=1)
    top_rate_share: float = Field(default=0.2, gt=0, lt=1)
    hotspot_share: float = Field(default=0.1, gt=0, lt=1)
    significance: float = Field(default=0.05, gt=0, lt=1)
    emerging_min_categories: int = Field(default=3, ge=1)
    min_area_population: int = Field(default=100, ge=0)


class Source(_Strict):
    path: str
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


class Partnership(_Strict):
    """One partnership's configuration, as loaded and checked."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    short_name: str
    local_authority: LocalAuthority
    police_force: str
    area_unit: AreaUnit = AreaUnit()
    assessment: Assessment = Assessment()
    thresholds: Thresholds = Thresholds()
    sources: dict[str, Source]
    meetings: list[Meeting] = []
    priorities: list[Priority] = []
    growth_areas: list[str] = []
    harm_weights: dict[str, float] = {}
    board: list[Person] = []
    members: list[Person] = []
    contact: Contact = Contact()
    templates: dict[str, str] = {}
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
        return parse_cycle(name, self.assessment.period_end_month)

    def meeting(self, meeting_id: str) -> Meeting:
        for meeting in self.meetings:
            if meeting.id == meeting_id:
                return meeting
        known = [m.id for m in self.meetings]
        raise ConfigError(
            f"{self.config_file}: key 'meetings': no meeting {meeting_id!r}; expected one of {known}"
        )

    def source_path(self, kind: str, data_dir: Path | None = None) -> Path:
        """Absolute path of a configured source, relative paths being under the data folder."""
        if kind not in self.sources:
            raise ConfigError(
                f"{self.config_file}: key 'sources.{kind}': not configured; "
                f"expected a source entry with a path"
            )
        path = Path(self.sources[kind].path)
        return path if path.is_absolute() else (data_dir or get_settings().data_dir) / path


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_yaml(path: Path) -> dict[str, Any]:
    """A configuration file's mapping, refusing (with a short message) files too large, with too many
    aliases (a "billion laughs" bomb expands to gigabytes when printed or validated), or not UTF-8."""
    from csp.settings import input_limits

    limits = input_limits()
    if path.stat().st_size > limits.max_config_bytes:
        raise ConfigError(f"{path}: refused: {path.stat().st_size:,} bytes, more than the "
                          f"{limits.max_config_bytes:,} a configuration file may have")

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
        content = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}  # noqa: S506 - safe loader
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


def load_partnership_file(path: Path, defaults: dict[str, Any] | None = None) -> Partnership:
    """Load one partnership file merged over the defaults; raise ConfigError naming file and key."""
    raw = _deep_merge(defaults or {}, _read_yaml(path))
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
