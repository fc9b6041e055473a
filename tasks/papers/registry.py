"""The papers of a board pack: their order, file names, templates and versions.

Every paper has a public version. A paper whose figures would differ once small numbers are suppressed
also has a restricted version (OFFICIAL-SENSITIVE) for the partnership's analysts and board.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from csp.config import PAPER_KINDS, ConfigError, Partnership
from csp.settings import PROJECT_ROOT, get_settings
from tasks.papers.numbers import PUBLIC, RESTRICTED
from tasks.papers.schemas import SCHEMAS

TEMPLATES_DIR = PROJECT_ROOT / "templates"

# Styles every paper's content relies on: the contents field reads Heading 1-3, captions use Caption.
BASE_STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Caption", "Header", "Footer",
               "CSP Table")


@dataclass(frozen=True)
class PaperSpec:
    kind: str
    title: str  # as in file names: "03 Strategic Assessment 2025-26 (public).docx"
    label: str  # which name follows the title: "cycle", "meeting" or "priorities_year"
    versions: tuple[str, ...]
    required: tuple[str, ...]  # placeholders the template must keep (the paper is empty without them)
    styles: tuple[str, ...] = BASE_STYLES

    @property
    def schema(self) -> dict:
        return SCHEMAS[self.kind]


BOTH = (PUBLIC, RESTRICTED)
SPECS: tuple[PaperSpec, ...] = (
    PaperSpec("agenda", "Agenda", "meeting", (PUBLIC,), ("marking", "rows")),
    PaperSpec("minutes", "Minutes template", "meeting", (PUBLIC,), ("marking", "items", "actions")),
    PaperSpec("strategic_assessment", "Strategic Assessment", "cycle", BOTH,
              ("marking", "sections", "sources", "recommendations")),
    PaperSpec("sa_summary", "Strategic Assessment executive summary", "cycle", BOTH,
              ("marking", "key_findings", "recommendations")),
    PaperSpec("priorities", "Priorities", "priorities_year", (PUBLIC,),
              ("marking", "theme_recommendations", "decisions")),
    PaperSpec("community_safety_plan", "Community Safety Plan", "priorities_year", (PUBLIC,),
              ("marking", "priorities")),
    PaperSpec("data_quality", "Data Quality Report", "cycle", BOTH,
              ("marking", "files", "quarantine", "match")),
    PaperSpec("terms_of_reference", "Terms of Reference", "priorities_year", (PUBLIC,),
              ("marking", "priorities")),
    PaperSpec("action_log", "Action log", "meeting", (PUBLIC,), ("marking", "open", "closed", "overdue")),
    PaperSpec("financial_report", "End of Year Financial Report", "meeting", (PUBLIC,),
              ("marking", "appendix", "funding_total", "balance_total")),
)
SPECS_BY_KIND = {spec.kind: spec for spec in SPECS}
if set(SPECS_BY_KIND) != set(PAPER_KINDS):  # the configuration validates override keys against these
    raise RuntimeError("tasks.papers.registry and csp.config.PAPER_KINDS disagree")


def spec(kind: str) -> PaperSpec:
    try:
        return SPECS_BY_KIND[kind]
    except KeyError:
        raise ValueError(f"unknown paper {kind!r}; expected one of {list(SPECS_BY_KIND)}") from None


def template_path(config: Partnership, kind: str) -> Path:
    """The partnership's own template when configured (``templates: {paper: path}``), else ours.

    A relative override path is read from the data folder, like the partnership's sources.
    """
    override = config.templates.get(kind)
    if not override:
        return TEMPLATES_DIR / f"{kind}.docx"
    path = Path(override)
    path = path if path.is_absolute() else get_settings().data_dir / path
    if not path.exists():
        raise ConfigError(f"{config.config_file}: key 'templates.{kind}': no file at {path}")
    return path


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class PaperJob:
    """One file of the pack: a paper in one version, numbered in pack order."""

    kind: str
    version: str
    number: int
    title: str
    label: str
    template: str
    template_sha256: str

    @property
    def file_name(self) -> str:
        return f"{self.number:02d} {self.title} {self.label} ({self.version}).docx"


def select_papers(papers: list[str] | None) -> list[PaperSpec]:
    """The papers asked for, in pack order (all of them when none are named)."""
    if not papers:
        return list(SPECS)
    unknown = [p for p in papers if p not in SPECS_BY_KIND]
    if unknown:
        raise ValueError(f"unknown paper(s) {unknown}; expected some of {list(SPECS_BY_KIND)}")
    return [s for s in SPECS if s.kind in papers]


def by_paper(jobs: tuple[PaperJob, ...], kinds: set[str] | None = None) -> list[tuple[int, ...]]:
    """The jobs' indices grouped by paper, in pack order (only ``kinds``, when given): a paper's
    versions are drafted together, since every version's context is needed to decide whether the
    restricted one adds anything."""
    order = dict.fromkeys(job.kind for job in jobs if kinds is None or job.kind in kinds)
    return [tuple(i for i, job in enumerate(jobs) if job.kind == kind) for kind in order]
