"""Read what the assessment needs from the store, as small aggregated frames.

Only files whose status is ``current`` count (a superseded file's rows stay in the store for the
record but must not be counted twice). Crime rows are grouped in the database by month, category and
LSOA, so no crime ID, coordinate or street name ever leaves the store through this stage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select

from csp.store import models
from csp.store.db import rows_frame, session_scope
from tasks.assess.params import AssessParams

EVENT_COLUMNS = ("source_kind", "month", "period_months", "category", "lsoa_code", "lsoa_name",
                 "msoa_name", "partner_area", "input_file_id", "count")


class AreaLookupError(ValueError):
    """An area lookup file that cannot be used; the message names file, row and column."""


@dataclass(frozen=True)
class StoreInputs:
    """The assessment's inputs for one partnership, limited to the cycle's 24-month window."""

    files: pd.DataFrame  # current input files: id, source_kind, file_name, sha256, months, illustrative
    events: pd.DataFrame  # EVENT_COLUMNS: counts by source, month, category and place
    population: pd.DataFrame  # POPULATION_COLUMNS: LSOA codes and names, MSOA, ward, change, persons
    lookup: pd.DataFrame | None = None  # lsoa_code, area_code, area_name (area unit kind 'lookup')


def _month_text(value: dt.date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def current_files(database_url: str, partnership_id: str) -> pd.DataFrame:
    """The partnership's current input files, oldest first."""
    with session_scope(database_url) as session:
        rows = session.scalars(
            select(models.InputFile)
            .where(models.InputFile.partnership_id == partnership_id,
                   models.InputFile.status == "current")
            .order_by(models.InputFile.id)
        ).all()
        records = [{
            "id": r.id, "source_kind": r.source_kind, "file_name": r.file_name, "sha256": r.sha256,
            "months": list(r.months or []), "illustrative": bool(r.illustrative),
            "rows_accepted": r.rows_accepted, "ingested_at": r.ingested_at.isoformat(),
        } for r in rows]
    columns = ["id", "source_kind", "file_name", "sha256", "months", "illustrative", "rows_accepted",
               "ingested_at"]
    return pd.DataFrame(records, columns=columns)


def input_fingerprint(database_url: str, partnership_id: str) -> list[str]:
    """What identifies the stored inputs: changes whenever a file is added, replaced or re-ingested.

    It goes into the cache key of the analysis tasks, so a re-run after new data recomputes and a
    re-run on unchanged data is served from Prefect's persisted results.
    """
    files = current_files(database_url, partnership_id)
    return [f"{r.id}:{r.source_kind}:{r.sha256}:{r.rows_accepted}:{r.ingested_at}"
            for r in files.itertuples()]


def _crime_events(session, partnership_id: str, file_ids: list[int], first: dt.date,
                  last: dt.date) -> pd.DataFrame:  # noqa: ANN001 - SQLAlchemy session
    c = models.CrimeRecord
    stmt = (
        select(c.month, c.category, c.lsoa_code, c.lsoa_name, c.msoa_name, c.input_file_id,
               func.count().label("count"))
        .where(c.partnership_id == partnership_id, c.input_file_id.in_(file_ids),
               c.month >= first, c.month <= last)
        .group_by(c.month, c.category, c.lsoa_code, c.lsoa_name, c.msoa_name, c.input_file_id)
    )
    frame = rows_frame(session, stmt, ["month", "category", "lsoa_code", "lsoa_name", "msoa_name",
                                        "input_file_id", "count"])
    frame["source_kind"] = "police_uk"
    frame["period_months"] = 1
    frame["partner_area"] = None
    return frame


def _partner_events(session, partnership_id: str, file_ids: list[int], first: dt.date,
                    last: dt.date) -> pd.DataFrame:  # noqa: ANN001 - SQLAlchemy session
    p = models.PartnerRecord
    stmt = (
        select(p.source_kind, p.month, p.period_months, p.category, p.area_name, p.input_file_id,
               func.sum(p.count).label("count"))
        .where(p.partnership_id == partnership_id, p.input_file_id.in_(file_ids),
               p.month >= first - dt.timedelta(days=93), p.month <= last)
        .group_by(p.source_kind, p.month, p.period_months, p.category, p.area_name, p.input_file_id)
    )
    frame = rows_frame(session, stmt, ["source_kind", "month", "period_months", "category", "partner_area",
                                        "input_file_id", "count"])
    for column in ("lsoa_code", "lsoa_name", "msoa_name"):
        frame[column] = None
    return frame


POPULATION_COLUMNS = ("lsoa_code", "lsoa_name", "msoa_code", "msoa_name", "msoa_place_name", "ward_code",
                      "ward_name", "lsoa_change", "persons", "input_file_id")


def _population(session, partnership_id: str, file_ids: list[int]) -> pd.DataFrame:  # noqa: ANN001
    p = models.Population
    stmt = select(*(getattr(p, name) for name in POPULATION_COLUMNS)).where(
        p.partnership_id == partnership_id, p.input_file_id.in_(file_ids))
    return rows_frame(session, stmt, list(POPULATION_COLUMNS))


def read_lookup(path: str) -> pd.DataFrame:
    """The configured area lookup CSV (lsoa_code, area_code, area_name); errors name file and row."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise AreaLookupError(f"{path}: cannot read the area lookup: {exc}") from exc
    missing = [c for c in ("lsoa_code", "area_code", "area_name") if c not in frame.columns]
    if missing:
        raise AreaLookupError(f"{path}: column(s) {missing} missing; expected lsoa_code, area_code, area_name")
    for column in ("lsoa_code", "area_code", "area_name"):
        blank = frame.index[frame[column].str.strip() == ""]
        if len(blank):
            raise AreaLookupError(f"{path}: row {int(blank[0]) + 2}: column {column!r} is empty")
    duplicated = frame.index[frame["lsoa_code"].duplicated()]
    if len(duplicated):
        row = int(duplicated[0])
        raise AreaLookupError(f"{path}: row {row + 2}: lsoa_code {frame.at[row, 'lsoa_code']!r} "
                           "appears twice (each LSOA must be in one area)")
    return frame[["lsoa_code", "area_code", "area_name"]].apply(lambda s: s.str.strip())


def load_inputs(database_url: str, params: AssessParams) -> StoreInputs:
    """Aggregated events (crime and partner counts) and population for the cycle's window."""
    files = current_files(database_url, params.partnership_id)
    first = pd.Period(params.window[0], freq="M").start_time.date()
    last = pd.Period(params.end, freq="M").start_time.date()
    ids = {kind: [int(i) for i in files.loc[files["source_kind"] == kind, "id"]]
           for kind in set(files["source_kind"])}
    partner_ids = [i for kind, values in ids.items() if kind not in ("police_uk", "population",
                                                                      "boundaries") for i in values]
    with session_scope(database_url) as session:
        crime = _crime_events(session, params.partnership_id, ids.get("police_uk", []), first, last)
        partner = _partner_events(session, params.partnership_id, partner_ids, first, last)
        population = _population(session, params.partnership_id, ids.get("population", []))
    frames = [f for f in (crime, partner) if not f.empty]
    events = (pd.concat([f[list(EVENT_COLUMNS)] for f in frames], ignore_index=True) if frames
              else pd.DataFrame(columns=list(EVENT_COLUMNS)))
    events["month"] = events["month"].map(_month_text) if len(events) else events["month"]
    events["count"] = events["count"].astype(int)
    events["period_months"] = events["period_months"].astype(int)
    lookup = None
    if params.area_kind == "lookup":
        if not params.lookup_path:
            raise AreaLookupError(f"{params.partnership_id}: key 'area_unit.lookup': area_unit.kind is "
                                  "'lookup' but no lookup CSV is configured")
        lookup = read_lookup(params.lookup_path)
    return StoreInputs(files=files, events=events.reset_index(drop=True), population=population,
                       lookup=lookup)
