"""Words and shapes shared by the priority rules, the theme scoring, the store and the decisions.

A recommendation is drafted as a plain :class:`Draft` (picklable, so Prefect can persist it) and only
becomes a ``recommendation`` row when the flow saves it. What the board adopted from an earlier cycle is
an :class:`Adoption`: the decision where one was recorded, otherwise the recommendation itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

AREA = "area"
THEME = "theme"
KINDS = (AREA, THEME)

# Area classes (seed 000: South Cambs priority areas) and the no-class value.
EMERGING = "Emerging"
PREVENTING = "Preventing"
SUSTAINING = "Sustaining"
DISCHARGED = "Discharged"
NO_CLASS = "None"
AREA_CLASSES = (EMERGING, PREVENTING, SUSTAINING, DISCHARGED, NO_CLASS)
PRIORITY_CLASSES = (EMERGING, PREVENTING, SUSTAINING)  # an area in one of these is a priority area

# Theme recommendations.
RETAIN = "retain"
ADD = "add"
RETIRE = "retire"
MONITOR = "monitor"  # not a priority and not recommended as one: business as usual
NO_DATA = "no data"
THEME_VALUES = (RETAIN, ADD, RETIRE, MONITOR, NO_DATA)
PRIORITY_THEME_VALUES = (RETAIN, ADD)  # a theme adopted with one of these is a priority

# Board outcomes.
ACCEPTED = "accepted"
CHANGED = "changed"
REJECTED = "rejected"
OUTCOMES = (ACCEPTED, CHANGED, REJECTED)

STAGE = "priorities"


@dataclass(frozen=True)
class Draft:
    """A recommendation before it is stored: what, why (as data) and why (as a sentence)."""

    kind: str
    subject: str
    subject_name: str
    recommendation: str
    score: float | None
    reasons: dict[str, Any] = field(default_factory=dict)
    reason_text: str = ""


@dataclass(frozen=True)
class Adoption:
    """What stood for a subject after an earlier cycle: the board's decision, else the recommendation."""

    cycle: str
    subject: str
    recommended: str
    adopted: str
    source: str  # "decision" or "recommendation"
    outcome: str | None = None
    meeting: str | None = None


def clean_number(value: Any) -> float | int | None:
    """A JSON-safe number: NaN and infinities become None (PostgreSQL JSON refuses NaN)."""
    if value is None or isinstance(value, bool | int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def clean(value: Any) -> Any:
    """Make reasons JSON-safe recursively (numpy scalars, NaN, tuples)."""
    if isinstance(value, dict):
        return {str(key): clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [clean(item) for item in value]
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return value
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, int | float):
        return clean_number(value)
    return str(value)


def fmt_count(count: float | int | None, suppression_min: int) -> str:
    """A count as printed in a public paper: 1 to suppression_min-1 become '<N'."""
    if count is None:
        return "no count"
    number = int(round(count))
    if 0 < number < suppression_min:
        return f"<{suppression_min}"
    return f"{number:,}"


def fmt_pct(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.1f}%"


def fmt_p(value: float | None) -> str:
    if value is None:
        return "p n/a"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def share_label(share: float) -> str:
    """0.2 -> 'top 20%'."""
    return f"top {share * 100:g}%"


_THEME_REJECTED = {RETAIN: RETIRE, ADD: MONITOR, RETIRE: RETAIN}


def rejected_value(kind: str, recommendation: str, reasons: dict[str, Any] | None = None) -> str:
    """What stands when the board rejects a recommendation.

    Areas: not a priority area ("None"), except that rejecting "Discharged" keeps the area in its
    earlier class. Themes: the opposite (retain -> retire, add -> monitor, retire -> retain).
    """
    if kind == AREA:
        if recommendation == DISCHARGED:
            earlier = ((reasons or {}).get("rules", {}).get("earlier_priority") or {}).get("class")
            return earlier if earlier in PRIORITY_CLASSES else SUSTAINING
        return NO_CLASS
    return _THEME_REJECTED.get(recommendation, recommendation)


def adopted_value(
    kind: str,
    recommendation: str,
    outcome: str | None,
    decided_value: str | None,
    reasons: dict[str, Any] | None = None,
) -> str:
    """What stands for a subject after the board's decision; the next cycle builds on this.

    A decision stores what it adopted (``decided_value``): the recommendation as it was when accepted,
    the new class or value when changed, the consequence of a rejection. A theme changed only in its
    wording keeps the recommendation it was decided on.
    """
    if outcome is None or not decided_value:
        return recommendation
    if kind == THEME and decided_value not in THEME_VALUES:
        return (reasons or {}).get("decided_on") or recommendation
    return decided_value
