"""Engines, sessions and migrations. SQLite by default, PostgreSQL by URL (CSP_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from csp.config import Partnership as PartnershipConfig
from csp.settings import get_settings
from csp.store import models

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@lru_cache(maxsize=16)
def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process; SQLite folders are created on first use."""
    url = url or get_settings().database_url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str | None = None) -> None:
    """Bring the schema to the newest migration (safe to call on every start)."""
    url = url or get_settings().database_url
    get_engine(url)  # creates the SQLite folder
    command.upgrade(alembic_config(url), "head")


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back whole on any error."""
    factory = sessionmaker(bind=get_engine(url), expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def ensure_partnership(session: Session, config: PartnershipConfig) -> models.Partnership:
    row = session.get(models.Partnership, config.id)
    if row is None:
        row = models.Partnership(id=config.id, name=config.name, la_code="", la_name="")
        session.add(row)
    row.name = config.name
    row.la_code = config.local_authority.code
    row.la_name = config.local_authority.name
    session.flush()
    return row


def ensure_cycle(session: Session, config: PartnershipConfig, cycle_name: str) -> models.Cycle:
    """The cycle row for a partnership and year, created on first use."""
    ensure_partnership(session, config)
    period = config.cycle(cycle_name)
    row = session.scalar(
        select(models.Cycle).where(
            models.Cycle.partnership_id == config.id, models.Cycle.name == cycle_name
        )
    )
    start, end = period.start.start_time.date(), period.end.end_time.date()
    if row is None:
        row = models.Cycle(partnership_id=config.id, name=cycle_name, period_start=start, period_end=end,
                           status="open")
        session.add(row)
        session.flush()
    elif (row.period_start, row.period_end) != (start, end):
        # the configured period end month (or length) changed: the stored dates follow the configuration
        row.period_start, row.period_end = start, end
        session.flush()
    return row


def find_cycle(session: Session, partnership_id: str, cycle_name: str) -> models.Cycle | None:
    return session.scalar(
        select(models.Cycle).where(
            models.Cycle.partnership_id == partnership_id, models.Cycle.name == cycle_name
        )
    )


def sql_value(value: Any) -> Any:
    """A value fit for a column: pandas' missing markers (NaN, NaT, NA) become None. PostgreSQL would
    otherwise store a float NaN in a text column as the string 'NaN' (SQLite stores NULL)."""
    if value is None or isinstance(value, (str, bytes, dict, list, tuple)):
        return value
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def sql_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: sql_value(value) for key, value in row.items()} for row in rows]


class MissingStageError(LookupError):
    """The store lacks what a stage reads (no cycle, no assessment): the message says what to run."""


def require_cycle(session: Session, partnership_id: str, cycle_name: str, run_first: str) -> models.Cycle:
    """The stored cycle, or an error telling the analyst which commands produce it."""
    cycle = find_cycle(session, partnership_id, cycle_name)
    if cycle is None:
        raise MissingStageError(
            f"no cycle {cycle_name!r} stored for partnership {partnership_id!r}: {run_first}")
    return cycle


def start_stage(session: Session, cycle: models.Cycle, stage: str, flow_run_id: str | None):
    run = models.StageRun(cycle_id=cycle.id, stage=stage, status="running", flow_run_id=flow_run_id)
    session.add(run)
    session.flush()
    return run


def finish_stage(run: models.StageRun, status: str, message: str | None = None) -> None:
    run.status = status
    run.message = message
    run.finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
