"""The store migrates and keeps transactions whole, on SQLite and PostgreSQL alike."""

import pytest
from sqlalchemy import func, inspect, select

from csp.config import load_partnership
from csp.store import models
from csp.store.db import ensure_cycle, get_engine, session_scope


def test_migration_creates_every_model_table(db_url):
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert set(models.Base.metadata.tables) <= tables


def test_cycle_is_created_once_with_its_period(db_url):
    config = load_partnership("cambridge")
    with session_scope(db_url) as session:
        first = ensure_cycle(session, config, "2025-26").id
    with session_scope(db_url) as session:
        again = ensure_cycle(session, config, "2025-26")
        assert again.id == first
        assert again.period_start.isoformat() == "2024-10-01"
        assert again.period_end.isoformat() == "2025-09-30"
        assert session.scalar(select(func.count()).select_from(models.Cycle)) == 1


def test_failed_transaction_leaves_the_store_as_it_was(db_url):
    config = load_partnership("cambridge")
    with pytest.raises(RuntimeError), session_scope(db_url) as session:
        ensure_cycle(session, config, "2025-26")
        raise RuntimeError("boom")
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(models.Cycle)) == 0
        assert session.scalar(select(func.count()).select_from(models.Partnership)) == 0


def test_postgresql_sessions_do_not_compile_queries(postgres_url):
    """JIT compiling cost 5-30 ms a query against about 1 ms for the store's index reads (csp/store/db.py)."""
    from sqlalchemy import text

    if postgres_url is None:
        pytest.skip("no PostgreSQL server reachable (set CSP_TEST_POSTGRES_URL)")
    with session_scope(postgres_url) as session:
        assert session.execute(text("SHOW jit")).scalar() == "off"
