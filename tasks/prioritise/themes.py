"""Thematic priorities: score each theme on volume, change and harm, then recommend retain/add/retire.

A theme's evidence is its police.uk categories (csp/themes.py) when the store has them, otherwise its
partner sources (IDVA, fire, hate crime...). Volume and harm are percentile ranks among the themes with
data; change is this year's count against last year's, tested as the assessment tests change
(``tasks.assess.stats``): the quasi-Poisson regression on the theme's monthly counts where the store
holds them, otherwise the exact conditional test; the themes' tests are adjusted together
(Benjamini-Hochberg). Categories with a recording change the analyst has not accepted are left out of
the change (not of the volume). The score is their weighted mean, weights being flow parameters
(:class:`ThemeScoring`). Continuity comes first: a long-term priority is retained unless
the data argue against it (a significant decrease *and* a score below ``retire_below``), as both seed
partnerships did in 2021.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from csp import metrics as m
from csp.config import Priority
from csp.themes import THEMES, Theme, overlap_note
from tasks.assess import stats
from tasks.prioritise.common import (
    ADD,
    MONITOR,
    NO_DATA,
    PRIORITY_THEME_VALUES,
    RETAIN,
    RETIRE,
    THEME,
    Adoption,
    Draft,
    fmt_count,
)

INCREASE, DECREASE, NO_CHANGE, NOT_COMPARABLE = m.CHANGE_LABELS
RECORDING = m.RECORDING_CHANGE_LABEL
_CHANGE_SCORE = {INCREASE: 1.0, NO_CHANGE: 0.5, NOT_COMPARABLE: 0.5, RECORDING: 0.5, DECREASE: 0.0}
DEFAULT_HARM_WEIGHT = 1.0


class ThemeScoring(BaseModel):
    """Weights of the three parts of a theme's score and the score thresholds for add and retire."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    volume: float = Field(default=1.0, ge=0, description="weight of the volume rank")
    change: float = Field(default=1.0, ge=0, description="weight of the change against last year")
    harm: float = Field(default=1.0, ge=0, description="weight of the harm-weighted volume rank")
    add_at: float = Field(default=0.75, ge=0, le=1, description="score from which a new theme is added")
    retire_below: float = Field(default=0.25, ge=0, le=1, description="score below which one may retire")

    @model_validator(mode="after")
    def _sensible(self) -> ThemeScoring:
        if self.volume + self.change + self.harm <= 0:
            raise ValueError("theme scoring: at least one of volume, change, harm must be above 0")
        if self.retire_below >= self.add_at:
            raise ValueError(f"theme scoring: retire_below ({self.retire_below}) must be below "
                             f"add_at ({self.add_at})")
        return self


@dataclass(frozen=True)
class Series:
    """One count series behind a theme: this year, last year and its harm weight."""

    source_kind: str
    category: str
    current: float
    previous: float | None
    weight: float
    weight_from: str  # the harm_weights key used, or "default"


# --- evidence -----------------------------------------------------------------------------------


def partnership_counts(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[float, float | None]]:
    """(source_kind, category) -> (current, previous) partnership counts from the metric frame.

    The previous count is None where the assessment found no comparable period (its change label, or
    an incomplete previous year for the source): a part-year must never be tested against a full one.
    """
    rows = frame[frame["area_type"] == m.PARTNERSHIP]
    counts = rows[rows["metric"] == m.COUNT]
    current = _values(counts[counts["period"] == m.CURRENT])
    previous = _values(counts[counts["period"] == m.PREVIOUS])
    change = _values(rows[rows["metric"] == m.CHANGE_COUNT])
    labels = rows[rows["metric"] == m.CHANGE]
    not_comparable = {(r.source_kind, r.category) for r in labels.itertuples() if r.label == NOT_COMPARABLE}
    covered = rows[(rows["metric"] == m.MONTHS_COVERED) & (rows["period"] == m.PREVIOUS)]
    incomplete = {r.source_kind for r in covered.itertuples() if r.label == m.COVERAGE_LABELS[1]}
    result = {}
    for key, value in current.items():
        before = previous.get(key)
        if before is None and key in change:
            before = value - change[key]
        if key in not_comparable or key[0] in incomplete:
            before = None
        result[key] = (float(value), None if before is None else float(before))
    return result


def _values(rows: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(r.source_kind, r.category): r.value for r in rows.itertuples() if pd.notna(r.value)}


def harm_weight(harm_weights: dict[str, float], source_kind: str, category: str) -> tuple[float, str]:
    """The configured weight for a category, else for its source, else 1 (and say so)."""
    for key in (category, source_kind):
        if key in harm_weights:
            return float(harm_weights[key]), key
    return DEFAULT_HARM_WEIGHT, "default"


def theme_series(counts: dict[tuple[str, str], tuple[float, float | None]], theme: Theme,
                 harm_weights: dict[str, float]) -> tuple[list[Series], list[Series]]:
    """(primary, supporting): police categories if stored, else partner sources; partners and related
    categories (counted in another theme) support but are never added in."""
    police = [_series(counts, "police_uk", c, harm_weights) for c in theme.police_categories
              if ("police_uk", c) in counts]
    related = [_series(counts, "police_uk", c, harm_weights) for c in theme.related_categories
               if ("police_uk", c) in counts]
    partner = [s for source in theme.partner_sources for s in _partner(counts, source, harm_weights)]
    return (police, partner + related) if police else (partner, related)


def _series(counts, source: str, category: str, harm_weights: dict[str, float]) -> Series:
    current, previous = counts[(source, category)]
    weight, key = harm_weight(harm_weights, source, category)
    return Series(source, category, current, previous, weight, key)


def _partner(counts, source: str, harm_weights: dict[str, float]) -> list[Series]:
    categories = [cat for (src, cat) in counts if src == source and cat != "All"]
    if not categories and (source, "All") in counts:
        categories = ["All"]
    return [_series(counts, source, cat, harm_weights) for cat in sorted(categories)]


# --- change and scores --------------------------------------------------------------------------


def change_test(current: float, previous: float | None, significance: float) -> dict[str, Any]:
    """Two equal-length periods' counts without their months: the exact conditional test."""
    if previous is None or current + previous == 0:
        return {"label": NOT_COMPARABLE, "change_pct": None, "p_value": None}
    return _as_dict(stats.exact_change(current, previous, significance))


def _as_dict(change: stats.Change) -> dict[str, Any]:
    return {"label": change.label, "change_pct": change.change_pct, "p_value": change.p_value,
            "rate_ratio": change.ratio, "interval": [change.ratio_low, change.ratio_high],
            "method": change.method}


Months = tuple[list[str], list[str]]  # (this period's months, the previous period's)


def monthly_test(monthly: pd.DataFrame | None, primary: list[Series], periods: Months,
                 significance: float) -> dict[str, Any] | None:
    """The quasi-Poisson test on the summed monthly counts of the theme's series (None without them)."""
    if monthly is None or monthly.empty:
        return None
    keys = {(s.source_kind, s.category) for s in primary}
    chosen = [(k, c) in keys for k, c in zip(monthly["source_kind"], monthly["category"], strict=True)]
    rows = monthly[chosen]
    if rows.empty:
        return None
    by_month = rows.groupby("period")["value"].sum(min_count=1)
    current, previous = by_month.reindex(periods[0]), by_month.reindex(periods[1])
    if current.isna().any() or previous.isna().any():
        return None
    return _as_dict(stats.year_on_year(current, previous, significance))


@dataclass(frozen=True)
class Evidence:
    theme_id: str
    primary: list[Series]
    supporting: list[Series]
    current: float
    previous: float | None
    harm: float
    change: dict[str, Any]
    left_out: tuple[str, ...] = ()  # categories with a recording change, left out of the change


def _theme_change(primary: list[Series], recording: set[tuple[str, str]], monthly: pd.DataFrame | None,
                  periods: Months | None, significance: float) -> tuple[dict[str, Any], tuple[str, ...]]:
    tested = [s for s in primary if (s.source_kind, s.category) not in recording]
    left_out = tuple(s.category for s in primary if (s.source_kind, s.category) in recording)
    if not tested:
        return {"label": RECORDING, "change_pct": None, "p_value": None}, left_out
    if any(s.previous is None for s in tested):
        return {"label": NOT_COMPARABLE, "change_pct": None, "p_value": None}, left_out
    result = monthly_test(monthly, tested, periods, significance) if periods else None
    if result is None:
        result = change_test(sum(s.current for s in tested), sum(s.previous for s in tested), significance)
    return result, left_out


def gather(frame: pd.DataFrame, harm_weights: dict[str, float], significance: float,
           themes: tuple[Theme, ...] = THEMES, monthly: pd.DataFrame | None = None,
           periods: Months | None = None) -> dict[str, Evidence]:
    """Evidence for every theme that has data in the store; the themes' tests adjusted together."""
    counts = partnership_counts(frame)
    labels = frame[(frame["metric"] == m.CHANGE) & (frame["area_type"] == m.PARTNERSHIP)]
    recording = {(r.source_kind, r.category) for r in labels.itertuples() if r.label == RECORDING}
    evidence = {}
    for theme in themes:
        primary, supporting = theme_series(counts, theme, harm_weights)
        if not primary:
            continue
        current = sum(s.current for s in primary)
        previous = None if any(s.previous is None for s in primary) else sum(s.previous for s in primary)
        harm = sum(s.current * s.weight for s in primary)
        change, left_out = _theme_change(primary, recording, monthly, periods, significance)
        evidence[theme.id] = Evidence(theme.id, primary, supporting, current, previous, harm, change, left_out)
    return _adjust(evidence, significance)


def _adjust(evidence: dict[str, Evidence], significance: float) -> dict[str, Evidence]:
    """Benjamini-Hochberg across the themes' tests; labels follow the adjusted q-value."""
    ids = list(evidence)
    q_values = stats.bh_adjust([evidence[i].change.get("p_value") for i in ids], significance)
    for theme_id, q in zip(ids, q_values, strict=True):
        change = evidence[theme_id].change
        if q is None or change["label"] in (NOT_COMPARABLE, RECORDING):
            continue
        ev = evidence[theme_id]
        tested = [s for s in ev.primary if s.category not in ev.left_out]
        direction = sum(s.current for s in tested) - sum(s.previous or 0 for s in tested)
        label = NO_CHANGE if q >= significance or direction == 0 else (INCREASE if direction > 0 else DECREASE)
        change.update({"q_value": q, "label": label})
    return evidence


def score(evidence: dict[str, Evidence], scoring: ThemeScoring) -> dict[str, dict[str, float]]:
    """Per theme: volume and harm percentile ranks (1 = highest), change score and weighted score."""
    if not evidence:
        return {}
    ids = list(evidence)
    volume = pd.Series([evidence[i].current for i in ids], index=ids)
    harm = pd.Series([evidence[i].harm for i in ids], index=ids)
    volume_pct, harm_pct = volume.rank(pct=True), harm.rank(pct=True)
    volume_rank = volume.rank(ascending=False, method="min")
    harm_rank = harm.rank(ascending=False, method="min")
    total = scoring.volume + scoring.change + scoring.harm
    result = {}
    for i in ids:
        change = _CHANGE_SCORE[evidence[i].change["label"]]
        weighted = (scoring.volume * volume_pct[i] + scoring.change * change
                    + scoring.harm * harm_pct[i]) / total
        result[i] = {"volume": float(volume_pct[i]), "change": change, "harm": float(harm_pct[i]),
                     "score": round(float(weighted), 4), "volume_rank": int(volume_rank[i]),
                     "harm_rank": int(harm_rank[i])}
    return result


# --- priority status and the recommendation ------------------------------------------------------


@dataclass(frozen=True)
class Status:
    """Whether a theme is a priority going into this cycle, and why we think so."""

    current: bool
    long_term: bool
    source: str  # "configuration", "decision", "recommendation" or "none"
    adopted: str | None = None
    title: str | None = None
    earlier: Adoption | None = None


def priority_status(theme_id: str, cycle: str, priorities: list[Priority],
                    earlier: dict[str, Adoption]) -> Status:
    """Earlier cycles' decisions first (they follow the board), then the configuration."""
    configured = next((p for p in priorities if p.theme == theme_id and p.adopted <= cycle), None)
    long_term = bool(configured and configured.long_term)
    adopted = configured.adopted if configured else None
    title = configured.title if configured else None
    if theme_id in earlier:
        before = earlier[theme_id]
        return Status(before.adopted in PRIORITY_THEME_VALUES, long_term, before.source, adopted, title,
                      before)
    return Status(configured is not None, long_term, "configuration" if configured else "none",
                  adopted, title)


def recommend(status: Status, evidence: Evidence | None, scores: dict[str, float] | None,
              scoring: ThemeScoring) -> tuple[str, str]:
    """The recommendation and the rule that gave it."""
    if evidence is None or scores is None:
        return (RETAIN, "priority_without_data") if status.current else (NO_DATA, "no_data")
    decrease = evidence.change["label"] == DECREASE
    low = scores["score"] < scoring.retire_below
    if status.current and status.long_term:
        return (RETIRE, "data_argue_against") if decrease and low else (RETAIN, "long_term_continuity")
    if status.current:
        increase = evidence.change["label"] == INCREASE
        return (RETIRE, "low_score") if low and not increase else (RETAIN, "score_holds")
    return (ADD, "high_score") if scores["score"] >= scoring.add_at else (MONITOR, "below_add")


def recommend_themes(frame: pd.DataFrame, cycle: str, priorities: list[Priority],
                     harm_weights: dict[str, float], earlier: dict[str, Adoption],
                     scoring: ThemeScoring, significance: float, suppression_min: int,
                     monthly: pd.DataFrame | None = None, periods: Months | None = None) -> list[Draft]:
    """One draft per theme of csp/themes.py and per configured priority outside them."""
    evidence = gather(frame, harm_weights, significance, monthly=monthly, periods=periods)
    scores = score(evidence, scoring)
    titles = {t.id: t.title for t in THEMES}
    subjects = list(titles) + [p.theme for p in priorities if p.theme not in titles and p.adopted <= cycle]
    subjects += [s for s in earlier if s not in subjects]
    drafts = []
    for subject in dict.fromkeys(subjects):
        status = priority_status(subject, cycle, priorities, earlier)
        ev, sc = evidence.get(subject), scores.get(subject)
        value, rule = recommend(status, ev, sc, scoring)
        name = status.title or titles.get(subject, subject)
        text = theme_text(value, rule, status, ev, sc, scoring, len(evidence), suppression_min)
        drafts.append(Draft(THEME, subject, name, value, sc["score"] if sc else None,
                            _reasons(rule, status, ev, sc, scoring, subject in titles), text))
    return drafts


def _reasons(rule: str, status: Status, ev: Evidence | None, sc: dict[str, float] | None,
             scoring: ThemeScoring, is_data_theme: bool) -> dict[str, Any]:
    earlier = status.earlier
    reasons: dict[str, Any] = {
        "rule": rule,
        "priority": {"current": status.current, "long_term": status.long_term, "source": status.source,
                     "adopted": status.adopted,
                     "earlier": None if earlier is None else {
                         "cycle": earlier.cycle, "recommended": earlier.recommended,
                         "adopted": earlier.adopted, "outcome": earlier.outcome,
                         "meeting": earlier.meeting}},
        "data_theme": is_data_theme,
        "weights": scoring.model_dump(),
    }
    if ev is not None and sc is not None:
        reasons.update({
            "volume": {"current": ev.current, "previous": ev.previous, "rank_score": sc["volume"],
                       "rank": sc["volume_rank"]},
            "change": {**ev.change, "score": sc["change"]},
            "harm": {"weighted": ev.harm, "rank_score": sc["harm"], "rank": sc["harm_rank"]},
            "score": sc["score"],
            "series": [s.__dict__ for s in ev.primary],
            "supporting": [s.__dict__ for s in ev.supporting],
            "left_out_of_change": list(ev.left_out),
        })
    return reasons


# --- the sentence -------------------------------------------------------------------------------


def theme_text(value: str, rule: str, status: Status, ev: Evidence | None, sc: dict[str, float] | None,
               scoring: ThemeScoring, n_themes: int, suppression_min: int) -> str:
    """The reasons in words (ranks and the tested change; no scores)."""
    lead = {
        "long_term_continuity": f"adopted in {status.adopted} as a long-term priority and the data do "
        "not argue against it",
        "data_argue_against": f"a long-term priority (adopted {status.adopted}) but the data argue "
        "against it: significantly lower than last year and low on volume and harm",
        "score_holds": "a current priority that still ranks high enough on volume, harm and change",
        "low_score": "a current priority now low on volume, harm and change together, with no "
        "significant increase",
        "high_score": "not a current priority, but high on volume, harm and change together: "
        "recommended to add",
        "below_add": "not a current priority, and not high enough on volume, harm and change together "
        "to add it",
        "priority_without_data": "a current priority"
        + (f" (adopted {status.adopted}{', long-term' if status.long_term else ''})" if status.adopted
           else "")
        + "; no stored data speaks to it, so it is retained for continuity and the board's judgement",
        "no_data": "no stored data speaks to this theme (no police category or partner source supplied)",
    }[rule]
    parts = [lead, _history(status)]
    if ev is not None and sc is not None:
        parts += [_volume(ev, sc, n_themes, suppression_min), _change(ev, suppression_min),
                  _harm(sc, n_themes), overlap_note(ev.theme_id).rstrip(".") if ev.theme_id in THEME_IDS
                  else ""]
    return f"{value.capitalize()}: " + "; ".join(p for p in parts if p) + "."


THEME_IDS = {t.id for t in THEMES}


def _ranked(rank: int, n: int, what: str) -> str:
    place = "the largest" if rank == 1 else f"{_ordinal(rank)} largest"
    return f"{place} of the {n} themes {what}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _harm(sc: dict[str, float], n_themes: int) -> str:
    return _ranked(int(sc["harm_rank"]), n_themes, "when weighted by harm")


def _history(status: Status) -> str:
    e = status.earlier
    if e is None or (e.source != "decision" and e.recommended in (MONITOR, NO_DATA)):
        return ""
    if e.source == "decision":
        return f"{e.adopted!r} adopted in {e.cycle} (board decision: {e.outcome}, {e.meeting})"
    return f"recommended {e.recommended!r} in {e.cycle} (no decision recorded)"


def _volume(ev: Evidence, sc: dict[str, float], n_themes: int, suppression_min: int) -> str:
    sources = sorted({s.source_kind for s in ev.primary})
    return (f"{fmt_count(ev.current, suppression_min)} records in the year ({', '.join(sources)}; "
            f"{_ranked(int(sc['volume_rank']), n_themes, 'by volume')})")


def _change(ev: Evidence, suppression_min: int) -> str:
    change = ev.change
    small = any(0 < c < suppression_min for c in (ev.current, ev.previous or 0))
    if small:
        return "change not shown (small numbers)"
    if change["label"] == RECORDING:
        return stats.describe_change(RECORDING)
    if change["label"] == NOT_COMPARABLE:
        return stats.describe_change(NOT_COMPARABLE)
    ratio = change.get("rate_ratio")
    if ratio is None and change.get("change_pct") is not None:
        ratio = 1 + change["change_pct"] / 100
    low, high = (change.get("interval") or [None, None])[:2]
    text = stats.describe_change(change["label"], ratio, low, high, ev.previous, ev.current)
    if ev.left_out:
        text += f" (leaving out {', '.join(ev.left_out)}: a recording change)"
    return text
