"""Money as the papers print it ("£33,113.94", "-£250.00", "TBC") and as the store keeps it: whole pence.

Parsing goes through ``Decimal`` and never through ``float``; a cell with a stray letter ("£1,234.5O"),
misplaced commas or more than two decimal places is refused rather than guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal

UNKNOWN_WORDS = ("tbc", "tba", "to be confirmed")
_MONEY = re.compile(r"^(?P<sign>[-−–])?\s*£?\s*(?P<sign2>[-−–])?\s*(?P<num>\d{1,3}(?:,\d{3})+|\d+)"
                    r"(?:\.(?P<pence>\d{1,2}))?$")
_BRACKETS = re.compile(r"^\((?P<inner>.+)\)$")  # accountants' (250.00) for a negative


class MoneyError(ValueError):
    """A cell that is not an amount of money."""


def parse_pence(cell: str) -> int | None:
    """Pence from a printed amount; None for a blank or a 'TBC'."""
    text = (cell or "").strip()
    if not text or text.lower().rstrip(".") in UNKNOWN_WORDS:
        return None
    negative = False
    if match := _BRACKETS.match(text):
        text, negative = match["inner"].strip(), True
    match = _MONEY.match(text)
    if not match or (match["sign"] and match["sign2"]):
        raise MoneyError(f"{cell!r} is not an amount of money (expected e.g. £1,234.56, -£250.00 or TBC)")
    number = Decimal(match["num"].replace(",", "")) + Decimal(f"0.{(match['pence'] or '0').ljust(2, '0')}")
    pence = int(number * 100)
    return -pence if negative or match["sign"] or match["sign2"] else pence


def is_unknown(cell: str) -> bool:
    return (cell or "").strip().lower().rstrip(".") in UNKNOWN_WORDS


def pounds(pence: int | None, blank: str = "") -> str:
    """'£33,113.94' and '-£250.00' (the seeds' style)."""
    if pence is None:
        return blank
    sign = "-" if pence < 0 else ""
    value = Decimal(abs(pence)) / 100
    return f"{sign}£{value:,.2f}"


def as_decimal(pence: int | None) -> Decimal | None:
    return None if pence is None else Decimal(pence) / 100
