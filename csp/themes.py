"""Themes of the strategic assessment and the data that speaks to each.

The strategic assessment (seed 004) groups its chapters under "Personal safety" and "Community harm";
priorities are scored per theme. Police.uk has no domestic-abuse or hate flag, so those themes rest on
partner sources (IDVA referrals, hate crime reports) and say so.

No double counting: every police.uk category is *counted* in exactly one theme
(``police_categories``), so totals across themes add up to the partnership total. A theme may also
*read* a category counted elsewhere (``related_categories``: possession of weapons belongs to
"Exploitation and weapons" and is related to "Violence"); related categories are never added into a
theme's total, and :func:`overlap_note` gives the sentence to print beside a theme's total.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    section: str  # "Personal safety" or "Community harm"
    police_categories: tuple[str, ...] = ()  # counted in this theme's totals (each in one theme only)
    partner_sources: tuple[str, ...] = ()
    related_categories: tuple[str, ...] = ()  # read beside the theme, counted in another theme


THEMES: tuple[Theme, ...] = (
    Theme("violence", "Violence", "Personal safety",
          ("Violence and sexual offences", "Robbery"),
          ("ambulance", "ae"), ("Possession of weapons",)),
    Theme("domestic_abuse", "Domestic abuse", "Personal safety", (), ("idva",)),
    Theme("acquisitive", "Acquisitive crime", "Personal safety",
          ("Burglary", "Vehicle crime", "Bicycle theft", "Shoplifting", "Theft from the person",
           "Other theft")),
    Theme("exploitation", "Exploitation and weapons", "Personal safety",
          ("Possession of weapons",)),
    Theme("asb", "Anti-social behaviour", "Community harm",
          ("Anti-social behaviour",), ("council_asb",)),
    Theme("criminal_damage", "Criminal damage", "Community harm", ("Criminal damage and arson",)),
    Theme("drugs", "Drug misuse", "Community harm", ("Drugs",)),
    Theme("fire", "Fire", "Community harm", (), ("fire",)),
    Theme("hate_crime", "Hate crime", "Community harm", (), ("hate_crime",)),
    Theme("public_order", "Public order", "Community harm", ("Public order", "Other crime")),
)

THEMES_BY_ID = {theme.id: theme for theme in THEMES}
SECTIONS = ("Personal safety", "Community harm")


def theme(theme_id: str) -> Theme:
    try:
        return THEMES_BY_ID[theme_id]
    except KeyError:
        raise KeyError(f"unknown theme {theme_id!r}; expected one of {sorted(THEMES_BY_ID)}") from None


def counting_theme(category: str) -> Theme | None:
    """The one theme whose totals count a police.uk category (None for a category in no theme)."""
    return next((t for t in THEMES if category in t.police_categories), None)


def overlap_note(theme_id: str) -> str:
    """Where a theme reads categories counted elsewhere, the sentence that says so ('' if none)."""
    t = theme(theme_id)
    parts = []
    for category in t.related_categories:
        home = counting_theme(category)
        if home is not None and home.id != t.id:
            parts.append(f"{category} is counted under {home.title}, not in this total")
    return "; ".join(parts) + ("." if parts else "")


def _check_no_double_counting() -> None:
    seen: dict[str, str] = {}
    for t in THEMES:
        for category in t.police_categories:
            if category in seen:
                raise ValueError(f"csp/themes.py: {category!r} is counted in both {seen[category]!r} and "
                                 f"{t.id!r}; count it in one theme and list it in the other's "
                                 "related_categories")
            seen[category] = t.id


_check_no_double_counting()
