"""Themes of the strategic assessment and the data that speaks to each.

The strategic assessment (seed 004) groups its chapters under "Personal safety" and "Community harm";
priorities are scored per theme. Police.uk has no domestic-abuse or hate flag, so those themes rest on
partner sources (IDVA referrals, hate crime reports) and say so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    section: str  # "Personal safety" or "Community harm"
    police_categories: tuple[str, ...] = ()
    partner_sources: tuple[str, ...] = ()


THEMES: tuple[Theme, ...] = (
    Theme("violence", "Violence", "Personal safety",
          ("Violence and sexual offences", "Robbery", "Possession of weapons"),
          ("ambulance", "ae")),
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
