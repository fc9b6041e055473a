"""Great Expectations Data Docs for a cycle: the suites re-run on the data the store holds.

The cycle's flows render them only when validation blocks (``validate_cycle(build_docs=None)``);
``csp validate`` renders them every time, and ``render_data_docs`` renders them on demand from the
store alone, without validating the cycle again.

Ingestion checks every file in memory (fast, nothing written); this module re-runs the same suites on
the current stored rows of each source, in a file-based GX project under ``get_settings().gx_dir``, so
the Data Docs site shows each suite and how the data that will be analysed measures against it.
Columns the store does not keep (police ``reported_by``, ``falls_within``, ``context``; population
``la_name``) are handed to GX empty, so those columns' checks say nothing about the stored rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from csp.frames import FRAME_COLUMNS, PARTNER_KINDS
from csp.store import models
from tasks.validate.prepare import gx_frame
from tasks.validate.runtime import GX_LOCK, quiet_context, quiet_logs
from tasks.validate.suites import build_suite

DATA_SOURCE = "csp store"
_LOCK = threading.Lock()


@contextlib.contextmanager
def _project_lock(gx_dir: Path) -> Iterator[None]:
    """One writer at a time per GX project, across threads and (where fcntl exists) processes.

    GX_LOCK too: validation elsewhere in the process switches GX's batch fingerprint off while it
    runs, and the Data Docs keep it."""
    gx_dir.mkdir(parents=True, exist_ok=True)
    with GX_LOCK, _LOCK, open(gx_dir / ".csp.lock", "w") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: threads are still serialised
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _crime_frame(session: Session, ids: list[int], first: dt.date, last: dt.date) -> pd.DataFrame:
    c = models.CrimeRecord
    rows = session.execute(select(
        c.id, c.crime_id, c.month, c.longitude, c.latitude, c.location, c.lsoa_code, c.lsoa_name,
        c.category, c.outcome,
    ).where(c.input_file_id.in_(ids), c.month >= first, c.month <= last)).all()
    frame = pd.DataFrame(rows, columns=["row_number", "crime_id", "month", "longitude", "latitude", "location",
                                        "lsoa_code", "lsoa_name", "category", "outcome"])
    for missing in ("reported_by", "falls_within", "context"):
        frame[missing] = None
    return frame


def _partner_frame(session: Session, ids: list[int], first: dt.date, last: dt.date) -> pd.DataFrame:
    p = models.PartnerRecord
    rows = session.execute(select(
        p.id, p.month, p.period_months, p.category, p.subcategory, p.area_code, p.area_name, p.count,
    ).where(p.input_file_id.in_(ids), p.month >= first, p.month <= last)).all()
    return pd.DataFrame(rows, columns=["row_number", "month", "period_months", "category", "subcategory",
                                       "area_code", "area_name", "count"])


def _population_frame(session: Session, ids: list[int]) -> pd.DataFrame:
    p = models.Population
    rows = session.execute(select(
        p.id, p.lsoa_code, p.lsoa_name, p.msoa_code, p.msoa_name, p.la_code, p.persons, p.households,
    ).where(p.input_file_id.in_(ids))).all()
    frame = pd.DataFrame(rows, columns=["row_number", "lsoa_code", "lsoa_name", "msoa_code", "msoa_name",
                                        "la_code", "persons", "households"])
    frame["la_name"] = None
    return frame


def stored_frames(session: Session, files: list[models.InputFile], first: dt.date,
                  last: dt.date) -> dict[str, pd.DataFrame]:
    """Current stored rows per input kind, in the normalised frame shape (months as 'YYYY-MM').

    Rows come from several files, so their file line numbers repeat: the store's record id stands in
    as ``row_number`` (the Data Docs show counts and samples, not row numbers).
    """
    frames = {}
    for kind in FRAME_COLUMNS:
        ids = [f.id for f in files if f.source_kind == kind]
        if not ids:
            continue
        if kind == "police_uk":
            frame = _crime_frame(session, ids, first, last)
        elif kind == "population":
            frame = _population_frame(session, ids)
        elif kind in PARTNER_KINDS:
            frame = _partner_frame(session, ids, first, last)
        else:
            continue
        if "month" in frame.columns:
            frame["month"] = [f"{m.year:04d}-{m.month:02d}" for m in frame["month"]]
        frames[kind] = gx_frame(kind, frame[["row_number", *FRAME_COLUMNS[kind]]])
    return frames


def _suite(context: Any, gx_dir: Path, kind: str) -> Any:
    """Our JSON into the project; a stored copy GX can no longer read (an older format) is replaced."""
    try:
        return context.suites.add_or_update(build_suite(kind))
    except Exception:  # noqa: BLE001 - GX raises pydantic or its own errors; the JSON is the truth
        (gx_dir / "expectations" / f"{kind}.json").unlink(missing_ok=True)
        return context.suites.add(build_suite(kind))


def _data_source(context: Any) -> Any:
    """The project's pandas source, kept between runs (re-adding it would drop other partnerships' assets)."""
    try:
        return context.data_sources.get(DATA_SOURCE)
    except KeyError:
        return context.data_sources.add_pandas(DATA_SOURCE)


def _batch_definition(source: Any, asset_name: str, batch_name: str) -> Any:
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        return asset.get_batch_definition(batch_name)
    except KeyError:
        return asset.add_batch_definition_whole_dataframe(batch_name)


def _this_run(context: Any, run_id: Any) -> list[Any]:
    """The validation results of this run: only their pages are rendered again (the site keeps the
    pages of earlier runs and other partnerships; re-rendering them all grew with every run)."""
    keys = context.validation_results_store.list_keys()
    return [k for k in keys if getattr(k, "run_id", None) is not None
            and k.run_id.run_name == run_id.run_name and k.run_id.run_time == run_id.run_time]


def build_data_docs(gx_dir: Path, partnership_id: str, cycle_name: str,
                    frames: dict[str, pd.DataFrame]) -> Path:
    """Validate each stored frame in the file project and rebuild the site; return its index.html."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    quiet_logs()
    with _project_lock(gx_dir):
        context = quiet_context(gx.get_context(mode="file", context_root_dir=str(gx_dir)))
        source = _data_source(context)
        run_id = RunIdentifier(run_name=f"{partnership_id} {cycle_name}",
                               run_time=dt.datetime.now(dt.UTC))
        for kind, frame in frames.items():
            suite = _suite(context, gx_dir, kind)
            batch = _batch_definition(source, f"{partnership_id} {kind}", f"cycle {cycle_name}")
            definition = context.validation_definitions.add_or_update(gx.ValidationDefinition(
                name=f"{partnership_id} {cycle_name} {kind}", data=batch, suite=suite))
            definition.run(batch_parameters={"dataframe": frame}, result_format="SUMMARY", run_id=run_id)
        context.build_data_docs(resource_identifiers=_this_run(context, run_id) or None)
    return gx_dir / "uncommitted" / "data_docs" / "local_site" / "index.html"


def on_demand_note(partnership_id: str, cycle_name: str, why: str = "nothing blocking") -> str:
    """What the coverage report says when this run left the Data Docs for later."""
    return (f"The Data Docs were not rendered in this run ({why}). Render them from the stored "
            f"rows with 'csp validate -p {partnership_id} -c {cycle_name}' (or "
            f"tasks.validate.docs.render_data_docs).")


def render_data_docs(database_url: str, partnership_id: str, cycle_name: str, *,
                     gx_dir: Path | None = None, config: Any = None) -> Path | None:
    """Render the Data Docs of a cycle's current stored rows on demand; the site's index.html, or None
    when the store holds no rows for the cycle. Reads the store only: the cycle is not validated again
    and nothing in the store changes. Needs no command line and no Prefect."""
    from csp.config import load_partnership
    from csp.settings import get_settings
    from csp.store.db import session_scope
    from tasks.validate.coverage import current_files

    config = config or load_partnership(partnership_id)
    period = config.cycle(cycle_name)
    with session_scope(database_url) as session:
        files = current_files(session, config.id)
        frames = stored_frames(session, files, period.window_start.start_time.date(), period.end.end_time.date())
    if not frames:
        return None
    return build_data_docs(gx_dir or get_settings().gx_dir, config.id, cycle_name, frames)
