"""Which rows belong to the partnership, and where in it they are.

Geography 2021 (the default): a police row is placed by its LSOA code. A 2021 code is looked up in the
Census 2021 file (LSOA -> MSOA -> authority). A 2011 code (police.uk published 2011 codes until late
2022) is mapped through the ONS exact-fit lookup:

- U (unchanged) and M (several 2011 LSOAs merged into one 2021 LSOA): one 2021 LSOA, exact.
- S (one 2011 LSOA split into several 2021 LSOAs) and X (irregular change): the row's 2011 area now lies
  in several 2021 LSOAs and the published record does not say which. It is given to the part with the
  most 2021 residents (deterministic; ties go to the lowest code) and counted, so LSOA-level figures
  for those months carry that approximation and say so. Most splits stay inside one MSOA, so MSOA
  figures are usually exact; the rows whose parts lie in different MSOAs are counted separately.
- A code in neither file is 'unmatched': the row is kept in the partnership when its LSOA name says so
  (the name's prefix is the authority), but it is in no area and is counted as such.

Rows without any LSOA cannot be placed in any partnership: they are counted and reported.

Geography 2011 (``geography.vintage: 2011``) keeps the older placement by LSOA name prefix against a
Census 2011 population file, for a partnership whose data still needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from csp.config import Partnership
from csp.distinct import by_distinct
from csp.frame_memo import per_frame
from tasks.ingest import readers

_LSOA_SUFFIX = re.compile(r"\s+\d{3}[A-Z]$")
DIRECT = "2021"
UNMATCHED = "unmatched"
MAPPED = {code: f"2011-{code}" for code in ("U", "S", "M", "X")}


def la_of_lsoa_name(names: pd.Series) -> pd.Series:
    """'Cambridge 008E' -> 'Cambridge'; None stays None."""
    return names.astype("string").str.replace(_LSOA_SUFFIX, "", regex=True)


def msoa_of_lsoa_name(names: pd.Series) -> pd.Series:
    """'Cambridge 008E' -> 'Cambridge 008' (the MSOA name, the same in 2011 and 2021 for most)."""
    return names.astype("string").str.replace(r"[A-Z]$", "", regex=True).str.strip()


@dataclass(frozen=True)
class AreaSplit:
    inside: pd.DataFrame
    outside: int  # rows placed in another authority
    unlocated: int  # rows with no LSOA at all
    mapping: dict[str, int] = field(default_factory=dict)  # rows inside by how their LSOA was placed


@dataclass(frozen=True)
class Reference:
    """The 2021 lookups a partnership's configuration names (read once per file, cached)."""

    lsoas: pd.DataFrame  # census2021_lsoas: lsoa_code (index), lsoa_name, msoa_code, msoa_name, la_code, persons
    changes: pd.DataFrame | None  # lsoa11_code, change_code, lsoa21_code
    names: pd.DataFrame | None  # msoa21cd (index) -> msoa21hclnm, msoa21hclnmw
    wards: pd.DataFrame | None  # lsoa21_code (index) -> ward24_code, ward24_name


def reference(config: Partnership, data_dir: Path | None = None) -> Reference:
    """The partnership's 2021 reference data: the census file is its population source."""
    geo = config.geography
    census = readers.census2021_lsoas(config.source_path("population", data_dir))
    changes_path = config.reference_path(geo.lsoa_2011_to_2021, data_dir)
    names_path = config.reference_path(geo.msoa_names, data_dir)
    wards_path = config.reference_path(geo.wards, data_dir)
    return Reference(
        lsoas=census,
        changes=readers.lsoa_2011_to_2021(changes_path) if changes_path else None,
        names=readers.msoa_place_names(names_path) if names_path else None,
        wards=readers.lsoa_wards(wards_path) if wards_path else None,
    )


def _largest_part(changes: pd.DataFrame, lsoas: pd.DataFrame) -> pd.DataFrame:
    """Each 2011 code -> one 2021 code: the only one, or for splits the part with most residents."""
    # derived from the cached, never modified reference frames: once per process, not once per file
    return per_frame("largest_part", changes, lambda: _compute_largest_part(changes, lsoas["persons"]),
                     same=(lsoas,))


def _compute_largest_part(changes: pd.DataFrame, persons: pd.Series) -> pd.DataFrame:
    pairs = changes.assign(persons=changes["lsoa21_code"].map(persons).fillna(-1))
    pairs = pairs.sort_values(["lsoa11_code", "persons", "lsoa21_code"], ascending=[True, False, True])
    first = pairs.drop_duplicates("lsoa11_code").set_index("lsoa11_code")
    parts = pairs.groupby("lsoa11_code")["lsoa21_code"].nunique()
    # A 2011 code with several rows in the lookup is split or irregular whatever its own flag says.
    first["change_code"] = first["change_code"].where(parts.reindex(first.index) == 1,
                                                      first["change_code"].replace({"U": "S", "M": "X"}))
    return first[["lsoa21_code", "change_code"]]


def _multi_msoa(changes: pd.DataFrame, lsoas: pd.DataFrame) -> set[str]:
    """2011 codes whose 2021 parts lie in more than one MSOA (the MSOA of such a row is uncertain)."""
    return per_frame("multi_msoa", changes, lambda: _compute_multi_msoa(changes, lsoas), same=(lsoas,))


def _compute_multi_msoa(changes: pd.DataFrame, lsoas: pd.DataFrame) -> set[str]:
    msoa = changes["lsoa21_code"].map(lsoas["msoa_code"])
    spread = msoa.groupby(changes["lsoa11_code"]).nunique()
    return set(spread[spread > 1].index)


def place_lsoa_codes(codes: pd.Series, ref: Reference) -> pd.DataFrame:
    """Published LSOA codes -> ``lsoa21_code`` and ``lsoa_mapping`` (how), row for row.

    lsoa_mapping is '2021' (a 2021 code), '2011-U'/'2011-M' (exact), '2011-S'/'2011-X' (given to the
    most populous part), 'unmatched' (in neither file) or None (no code).
    """
    text = codes.astype("string").str.strip()
    direct = text.isin(ref.lsoas.index)
    out = pd.DataFrame({"lsoa21_code": text.where(direct).astype(object),
                        "lsoa_mapping": pd.Series(DIRECT, index=codes.index, dtype=object).where(direct)})
    if ref.changes is not None:
        mapped = _largest_part(ref.changes, ref.lsoas)
        old = ~direct & text.isin(mapped.index)
        out.loc[old, "lsoa21_code"] = text[old].map(mapped["lsoa21_code"]).astype(object)
        out.loc[old, "lsoa_mapping"] = text[old].map(mapped["change_code"]).map(MAPPED).astype(object)
    unmatched = text.notna() & (text != "") & out["lsoa_mapping"].isna()
    out.loc[unmatched, "lsoa_mapping"] = UNMATCHED
    return out.astype(object).where(out.notna(), None)


def _placed(frame: pd.DataFrame, ref: Reference) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Each row's 2021 LSOA and how it was found, its authority, and the authority named by its LSOA:
    the same for every partnership of the force, so worked out once per file (``frame_memo``)."""
    def answer() -> tuple[pd.DataFrame, pd.Series, pd.Series]:
        placed = by_distinct(frame["lsoa_code"], lambda codes: place_lsoa_codes(codes, ref))
        authority = placed["lsoa21_code"].map(ref.lsoas["la_code"])
        return placed, authority, by_distinct(frame["lsoa_name"], la_of_lsoa_name)

    return per_frame("placed", frame, answer, same=(ref.lsoas, ref.changes))


def split_police(frame: pd.DataFrame, config: Partnership, ref: Reference | None = None) -> AreaSplit:
    """The rows of this partnership's authority, each with its 2021 LSOA and MSOA (or 2011 by name)."""
    if config.geography.vintage == 2011:
        return _split_police_2011(frame, config)
    ref = ref or reference(config)
    placed, authority, named = _placed(frame, ref)
    by_name = named == config.local_authority.lsoa_name_prefix
    unmatched = placed["lsoa_mapping"] == UNMATCHED
    inside = ((authority == config.local_authority.code) | (unmatched & by_name.fillna(False))) \
        .fillna(False).astype(bool)
    unlocated = placed["lsoa_mapping"].isna()
    kept = frame[inside].copy()
    code = placed.loc[inside, "lsoa21_code"]
    kept["lsoa_code_published"] = kept["lsoa_code"]
    kept["lsoa_mapping"] = placed.loc[inside, "lsoa_mapping"]
    kept["lsoa_code"] = code.where(code.notna(), kept["lsoa_code"]).astype(object)
    kept["lsoa_name"] = code.map(ref.lsoas["lsoa_name"]).where(code.notna(), kept["lsoa_name"]).astype(object)
    kept["msoa_code"] = code.map(ref.lsoas["msoa_code"]).astype(object)
    kept["msoa_name"] = code.map(ref.lsoas["msoa_name"]).astype(object)
    mapping = kept["lsoa_mapping"].value_counts().to_dict()
    if ref.changes is not None:
        uncertain = kept["lsoa_code_published"].isin(_multi_msoa(ref.changes, ref.lsoas))
        mapping["2011 split across MSOAs"] = int(uncertain.sum())
    return AreaSplit(kept, outside=int((~inside & ~unlocated).sum()), unlocated=int(unlocated.sum()),
                     mapping={str(k): int(v) for k, v in mapping.items()})


def _split_police_2011(frame: pd.DataFrame, config: Partnership) -> AreaSplit:
    prefix = config.local_authority.lsoa_name_prefix
    authority = la_of_lsoa_name(frame["lsoa_name"])
    unlocated = authority.isna()
    inside = (authority == prefix).fillna(False).astype(bool)
    kept = frame[inside].copy()
    kept["msoa_name"] = msoa_of_lsoa_name(kept["lsoa_name"]).astype(object)
    kept["lsoa_code_published"] = kept["lsoa_code"]
    kept["lsoa_mapping"] = None
    kept["msoa_code"] = None
    return AreaSplit(kept, outside=int((~inside & ~unlocated).sum()), unlocated=int(unlocated.sum()))


def lsoa_changes(ref: Reference) -> pd.Series:
    """2021 LSOA code -> how it came from 2011: U, M, S (a part of a split), X, or 'new' (not in 2011)."""
    if ref.changes is None:
        return pd.Series(None, index=ref.lsoas.index, dtype=object)
    return per_frame("lsoa_changes", ref.changes, lambda: _compute_lsoa_changes(ref.changes, ref.lsoas),
                     same=(ref.lsoas,)).copy()


def _compute_lsoa_changes(changes: pd.DataFrame, lsoas: pd.DataFrame) -> pd.Series:
    ref = Reference(lsoas, changes, None, None)
    codes = pd.Series("new", index=ref.lsoas.index, dtype=object)
    ranked = ref.changes.assign(order=ref.changes["change_code"].map({"U": 0, "M": 1, "S": 2, "X": 3}))
    worst = ranked.sort_values("order").drop_duplicates("lsoa21_code", keep="last")
    codes.update(worst.set_index("lsoa21_code")["change_code"])
    return codes


def split_population(frame: pd.DataFrame, config: Partnership, ref: Reference | None = None) -> AreaSplit:
    """The authority's LSOAs; with 2021 geography each also gets its MSOA place name, ward and change."""
    inside = frame["la_code"] == config.local_authority.code
    kept = frame[inside].copy()
    if config.geography.vintage == 2021 and "lsoa_code" in kept.columns:
        ref = ref or reference(config)
        kept = enrich_population(kept, ref)
    return AreaSplit(kept, outside=int((~inside).sum()), unlocated=0)


def enrich_population(frame: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """Add msoa_place_name (House of Commons Library), ward_code/ward_name and lsoa_change."""
    out = frame.copy()
    codes = out["lsoa_code"]
    if ref.names is not None:
        place = out["msoa_code"].map(ref.names["msoa21hclnm"])
        out["msoa_place_name"] = place.where(place.notna() & (place != ""), out["msoa_name"]).astype(object)
        welsh = out["msoa_code"].map(ref.names["msoa21hclnmw"])
        out["msoa_place_name_welsh"] = welsh.where(welsh.notna() & (welsh != ""), None).astype(object)
    else:
        out["msoa_place_name"], out["msoa_place_name_welsh"] = out["msoa_name"], None
    out["ward_code"] = codes.map(ref.wards["ward24_code"]).astype(object) if ref.wards is not None else None
    out["ward_name"] = codes.map(ref.wards["ward24_name"]).astype(object) if ref.wards is not None else None
    out["lsoa_change"] = codes.map(lsoa_changes(ref)).astype(object)
    return out


def boundary_lsoas(properties: list[dict], config: Partnership, ref: Reference | None = None) -> pd.DataFrame:
    """Which boundary features lie in the partnership: by 2021 code (2021) or LSOA name prefix (2011)."""
    codes = pd.Series([p.get("LSOA21CD") or p.get("LSOA11CD") for p in properties], dtype=object)
    names = pd.Series([p.get("LSOA21NM") or p.get("LSOA11NM") for p in properties], dtype=object)
    if config.geography.vintage == 2021 and codes.notna().any():
        ref = ref or reference(config)
        la = codes.map(ref.lsoas["la_code"])
        inside = (la == config.local_authority.code).fillna(False).astype(bool)
    else:
        inside = (la_of_lsoa_name(names) == config.local_authority.lsoa_name_prefix).fillna(False).astype(bool)
    return pd.DataFrame({"lsoa_code": codes[inside], "lsoa_name": names[inside]}).reset_index(drop=True)


def split_partner(frame: pd.DataFrame, config: Partnership) -> AreaSplit:
    """Partner tables may cover several districts (a 'district' column); keep this authority's rows."""
    district = frame["district"]
    if district.isna().all():
        return AreaSplit(frame.copy(), outside=0, unlocated=0)
    name = config.local_authority.name.casefold()
    inside = district.astype("string").str.strip().str.casefold() == name
    inside = inside.fillna(False).astype(bool)
    return AreaSplit(frame[inside].copy(), outside=int((~inside).sum()), unlocated=0)
