"""Shared fixtures: a fresh store per test on SQLite and on PostgreSQL, and one Prefect harness.

PostgreSQL tests run against ``CSP_TEST_POSTGRES_URL`` (default: the local server on 127.0.0.1:5432).
In CI (``CI=true``) an unreachable server is an error, never a skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from csp.settings import PROJECT_ROOT, quiet_environment
from tests.postgres_helpers import create_database, drop_database

quiet_environment()

CONFIG_DIR = PROJECT_ROOT / "data" / "partnerships"
DATA_DIR = PROJECT_ROOT / "data"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    url = create_database()
    yield url
    if url:
        drop_database(url)


def _reset_postgres(url: str) -> None:
    from csp.store.db import get_engine

    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str | None) -> str:
    """A migrated, empty store; every test using it runs once per database engine."""
    from csp.store.db import migrate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'csp.db'}"
    else:
        if postgres_url is None:
            pytest.skip("no PostgreSQL server reachable (set CSP_TEST_POSTGRES_URL)")
        url = postgres_url
        _reset_postgres(url)
    migrate(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite store, for tests whose subject is not the database engine."""
    from csp.store.db import migrate

    url = f"sqlite:///{tmp_path / 'csp.db'}"
    migrate(url)
    return url


@pytest.fixture
def csp_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point output and working folders at a temporary directory (data and config stay bundled)."""
    monkeypatch.setenv("CSP_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CSP_OUTPUT_DIR", str(tmp_path / "output"))
    monkeypatch.setenv("CSP_DATA_DIR", str(DATA_DIR))
    monkeypatch.setenv("CSP_CONFIG_DIR", str(CONFIG_DIR))
    return tmp_path


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for all flow tests (starting one takes seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
