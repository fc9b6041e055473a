"""Names: which theme a category or partner source belongs to, expected categories, file-safe keys."""

from __future__ import annotations

import re

from csp import metrics as M
from csp.frames import PARTNER_CATEGORIES, POLICE_UK_CATEGORIES
from csp.themes import THEMES

# What a partner source's categories are called in sentences and charts ("fires by cause").
DIMENSION = {"fire": "cause", "hate_crime": "strand", "council_asb": "category"}


def theme_of_category(category: str) -> str:
    """The first theme (csp.themes order) that lists a police.uk category; overview otherwise."""
    for theme in THEMES:
        if category in theme.police_categories:
            return theme.id
    return M.OVERVIEW_THEME


def theme_of_source(kind: str) -> str:
    """The theme a partner source speaks to (ambulance and A&E: violence; IDVA: domestic abuse)."""
    if kind == "police_uk":
        return M.OVERVIEW_THEME
    for theme in THEMES:
        if kind in theme.partner_sources:
            return theme.id
    return M.OVERVIEW_THEME


def theme_of(kind: str, category: str) -> str:
    return theme_of_category(category) if kind == "police_uk" else theme_of_source(kind)


def expected_categories(kind: str) -> tuple[str, ...]:
    """The categories a source should report, so a category absent from a year shows as 0."""
    if kind == "police_uk":
        return POLICE_UK_CATEGORIES
    return PARTNER_CATEGORIES.get(kind, ())


def slug(text: str) -> str:
    """'Violence and sexual offences' -> 'violence-and-sexual-offences' (chart file names)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
