"""How numbers are printed in each version of a paper: the one place public papers meet suppression.

A public paper prints every count through :mod:`csp.suppression` (1-4 as "<5") and withholds a rate,
share or change computed from a suppressed count ("[c]"); a restricted paper prints the stored values.
Both use the assessment's own formats, so a number in a paper reads exactly as the stored metric.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from csp import metrics as M
from csp import suppression as S

PUBLIC = "public"
RESTRICTED = "restricted"
VERSIONS = (PUBLIC, RESTRICTED)
MARKINGS = {PUBLIC: "OFFICIAL", RESTRICTED: "OFFICIAL-SENSITIVE"}

NOT_AVAILABLE = S.NOT_AVAILABLE
WITHHELD = S.CONFIDENTIAL


@dataclass(frozen=True)
class Numbers:
    """Number formatting for one version of one partnership's papers."""

    public: bool
    minimum: int = S.DEFAULT_MINIMUM

    def count(self, value: object, suppressed: bool | None = None) -> str:
        """A count of incidents, people or rows."""
        number = S.as_number(value)
        if number is None:
            return NOT_AVAILABLE
        if self.public:
            return S.display_metric(M.COUNT, number, suppressed, self.minimum)
        return S.format_metric(M.COUNT, number)

    def metric(self, metric: str, value: object, suppressed: bool | None = None,
               base_counts: Iterable[object] = ()) -> str:
        """A stored metric (rate, share, change...), withheld in public when its base is small."""
        number = S.as_number(value)
        if self.public:
            if any(S.is_small(count, self.minimum) for count in base_counts):
                return WITHHELD
            return S.display_metric(metric, number, suppressed, self.minimum)
        return S.format_metric(metric, number)

    def percent(self, value: object) -> str:
        """A share of rows (match rate, coverage): never disclosive, printed as stored."""
        number = S.as_number(value)
        return NOT_AVAILABLE if number is None else f"{number:.1f}%"
