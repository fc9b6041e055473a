"""Sentences with two faces: the analyst's text and the public text after suppression.

A :class:`Text` carries both versions side by side, so a finding is written once and its public form
can never drift from it: counts go through the suppressed tables (``Published.show``) and derived
figures are replaced by "[c]" when any count they rest on is hidden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from csp.suppression import CONFIDENTIAL
from tasks.assess.publish import Published
from tasks.assess.rows import CellRef

WITHHELD = "figures withheld: small numbers"


@dataclass(frozen=True)
class Text:
    raw: str
    public: str

    def __add__(self, other: Text | str) -> Text:
        other = plain(other) if isinstance(other, str) else other
        return Text(self.raw + other.raw, self.public + other.public)

    def __radd__(self, other: str) -> Text:
        return plain(other) + self


def plain(text: str) -> Text:
    return Text(text, text)


def join(parts: list[Text], sep: str = ", ") -> Text:
    out = plain("")
    for i, part in enumerate(parts):
        out = out + (sep if i else "") + part
    return out


def count(published: Published, ref: CellRef, value: float) -> Text:
    """A count: the number for analysts, '<5' or '[c]' where the public table hides it."""
    return Text(fmt_int(value), published.show(ref, value))


def derived(text: str, hidden: bool) -> Text:
    """A figure computed from counts: withheld ('[c]') in public when any of them is hidden."""
    return Text(text, CONFIDENTIAL if hidden else text)


def clause(text: str, hidden: bool, public_alternative: str = WITHHELD) -> Text:
    """A whole clause of derived figures, replaced by a short note in public when hidden."""
    return Text(text, public_alternative if hidden else text)


def fmt_int(value: float | None) -> str:
    return "n/a" if value is None or _nan(value) else f"{int(round(value)):,}"


def fmt_pct(value: float | None, signed: bool = False, digits: int = 0) -> str:
    if value is None or _nan(value):
        return "n/a"
    rounded = round(value, digits)
    if rounded == 0:
        return f"{0:.{digits}f}%"
    return f"{rounded:+.{digits}f}%" if signed else f"{rounded:.{digits}f}%"


def fmt_p(value: float | None) -> str:
    if value is None or _nan(value):
        return "p n/a"
    if value < 0.001:
        return "p<0.001"
    return f"p={value:.3f}" if value < 0.01 else f"p={value:.2f}"


def fmt_rate(value: float | None) -> str:
    return "n/a" if value is None or _nan(value) else f"{value:,.1f}"


def _nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)
