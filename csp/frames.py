"""Shared shapes: the columns of the normalised frames that pass between ingestion and validation.

Readers in ``tasks/ingest`` turn every partner file into one of these frames (typed, with the file's
own line number in ``row_number``); ``tasks/validate`` checks them with the Great Expectations suite
of the same kind; accepted rows are stored, failed rows are quarantined with their reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# data.police.uk street-level columns as published, and our names for them.
POLICE_UK_COLUMNS = {
    "Crime ID": "crime_id",
    "Month": "month",
    "Reported by": "reported_by",
    "Falls within": "falls_within",
    "Longitude": "longitude",
    "Latitude": "latitude",
    "Location": "location",
    "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name",
    "Crime type": "category",
    "Last outcome category": "outcome",
    "Context": "context",
}

# The police.uk crime types (https://data.police.uk/docs/method/crime-street/), our category set.
POLICE_UK_CATEGORIES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)

# Typed columns of each normalised frame (besides row_number, always present).
#   month: str "YYYY-MM" (first month of the period for quarterly tables)
#   counts: int; coordinates: float (NaN when absent); text: str or None
FRAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "police_uk": (
        "crime_id", "month", "reported_by", "falls_within", "longitude", "latitude",
        "location", "lsoa_code", "lsoa_name", "category", "outcome", "context",
    ),
    "population": (
        "lsoa_code", "lsoa_name", "msoa_code", "msoa_name", "la_code", "la_name",
        "persons", "households",
    ),
    # partner tables share one shape; subcategory, area_code and area_name may be empty
    "fire": ("month", "category", "subcategory", "area_code", "area_name", "count"),
    "ambulance": ("month", "category", "subcategory", "area_code", "area_name", "count"),
    "ae": ("month", "category", "subcategory", "area_code", "area_name", "count"),
    "council_asb": ("month", "category", "subcategory", "area_code", "area_name", "count"),
    "hate_crime": ("month", "category", "subcategory", "area_code", "area_name", "count"),
    # IDVA: district referrals per quarter; month is the quarter's first month, period_months 3
    "idva": ("month", "period_months", "category", "subcategory", "area_code", "area_name", "count"),
}

PARTNER_KINDS = ("fire", "ambulance", "ae", "council_asb", "hate_crime", "idva")

# Allowed categories for partner tables (validated by the suites in expectations/).
PARTNER_CATEGORIES: dict[str, tuple[str, ...]] = {
    "fire": ("Deliberate primary", "Deliberate secondary", "Accidental primary",
             "Accidental secondary", "Cause not known"),
    "ambulance": ("Assault-related call-out",),
    "ae": ("Assault attendance",),
    "council_asb": ("Nuisance", "Personal", "Environmental"),
    "hate_crime": ("Race", "Religion", "Sexual orientation", "Disability", "Transgender"),
    "idva": ("IDVA referrals",),
}


@dataclass(frozen=True)
class RowProblem:
    """One failed row-level rule: the row is quarantined with this reason, never dropped."""

    row_number: int
    column: str | None
    rule: str
    reason: str
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckOutcome:
    """One expectation's result on a frame."""

    suite: str
    expectation: str
    column: str | None
    severity: str  # "blocking" or "warning"
    success: bool
    element_count: int | None
    unexpected_count: int | None
    message: str
    details: dict[str, Any] = field(default_factory=dict)
