"""Contexts of the strategic assessment (full) and its executive summary, from stored metrics,
findings, charts and recommendations.

Numbers are read, never recomputed: each count, rate and change printed is a stored metric row, so a
figure in the paper can be traced to the run and files that made it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from csp import metrics as M
from csp.cycle import parse_cycle
from csp.store.db import MissingStageError
from csp.suppression import is_small
from csp.themes import SECTIONS, THEMES, THEMES_BY_ID
from tasks.assess.params import SOURCE_TITLES
from tasks.assess.stats import methods_paragraphs
from tasks.papers import key_findings as K
from tasks.papers import standing as S
from tasks.papers import store_read as R
from tasks.papers import words as W
from tasks.papers.common import Built, ImageRef, Setting, common, resolve_chart
from tasks.papers.ctx_sources import (
    coverage_rows,
    is_illustrative,
    match_rates,
    source_label,
    source_rows,
    source_summary,
)
from tasks.papers.inputs import metrics_token
from tasks.papers.numbers import WITHHELD, Numbers
from tasks.papers.shared import session_url, shared
from tasks.prioritise.store import RecommendationView

OVERVIEW = getattr(M, "OVERVIEW_THEME", "overview")
OVERVIEW_TITLE = "Overview"
THEME_VALUES = ("retain", "add", "retire")
AREA_CLASSES = ("Emerging", "Preventing", "Sustaining", "Discharged")


class MissingChartError(FileNotFoundError):
    """A chart the store lists has no file: re-run the assessment to redraw it."""


def _text_or_empty(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def area_id(row: Any) -> str:
    """An area's key: its code, or its name where the assessment knows no code (a 2021-only MSOA).

    Partnership rows have one area (some stages record the authority's code, others none): key ''.
    """
    if row.area_type == M.PARTNERSHIP:
        return ""
    return _text_or_empty(row.area_code) or _text_or_empty(row.area_name)


@dataclass
class Metrics:
    """Lookup of stored metric rows by their natural key.

    Built once per pack and shared by every paper and version (``stored_metrics``): it is never
    modified after construction, and what it derives (categories, subsets, files, runs) is kept.
    """

    frame: pd.DataFrame

    def __post_init__(self) -> None:
        self.index: dict[tuple, Any] = {}
        for row in self.frame.itertuples(index=False):
            self.index[(row.metric, row.source_kind, row.category, row.area_type, area_id(row),
                        row.period)] = row
        self._positions: dict[tuple, Any] | None = None
        self._parts: dict[tuple, pd.DataFrame] = {}
        self._categories: dict[str, list[str]] = {}
        self._file_ids: frozenset[int] | None = None
        self._runs: tuple[str, ...] | None = None

    def row(self, metric: str, source: str, category: str = "All", period: str = M.CURRENT,
            area_type: str = M.PARTNERSHIP, area_code: str = "") -> Any | None:
        return self.index.get((metric, source, category, area_type, area_code, period))

    def value(self, *args: Any, **kwargs: Any) -> float | None:
        row = self.row(*args, **kwargs)
        if row is None or row.value is None or pd.isna(row.value):
            return None
        return float(row.value)

    def flag(self, *args: Any, **kwargs: Any) -> bool | None:
        row = self.row(*args, **kwargs)
        return None if row is None or pd.isna(row.suppressed) else bool(row.suppressed)

    def label(self, *args: Any, **kwargs: Any) -> str:
        row = self.row(*args, **kwargs)
        return "" if row is None or row.label is None or pd.isna(row.label) else str(row.label)

    def subset(self, metric: str, source: str, area_type: str, period: str = M.CURRENT) -> pd.DataFrame:
        """The rows of one metric, source, area type and period, in stored order: the frame is grouped
        once, on first use, into row positions (not a scan of every row per question), and a part is
        taken from it when first asked for (most of the hundreds of groups never are)."""
        key = (metric, source, area_type, period)
        if key not in self._parts:
            if self._positions is None:
                keys = ["metric", "source_kind", "area_type", "period"]
                self._positions = ({} if self.frame.empty else
                                   self.frame.groupby(keys, sort=False, dropna=False).indices)
            positions = self._positions.get(key)
            self._parts[key] = self.frame.iloc[0:0] if positions is None else self.frame.take(positions)
        return self._parts[key]

    def categories(self, source: str) -> list[str]:
        if source not in self._categories:
            part = self.subset(M.COUNT, source, M.PARTNERSHIP)
            self._categories[source] = sorted(set(part["category"]) - {"All"})
        return list(self._categories[source])

    def file_ids(self) -> set[int]:
        if self._file_ids is None:
            ids: set[int] = set()
            for value in self.frame.get("input_file_ids", []):
                ids.update(int(v) for v in (value or []))
            self._file_ids = frozenset(ids)
        return set(self._file_ids)

    def runs(self) -> tuple[str, ...]:
        if self._runs is None:
            self._runs = tuple(sorted({str(r) for r in self.frame.get("run_id", []) if r and not pd.isna(r)}))
        return self._runs


def stored_metrics(session: Session, cycle_id: int) -> Metrics:
    """The cycle's metrics, read once per pack and shared (read-only) by every paper and version."""
    key = ("metrics", session_url(session), cycle_id, metrics_token(session, cycle_id))
    return shared(key, lambda: Metrics(R.metrics_frame(session, cycle_id)))


def comparison(mx: Metrics, nb: Numbers, source: str, category: str) -> dict[str, str]:
    """Previous and current counts, change and its labels, as one version prints them."""
    current = mx.value(M.COUNT, source, category)
    previous = mx.value(M.COUNT, source, category, M.PREVIOUS)
    bases = (current, previous)
    small = nb.public and any(is_small(v, nb.minimum) for v in bases)
    return {
        "current": nb.count(current, mx.flag(M.COUNT, source, category)),
        "previous": nb.count(previous, mx.flag(M.COUNT, source, category, M.PREVIOUS)),
        "change_pct": nb.metric(M.CHANGE_PCT, mx.value(M.CHANGE_PCT, source, category),
                                mx.flag(M.CHANGE_PCT, source, category), bases),
        "change_label": WITHHELD if small else (mx.label(M.CHANGE, source, category) or "n/a"),
        "trend_label": WITHHELD if small else (mx.label(M.TREND_RATIO, source, category) or "n/a"),
    }


def totals(mx: Metrics, nb: Numbers) -> dict[str, str]:
    """All police-recorded incidents; the change says which categories it leaves out and why."""
    return {**comparison(mx, nb, "police_uk", "All"), "change_basis": W.change_basis(mx)}


def _theme_sources(theme_id: str, mx: Metrics) -> list[tuple[str, str]]:
    """(source, category) pairs that speak to a theme and have a stored count."""
    theme = THEMES_BY_ID[theme_id]
    pairs = [("police_uk", c) for c in W.owned_categories(theme_id)
             if mx.row(M.COUNT, "police_uk", c) is not None]
    for source in theme.partner_sources:
        categories = mx.categories(source) or (["All"] if mx.row(M.COUNT, source) is not None else [])
        pairs += [(source, c) for c in categories]
    return pairs


def category_rows(theme_id: str, mx: Metrics, nb: Numbers, setting: Setting,
                  illustrative: bool = False) -> list[dict[str, str]]:
    """A theme's categories from real sources (or, with ``illustrative``, from illustrative ones only)."""
    rows = []
    for source, category in _theme_sources(theme_id, mx):
        if is_illustrative(setting.config, source) != illustrative:
            continue
        label = source_label(setting.config, source)
        name = label if category == "All" else category
        rows.append({"category": name, "source": label, **comparison(mx, nb, source, category)})
    return rows


def area_rows(theme_id: str, mx: Metrics, nb: Numbers) -> list[dict[str, str]]:
    """Areas in the top share by rate for any of the theme's police categories."""
    categories = W.owned_categories(theme_id)
    f = mx.subset(M.TOP_RATE, "police_uk", M.AREA)
    top = f[f.category.isin(categories) & (f.value == 1.0)]
    rows = []
    for row in top.itertuples(index=False):
        key = {"source": "police_uk", "category": row.category, "area_type": M.AREA, "area_code": area_id(row)}
        count = mx.value(M.COUNT, **key)
        rank = mx.value(M.RANK_BY_RATE, **key)
        rows.append((row.category, rank if rank is not None else 1e9, {
            "area": _text_or_empty(row.area_name) or area_id(row),
            "category": row.category,
            "count": nb.count(count, mx.flag(M.COUNT, **key)),
            "population": _population(mx, nb, area_id(row)),
            "rate": _rate(mx, nb, key, count),
            "rank": "n/a" if rank is None else f"{int(rank)}",
        }))
    rows.sort(key=lambda r: (categories.index(r[0]), r[1], r[2]["area"]))
    return [r[2] for r in rows]


def _population(mx: Metrics, nb: Numbers, area: str) -> str:
    """Residents of an area (census, not suppressed), or why there is no figure."""
    for source in ("police_uk", "population"):
        value = mx.value(M.POPULATION, source, "All", area_type=M.AREA, area_code=area)
        if value is not None:
            return nb.metric(M.POPULATION, value)
    return mx.label(M.POPULATION, "police_uk", "All", area_type=M.AREA, area_code=area) or "n/a"


def _rate(mx: Metrics, nb: Numbers, key: dict[str, str], count: float | None) -> str:
    """A rate per 1,000, withheld when its count is small; the stored reason when there is none."""
    value = mx.value(M.RATE_PER_1000, **key)
    if value is None:
        return mx.label(M.RATE_PER_1000, **key) or "n/a"
    return nb.metric(M.RATE_PER_1000, value, mx.flag(M.RATE_PER_1000, **key), (count,))


def appendix_rows(mx: Metrics, nb: Numbers) -> list[dict[str, str]]:
    """Every area with its count, residents, rate and rank (an area without a code by its name).

    In a public paper, a single hidden area count could be worked out from the total and the other
    areas, so the smallest other count is hidden with it ("[c]").
    """
    f = mx.subset(M.RATE_PER_1000, "police_uk", M.AREA)
    rates = f[f.category == "All"]
    rows = []
    for row in rates.itertuples(index=False):
        key = {"source": "police_uk", "category": "All", "area_type": M.AREA, "area_code": area_id(row)}
        count = mx.value(M.COUNT, **key)
        rank = mx.value(M.RANK_BY_RATE, **key)
        name = _text_or_empty(row.area_name) or area_id(row)
        rows.append((rank if rank is not None else 1e9, name, count, {
            "area": name, "code": _text_or_empty(row.area_code) or "n/a",
            "population": _population(mx, nb, area_id(row)),
            "count": nb.count(count, mx.flag(M.COUNT, **key)),
            "rate": _rate(mx, nb, key, count),
            "rank": "n/a" if rank is None else f"{int(rank)}",
        }))
    rows.sort(key=lambda r: (r[0], r[1]))
    hidden = [r for r in rows if r[3]["count"] in (WITHHELD,) or r[3]["count"].startswith("<")]
    if nb.public and len(hidden) == 1:
        shown = sorted((r for r in rows if r not in hidden and r[2]), key=lambda r: r[2])
        if shown:
            shown[0][3].update({"count": WITHHELD, "rate": WITHHELD})
    return [r[3] for r in rows]


def appendix_total(mx: Metrics, nb: Numbers) -> dict[str, Any]:
    """The partnership total and what no area holds, so the appendix's parts add up to its total."""
    total = mx.value(M.COUNT, "police_uk")
    f = mx.subset(M.COUNT, "police_uk", M.AREA)
    parts = f[f.category == "All"]
    placed = float(parts["value"].fillna(0).sum()) if not parts.empty else 0.0
    remainder = (total or 0) - placed
    return {"count": nb.count(total), "has_remainder": bool(total) and remainder > 0,
            "remainder": nb.count(remainder) if remainder > 0 else "0",
            "rate": nb.metric(M.RATE_PER_1000, mx.value(M.RATE_PER_1000, "police_uk")),
            "population": nb.metric(M.POPULATION, mx.value(M.POPULATION, "police_uk"))
            if mx.value(M.POPULATION, "police_uk") is not None else "n/a"}


ILLUSTRATIVE_MARK = "illustrative data"


def finding_is_illustrative(setting: Setting, finding: R.FindingRow) -> bool:
    """A finding resting on an illustrative source: by its recorded source, or the assessment's mark."""
    by_source = bool(finding.source_kind) and is_illustrative(setting.config, str(finding.source_kind))
    return by_source or ILLUSTRATIVE_MARK in finding.text.lower()


def chart_is_illustrative(chart: R.ChartRow) -> bool:
    return ILLUSTRATIVE_MARK in f"{chart.caption} {chart.source}".lower()


def real_only(setting: Setting, data: AssessmentData) -> AssessmentData:
    """The data without illustrative findings and charts: what the body of every paper is built from."""
    return AssessmentData(data.metrics, [f for f in data.findings if not finding_is_illustrative(setting, f)],
                          [c for c in data.charts if not chart_is_illustrative(c)], data.recommendations,
                          data.files, data.checks)


def illustrative_block(setting: Setting, data: AssessmentData, table_no: int, figure_no: int) -> dict[str, Any]:
    """Illustrative partner data, for the restricted version's own section; empty in public papers."""
    empty = {"findings": [], "categories": [], "figures": [], "table": table_no}
    if setting.public:
        return empty
    mark = re.compile(r"\s*\(illustrative data\.?\)\s*$", re.IGNORECASE)
    found = [mark.sub("", f.text) for f in data.findings if finding_is_illustrative(setting, f)]
    categories = [row for theme in THEMES
                  for row in category_rows(theme.id, data.metrics, setting.numbers, setting, True)]
    figures = []
    for chart in (c for c in data.charts if chart_is_illustrative(c)):
        path = resolve_chart(chart.path)
        if path.exists():
            figures.append({"number": figure_no + len(figures), "image": ImageRef(str(path), chart.sha256),
                            "caption": chart.caption, "source": chart.source})
    return {"findings": found, "categories": categories, "figures": figures, "table": table_no}


def _text(finding: R.FindingRow, public: bool) -> str:
    return finding.public_text if public else finding.text


def ordered_recommendations(recs: list[RecommendationView]) -> list[RecommendationView]:
    """Themes to retain, add or retire, then priority areas by class: the board's questions."""
    themes = [r for r in recs if r.kind == "theme" and r.recommendation in THEME_VALUES]
    order = [t.id for t in THEMES]
    themes.sort(key=lambda r: (order.index(r.subject) if r.subject in order else -1, r.subject))
    areas = [r for r in recs if r.kind == "area" and r.recommendation in AREA_CLASSES]
    areas.sort(key=lambda r: (AREA_CLASSES.index(r.recommendation), -(r.score or 0), r.subject_name))
    return [*themes, *areas]


def plain_reason(rec: RecommendationView, mx: Metrics, setting: Setting) -> str:
    """Why, in words (the rule names, scores and test statistics are in the methods appendix)."""
    if rec.kind == "theme":
        action = W.THEME_ACTION.get(rec.recommendation, rec.recommendation.capitalize())
        return f"{action}: " + W.theme_reason(rec, mx, setting.numbers, setting.period.ending_label)
    return W.area_reason(rec, setting.numbers, setting.config.area_unit.label)


def recommendation_rows(recs: list[RecommendationView], mx: Metrics, setting: Setting) -> list[dict[str, Any]]:
    """The recommendations in plain words; ``status`` says "Recommended" until a decision is recorded."""
    return [{"number": i, "kind": r.kind, "subject": r.subject_name, "recommendation": r.recommendation,
             "reasons": plain_reason(r, mx, setting), "decided": S.is_decided(r), "status": S.status_text(r)}
            for i, r in enumerate(ordered_recommendations(recs), start=1)]


def method_rows(recs: list[RecommendationView]) -> list[dict[str, str]]:
    """Scores and ranks behind the thematic recommendations, for the methods appendix."""
    rows = []
    for r in ordered_recommendations(recs):
        if r.kind != "theme":
            continue
        reasons = r.reasons or {}
        rows.append({"subject": r.subject_name, "recommendation": r.recommendation.capitalize(),
                     "score": "n/a" if r.score is None else f"{r.score:.2f}",
                     "volume_rank": str((reasons.get("volume") or {}).get("rank") or "n/a"),
                     "harm_rank": str((reasons.get("harm") or {}).get("rank") or "n/a")})
    return rows


def _in_overview(theme_id: str) -> bool:
    """Cross-cutting rows, and any whose theme is not one of csp/themes.py, go to the overview."""
    return theme_id not in THEMES_BY_ID


def _figures(charts: list[R.ChartRow], theme_id: str | None, public: bool, start: int) -> list[dict[str, Any]]:
    """A theme's figures (theme_id None: the overview's), numbered from ``start``."""
    figures = []
    for chart in charts:
        wanted = _in_overview(chart.theme) if theme_id is None else chart.theme == theme_id
        if not wanted or (public and not chart.public):
            continue
        path = resolve_chart(chart.path)
        if not path.exists():
            raise MissingChartError(f"chart {chart.key!r} ({chart.path}) listed in the store has no file "
                                    f"at {path}: re-run the assessment to redraw it")
        figures.append({"number": start + len(figures), "image": ImageRef(str(path), chart.sha256),
                        "caption": chart.caption, "source": chart.source})
    return figures


def theme_words(theme_id: str, mx: Metrics, setting: Setting) -> list[str]:
    """A theme's findings in words: one sentence per real category, then where rates are highest."""
    nb, previous = setting.numbers, K.has_previous(mx)
    texts = []
    for source, category in _theme_sources(theme_id, mx):
        if is_illustrative(setting.config, source):
            continue
        label = source_label(setting.config, source) if category == "All" else category
        texts.append(W.category_sentence(mx, nb, source, category, setting.period.ending_label, previous,
                                         label))
    police = [c for s, c in _theme_sources(theme_id, mx) if s == "police_uk"]
    if police:
        largest = max(police, key=lambda c: mx.value(M.COUNT, "police_uk", c) or 0)
        places = W.places_sentence(mx, nb, largest, setting.config.local_authority.name)
        if places:
            texts.append(f"{largest}: {W.lower_first(places)}")
    return texts


def concentration_words(mx: Metrics, setting: Setting) -> str:
    share = mx.value(M.HOTSPOT_SHARE_PCT, "police_uk", "All", area_type=M.LSOA)
    if share is None:
        return ""
    return (f"Incidents are concentrated: the busiest tenth of neighbourhoods (LSOAs) held {share:.0f}% of "
            f"all police-recorded crime and anti-social behaviour in {setting.config.local_authority.name}.")


def overview(setting: Setting, found: list[R.FindingRow], charts: list[R.ChartRow],
             mx: Metrics | None = None) -> dict[str, Any]:
    """The overall picture in words (where, how concentrated), with the overview figures."""
    texts: list[str] = []
    if mx is not None:
        texts = [W.places_sentence(mx, setting.numbers, "All", setting.config.local_authority.name),
                 concentration_words(mx, setting)]
    return {"findings": [t for t in texts if t], "figures": _figures(charts, None, setting.public, 1)}


SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
NO_PREVIOUS_CLAUSE = re.compile(r";? ?no comparable period( \(the store holds [^)]*\))?", re.IGNORECASE)


def detailed_findings(setting: Setting, found: list[R.FindingRow]) -> list[dict[str, Any]]:
    """The assessment's own findings, with their test statistics, for the methods appendix; the
    missing comparison is said once in the introduction, so it is dropped from each line here."""
    titles = {t.id: t.title for t in THEMES}
    hidden_titles = [SOURCE_TITLES[k].lower() for k in SOURCE_TITLES if is_illustrative(setting.config, k)]
    groups: dict[str, list[str]] = {}
    for f in found:
        if setting.public and any(t in f.public_text.lower() for t in hidden_titles):
            continue  # a finding that names illustrative sources (even their months held) stays restricted
        text = NO_PREVIOUS_CLAUSE.sub("", _text(f, setting.public)).replace(" ;", ";")
        # configuration keys quoted by a finding read as words in the paper
        text = SNAKE.sub(lambda m: m.group(0).replace("_", " "), text)
        groups.setdefault(titles.get(f.theme, OVERVIEW_TITLE), []).append(text)
    return [{"title": title, "findings": texts} for title, texts in groups.items()]


def theme_sections(setting: Setting, mx: Metrics, found: list[R.FindingRow], charts: list[R.ChartRow],
                   figure_no: int = 1) -> tuple[list[dict[str, Any]], int]:
    """One section per group (Personal safety, Community harm), one entry per theme, numbered tables
    and figures in document order (figures from ``figure_no``). Returns the sections and the next
    free table number."""
    nb, public = setting.numbers, setting.public
    priorities = {p.theme for p in setting.config.priorities}
    table_no = 1
    sections = []
    for section in SECTIONS:
        themes = []
        for theme in (t for t in THEMES if t.section == section):
            categories = category_rows(theme.id, mx, nb, setting)
            areas = area_rows(theme.id, mx, nb)
            cat_table = table_no if categories else 0
            table_no += bool(categories)
            area_table = table_no if areas else 0
            table_no += bool(areas)
            figures = _figures(charts, theme.id, public, figure_no)
            figure_no += len(figures)
            texts = theme_words(theme.id, mx, setting) if categories else []
            themes.append({
                "id": theme.id, "title": theme.title, "has_data": bool(categories or texts or figures),
                "is_priority": theme.id in priorities, "category_table": cat_table,
                "area_table": area_table, "findings": texts, "categories": categories,
                "areas": areas, "figures": figures,
            })
        sections.append({"title": section, "themes": themes})
    return sections, table_no


def priority_updates(setting: Setting, recs: list[RecommendationView], found: list[R.FindingRow],
                     mx: Metrics) -> list[dict[str, Any]]:
    by_theme = {r.subject: r for r in recs if r.kind == "theme"}
    updates = []
    for number, priority in enumerate(setting.config.priorities, start=1):
        rec = by_theme.get(priority.theme)
        theme = THEMES_BY_ID.get(priority.theme)
        updates.append({
            "number": number, "title": priority.title, "lead_officer": priority.lead_officer or "n/a",
            "adopted": priority.adopted,
            "theme": theme.title if theme else priority.theme.replace("_", " ").capitalize(),
            "recommendation": rec.recommendation if rec else "",
            "reasons": plain_reason(rec, mx, setting) if rec else "",
            "decision": S.status_text(rec) if S.is_decided(rec) else "",
            "findings": theme_words(priority.theme, mx, setting) if priority.theme in THEMES_BY_ID else [],
        })
    return updates


def _previous(session: Session, setting: Setting, mx: Metrics) -> tuple[dict[str, Any], list[str], list[str]]:
    config, period = setting.config, setting.period
    name = period.previous_cycle()
    before = R.previous_cycle_sources(session, config.id, name)
    now = set(mx.frame["source_kind"]) if not mx.frame.empty else set()
    info = {"cycle": name, "period": parse_cycle(name, config.assessment.period_end_month).label,
            "assessed": before is not None}
    if before is None:
        return info, [], []
    new = [source_label(config, k) for k in sorted(now - before)]
    gone = [source_label(config, k) for k in sorted(before - now)]
    return info, new, gone


@dataclass(frozen=True)
class AssessmentData:
    metrics: Metrics
    findings: list[R.FindingRow]
    charts: list[R.ChartRow]
    recommendations: list[RecommendationView]
    files: list[R.FileRow]
    checks: pd.DataFrame


def load(session: Session, setting: Setting) -> AssessmentData:
    cycle = R.require_cycle(session, setting.config.id, setting.period.name)
    mx = stored_metrics(session, cycle.id)
    if mx.frame.empty:
        raise MissingStageError(
            f"no metrics stored for {setting.config.id} {setting.period.name}: run the assessment first "
            f"(csp assess --partnership {setting.config.id} --cycle {setting.period.name})"
        )
    files = R.cycle_files(session, cycle, setting.period, mx.file_ids())
    checks = R.validation_checks(session, cycle.id, [f.id for f in files])
    return AssessmentData(mx, R.findings(session, cycle.id), R.charts(session, cycle.id),
                          S.recommendations(session, setting.config.id, setting.period.name), files,
                          checks)


def _caveats(data: AssessmentData) -> list[str]:
    names = {f.id: f.file_name for f in data.files}
    checks = data.checks
    if checks.empty:
        return []
    failed = checks[(~checks.success.astype(bool)) & (checks.severity == "warning")]
    return [f"{names.get(r.input_file_id, 'all files')}: {r.message}" for r in failed.itertuples()]


def build_strategic_assessment(session: Session, setting: Setting) -> Built:
    everything = load(session, setting)
    data = real_only(setting, everything)
    mx, nb = data.metrics, setting.numbers
    picture = overview(setting, data.findings, data.charts, mx)
    sections, next_table = theme_sections(setting, mx, data.findings, data.charts,
                                          1 + len(picture["figures"]))
    next_figure = 1 + len(picture["figures"]) + sum(len(t["figures"]) for s in sections for t in s["themes"])
    illustrative = illustrative_block(setting, everything, next_table, next_figure)
    next_table += bool(illustrative["categories"])
    previous, new_sources, missing_sources = _previous(session, setting, mx)
    sources = source_rows(setting, data.files)
    context = {
        **common(setting),
        "previous": previous,
        "totals": totals(mx, nb),
        "new_sources": new_sources,
        "missing_sources": missing_sources,
        "has_previous": K.has_previous(mx),
        "key_findings": K.key_findings(mx, nb, data.recommendations, setting.config.local_authority.name,
                                       setting.period.ending_label),
        "recommendations": recommendation_rows(data.recommendations, mx, setting),
        "overview": picture,
        "sections": sections,
        "priority_updates": priority_updates(setting, data.recommendations, data.findings, mx),
        "detailed_findings": detailed_findings(setting, data.findings),
        "method_scores": method_rows(data.recommendations),
        "illustrative": illustrative,
        "sources": source_summary(setting, data.files),
        "illustrative_sources": sorted({s["description"] for s in sources if s["illustrative"]}),
        "coverage": coverage_rows(session, setting, data.files)[1],
        "match": match_rates(mx, nb, setting.config.area_unit.kind == "msoa"),
        "months": months_present(mx),
        "caveats": _caveats(data) if not setting.public else [],
        "methods": change_methods(mx, setting.config.thresholds.significance),
        "appendix_areas": appendix_rows(mx, nb),
        "appendix_total": appendix_total(mx, nb),
        "appendix_table": next_table,
        "assessment_run": ", ".join(mx.runs()) or "not recorded",
    }
    return Built(context, tuple(f.id for f in data.files), mx.runs())


def change_methods(mx: Metrics, significance: float) -> list[str]:
    """Which tests of change this assessment used and why (tasks.assess.stats), for Appendix B."""
    f = mx.frame
    labels = f.loc[f.metric.isin((M.CHANGE_METHOD, M.TREND_METHOD)), "label"].dropna()
    return methods_paragraphs(set(labels), mx.value(M.TEST_FAMILY, "all"), significance)


def months_present(mx: Metrics) -> dict[str, Any]:
    """How many months of police data the period holds, for the cover and beside headline figures.

    Below the expected number the assessment ran only because the operator accepted an incomplete
    cycle (--accept-incomplete); the note says so wherever a headline figure is printed.
    """
    present, expected = mx.value(M.PERIOD_MONTHS_PRESENT, "police_uk"), mx.value(M.PERIOD_MONTHS_EXPECTED, "police_uk")
    if present is None or expected is None:
        return {"present": "", "expected": "", "complete": True, "note": ""}
    complete = present >= expected
    note = (f"Data: {int(present)} of {int(expected)} months of police-recorded data present." if complete else
            f"Incomplete data: only {int(present)} of {int(expected)} months of police-recorded data are "
            "present; the operator accepted the incomplete period, and every figure covers those months only.")
    return {"present": str(int(present)), "expected": str(int(expected)), "complete": complete, "note": note}


def key_figures(setting: Setting, mx: Metrics) -> list[dict[str, str]]:
    nb = setting.numbers
    rows = [{"label": c, **comparison(mx, nb, "police_uk", c)} for c in mx.categories("police_uk")]
    for source in sorted(set(mx.frame.source_kind) - {"police_uk", "population"}):
        if setting.public and is_illustrative(setting.config, source):
            continue  # illustrative data is never published
        if mx.row(M.COUNT, source) is not None:
            rows.append({"label": source_label(setting.config, source), **comparison(mx, nb, source, "All")})
    return [{k: r[k] for k in ("label", "current", "previous", "change_pct", "change_label")} for r in rows]


def area_classes(recs: list[RecommendationView]) -> list[dict[str, str]]:
    """Priority areas by class, names joined for a table cell: the class in force once the board has
    decided, else the recommended class, and a status saying which."""
    classes: dict[str, list[RecommendationView]] = {c: [] for c in AREA_CLASSES}
    for rec in recs:
        if rec.kind == "area" and S.in_force(rec) in classes:
            classes[S.in_force(rec)].append(rec)
    rows = []
    for label, members in classes.items():
        if not members:
            continue
        decided = all(S.is_decided(r) for r in members)
        status = f"Agreed on {S.decision_date(members)}" if decided else "Recommended"
        rows.append({"label": label, "areas": ", ".join(sorted(r.subject_name for r in members)),
                     "status": status})
    return rows


def build_sa_summary(session: Session, setting: Setting) -> Built:
    everything = load(session, setting)
    data = real_only(setting, everything)
    sources = source_rows(setting, data.files)
    context = {
        **common(setting),
        "illustrative_findings": illustrative_block(setting, everything, 0, 0)["findings"],
        "totals": totals(data.metrics, setting.numbers),
        "has_previous": K.has_previous(data.metrics),
        "key_findings": K.key_findings(data.metrics, setting.numbers, data.recommendations,
                                       setting.config.local_authority.name, setting.period.ending_label),
        "recommendations": recommendation_rows(data.recommendations, data.metrics, setting),
        "key_figures": key_figures(setting, data.metrics),
        "priority_areas": area_classes(data.recommendations),
        "illustrative_sources": sorted({s["description"] for s in sources if s["illustrative"]}),
        "match": match_rates(data.metrics, setting.numbers, setting.config.area_unit.kind == "msoa"),
        "months": months_present(data.metrics),
    }
    return Built(context, tuple(f.id for f in data.files), data.metrics.runs())
