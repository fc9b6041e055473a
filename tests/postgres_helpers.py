"""Throwaway PostgreSQL databases for tests (the server at CSP_TEST_POSTGRES_URL).

In CI (``CI=true``) an unreachable server is an error, never a skip.
"""

from __future__ import annotations

import os
import uuid

from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get(
    "CSP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def create_database(prefix: str = "csp_test") -> str | None:
    """A new empty database's URL; None when no server is reachable (outside CI)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        if os.environ.get("CI"):
            raise RuntimeError(f"PostgreSQL needed in CI at {PG_ADMIN_URL}: {exc}") from exc
        return None
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    from csp.store.db import get_engine

    get_engine(url).dispose()
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()
