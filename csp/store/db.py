"""Engines, sessions and migrations. SQLite by default, PostgreSQL by URL (CSP_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, Column, Engine, Table, create_engine, event, make_url, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from csp.config import Partnership as PartnershipConfig
from csp.settings import get_settings
from csp.store import models

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


CONNECT_TIMEOUT_SECONDS = 5  # CSP_DB_CONNECT_TIMEOUT overrides: how long to wait for PostgreSQL to answer
SQLITE_BUSY_SECONDS = 120  # how long a SQLite writer waits for another's write to finish


class DatabaseUnreachable(ConnectionError):
    """The store cannot be reached: one line naming the URL (password hidden) and what to check."""


def safe_url(url: str) -> str:
    """The URL with any password replaced by ***, fit for a message."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparseable URL is shown without anything after '@'
        return url.split("@")[-1]


def _connect_args(url: str) -> dict[str, Any]:
    if url.startswith("postgresql"):
        timeout = int(os.environ.get("CSP_DB_CONNECT_TIMEOUT", CONNECT_TIMEOUT_SECONDS))
        # PostgreSQL compiles a query whose estimated cost is high (JIT): 5 ms or more each time, and
        # about 30 ms for a connection's first, to save a millisecond on the store's questions, which
        # read one partnership's rows by index
        return {"connect_timeout": timeout, "options": "-c jit=off"}
    if url.startswith("sqlite"):
        return {"timeout": SQLITE_BUSY_SECONDS}
    return {}


@lru_cache(maxsize=16)
def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process; SQLite folders are created on first use."""
    url = url or get_settings().database_url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=True, connect_args=_connect_args(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


MIGRATION_LOCK_KEY = 7_351_013  # pg_advisory_xact_lock key: two first starts do not both create tables


def migrate(url: str | None = None) -> None:
    """Bring the schema to the newest migration (safe to call on every start, also concurrently)."""
    url = url or get_settings().database_url
    engine = get_engine(url)  # creates the SQLite folder
    try:
        connection = engine.connect()
    except (OperationalError, DBAPIError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()
        raise DatabaseUnreachable(
            f"cannot reach the database {safe_url(url)}: {reason[0] if reason else type(exc).__name__}; "
            "check that the server is running and CSP_DATABASE_URL is right") from exc
    with connection, connection.begin():
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


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


def _insert_ignore(session: Session, model: type[models.Base], **values: Any) -> None:
    """Insert a row unless its key exists; two processes doing this at once do not collide."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def ensure_partnership(session: Session, config: PartnershipConfig) -> models.Partnership:
    row = session.get(models.Partnership, config.id)
    if row is None:
        _insert_ignore(session, models.Partnership, id=config.id, name=config.name, la_code="", la_name="")
        row = session.get(models.Partnership, config.id, populate_existing=True)
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
        _insert_ignore(session, models.Cycle, partnership_id=config.id, name=cycle_name,
                       period_start=start, period_end=end,
                       status="open", created_at=models._now(), updated_at=models._now())
        row = find_cycle(session, config.id, cycle_name)
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


def cycle_digest(url: str, partnership_id: str, cycle_name: str, column: str) -> str | None:
    """One of the digests a cycle row records of what a stage's stored result was made from
    (``assessment_digest``, ``validation_digest``, ``recommendations_digest``); None when none is."""
    with session_scope(url) as session:
        cycle = find_cycle(session, partnership_id, cycle_name)
        return getattr(cycle, column) if cycle else None


def sql_value(value: Any) -> Any:
    """A value fit for a column: pandas' missing markers (NaN, NaT, NA) become None. PostgreSQL would
    otherwise store a float NaN in a text column as the string 'NaN' (SQLite stores NULL)."""
    if value is None or isinstance(value, (str, bytes, dict, list, tuple, int)):
        return value
    if type(value) is float:  # the common case, without pandas' general test
        return None if value != value else value
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def sql_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: sql_value(value) for key, value in row.items()} for row in rows]


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Many plain rows into one table, in the session's transaction (``insert_columns``); rows naming
    different columns go in one batch per set of columns."""
    batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        batches.setdefault(tuple(row), []).append(row)
    for given, batch in batches.items():
        insert_columns(session, table, {name: [row[name] for row in batch] for name in given})


def insert_columns(session: Session, table: Table, columns: dict[str, list[Any]]) -> None:
    """Many rows, given column by column (lists of one length), into one table, in the session's
    transaction. Readers build their rows a column at a time, so nothing is turned into dictionaries.

    On PostgreSQL with psycopg the rows are sent with COPY: a force's year of crime rows, stored once
    per partnership, and an assessment's thousands of metrics went in batched INSERT statements that
    the server parsed one by one (the biggest writes of a national run). A column the rows leave out
    gets its Python-side default, worked out once for the batch (a timestamp, an empty list), as the
    INSERT would have given it; JSON columns are sent as JSON. On SQLite one prepared INSERT is run for
    every row with the values converted column by column by the columns' own SQLAlchemy types (its
    per-row parameter handling was two thirds of storing a month's crimes).
    """
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"{table.name}: columns of different lengths {sorted(lengths)}")
    if not columns or not lengths.pop():
        return
    connection = session.connection()
    given = list(columns)
    left_out = [c for c in table.columns if c.name not in columns and c.default is not None]
    plain_defaults = all(c.default.is_callable or c.default.is_scalar for c in left_out)
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg" and plain_defaults:
        _copy(connection.connection.driver_connection, table, given, left_out, columns)
    elif connection.dialect.name == "sqlite" and plain_defaults:
        _prepared_insert(connection, table, left_out, columns)
    else:
        session.execute(table.insert(), [dict(zip(given, values, strict=True))
                                         for values in zip(*columns.values(), strict=True)])


def rows_frame(session: Session, stmt: Any, columns: list[str]) -> pd.DataFrame:
    """A query's rows as a frame, read through the session's connection: plain tuples, without the
    ORM's row processing, which with building the frame from row objects was half of reading a
    partnership's crime counts (py-spy, national run). For the thousands of rows a stage reads."""
    rows = session.connection().execute(stmt).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)


def _prepared_insert(connection: Any, table: Table, left_out: list[Column], columns: dict[str, list[Any]]) -> None:
    """Rows into ``table`` through the driver's executemany, each value converted as SQLAlchemy would
    (its type's bind processor: dates and times as text, JSON dumped, booleans as integers)."""
    dialect = connection.dialect
    count = len(next(iter(columns.values())))
    names = [*columns, *(c.name for c in left_out)]
    values = [*columns.values(), *([_python_default(c)] * count for c in left_out)]
    for position, name in enumerate(names):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            values[position] = [process(v) for v in values[position]]
    quote = dialect.identifier_preparer.quote
    statement = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                 f"VALUES ({', '.join('?' * len(names))})")
    connection.exec_driver_sql(statement, list(zip(*values, strict=True)))


def _copy(driver: Any, table: Table, given: list[str], left_out: list[Column], columns: dict[str, list[Any]]) -> None:
    from psycopg import sql
    from psycopg.types.json import Json

    defaults = [_python_default(c) for c in left_out]
    names = given + [c.name for c in left_out]
    json = {c.name for c in table.columns if isinstance(c.type, JSON)}
    wrap = [c in json for c in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in names))
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in zip(*columns.values(), strict=True):
            values = [*row, *defaults]
            copy.write_row([Json(v) if w and v is not None else v for v, w in zip(values, wrap, strict=True)]
                           if json else values)


def _python_default(column: Column) -> Any:
    """The value an INSERT would give a left-out column from its Python-side default."""
    default = column.default
    # SQLAlchemy wraps a no-argument function to take the execution context
    return default.arg(None) if default.is_callable else default.arg


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
    """A stage run marked running, with this process's host and pid so a dead run can be told apart."""
    from csp.store.locks import this_host

    now = models._now()
    run = models.StageRun(cycle_id=cycle.id, stage=stage, status="running", flow_run_id=flow_run_id,
                          host=this_host(), pid=os.getpid(), started_at=now, heartbeat_at=now)
    session.add(run)
    session.flush()
    return run


def shown_status(run: models.StageRun) -> str:
    """What a stage run's status honestly is: a 'running' run whose process is gone (same host) or
    whose heartbeat is stale (another host) is 'interrupted', and can be run again."""
    from csp.store.locks import holder_alive

    if run.status != "running":
        return run.status
    alive = holder_alive(run.host, run.pid, run.heartbeat_at or run.started_at)
    return "running" if alive else "interrupted"


def finish_stage(run: models.StageRun, status: str, message: str | None = None) -> None:
    run.status = status
    run.message = message
    run.finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)


def table_digests(url: str | None = None, exclude: tuple[str, ...] = ("alembic_version",)) -> dict[str, str]:
    """Per table, a SHA-256 of an ordered dump of every row ("count:hash"): proves a store unchanged.

    Each row is dumped as JSON text and the dumps are sorted, so the digest does not depend on the
    engine's physical order (and JSON columns, which PostgreSQL cannot ORDER BY, are included)."""
    import hashlib
    import json

    digests = {}
    with get_engine(url).connect() as connection:
        for table in models.Base.metadata.sorted_tables:
            if table.name in exclude:
                continue
            rows = sorted(json.dumps(list(r), default=str, sort_keys=True)
                          for r in connection.execute(select(table)))
            digest = hashlib.sha256("\n".join(rows).encode())
            digests[table.name] = f"{len(rows)}:{digest.hexdigest()[:16]}"
    return digests


class FieldTooLong(ValueError):
    """A value longer than its column allows (PostgreSQL would refuse it; SQLite would keep it)."""


def check_lengths(model: type[models.Base], columns: dict[str, list[Any]], label: str,
                  source_names: dict[str, str] | None = None) -> None:
    """Check every text value (rows given column by column) against its column's declared length, the
    same on every database, and name the first offending row and column (``source_names`` maps
    columns to the file's headings)."""
    limits = {c.name: c.type.length for c in model.__table__.columns
              if getattr(c.type, "length", None) and c.name in columns}
    first: tuple[int, str] | None = None
    for column, limit in limits.items():
        index = next((i for i, v in enumerate(columns[column]) if isinstance(v, str) and len(v) > limit), None)
        if index is not None and (first is None or index < first[0]):
            first = (index, column)
    if first is None:
        return
    index, column = first
    value, limit = columns[column][index], limits[column]
    where = f"row {columns['row_number'][index]}" if "row_number" in columns else f"record {index + 1}"
    heading = (source_names or {}).get(column, column)
    raise FieldTooLong(
        f"{label}: {where}: column '{heading}': {len(value):,} characters where at most "
        f"{limit} fit ({value[:40]!r}...); correct the value (or the column) and ingest again")
