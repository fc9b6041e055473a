"""The migrations build exactly the schema the models describe, and an older store is brought forward
with its rows kept (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, select

from csp.store import models
from csp.store.db import alembic_config, get_engine, migrate


def test_migrations_match_the_models(db_url):
    migrate(db_url)
    with get_engine(db_url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), models.Base.metadata)
    assert differences == []


def test_a_store_at_the_first_migration_is_brought_forward_with_its_rows(db_url):
    config = alembic_config(db_url)
    with get_engine(db_url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")  # the fixture's store, taken back to the first schema
        connection.execute(insert(models.Partnership.__table__).values(
            id="cambridge", name="Cambridge", la_code="E07000008", la_name="Cambridge"))
        connection.execute(insert(models.Cycle.__table__).values(
            id=1, partnership_id="cambridge", name="2025-26", period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31), status="validated", assessment_digest="a" * 64,
            created_at=dt.datetime(2026, 1, 1), updated_at=dt.datetime(2026, 1, 1)))
        # rows pointing at the cycle and at a file: later migrations change the keys they carry (0004)
        connection.execute(insert(models.InputFile.__table__).values(
            id=7, partnership_id="cambridge", source_kind="police_uk", file_name="2025-01.csv", path="x",
            sha256="0" * 64, size_bytes=1, months=["2025-01"], ingested_at=dt.datetime(2026, 1, 1)))
        connection.execute(insert(models.CrimeRecord.__table__).values(
            input_file_id=7, partnership_id="cambridge", row_number=2, month=dt.date(2025, 1, 1),
            category="Robbery", crime_id="c" * 64))
        connection.execute(insert(models.Metric.__table__).values(
            partnership_id="cambridge", cycle_id=1, metric="count", source_kind="police_uk", period="current",
            value=1, input_file_ids=[7], created_at=dt.datetime(2026, 1, 1)))
    assert "validation_digest" not in {c["name"] for c in inspect(get_engine(db_url)).get_columns("cycle")}

    migrate(db_url)
    with get_engine(db_url).connect() as connection:
        row = connection.execute(select(models.Cycle.__table__)).one()
        crime = connection.execute(select(models.CrimeRecord.__table__)).one()
        metric = connection.execute(select(models.Metric.__table__)).one()
    assert (row.name, row.status, row.assessment_digest) == ("2025-26", "validated", "a" * 64)
    assert row.validation_digest is None and row.recommendations_digest is None  # nothing to skip yet
    assert (crime.input_file_id, crime.partnership_id, crime.category) == (7, "cambridge", "Robbery")
    assert (metric.cycle_id, metric.partnership_id, metric.value) == (1, "cambridge", 1)


def test_a_row_cannot_name_another_partnership_than_its_file_or_cycle(db_url):
    """crime_record and metric carry one key, parent and partnership together (migration 0004)."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    tables = {t: models.Base.metadata.tables[t] for t in ("partnership", "input_file", "cycle", "crime_record",
                                                            "metric")}
    with get_engine(db_url).begin() as connection:
        for pid in ("cambridge", "fenland"):
            connection.execute(insert(tables["partnership"]).values(id=pid, name=pid, la_code="E0", la_name=pid))
        connection.execute(insert(tables["input_file"]).values(
            id=1, partnership_id="cambridge", source_kind="police_uk", file_name="f.csv", path="f.csv",
            sha256="0" * 64, size_bytes=1, months=[], ingested_at=dt.datetime(2026, 1, 1)))
        connection.execute(insert(tables["cycle"]).values(
            id=1, partnership_id="cambridge", name="2025-26", period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31), status="validated", created_at=dt.datetime(2026, 1, 1),
            updated_at=dt.datetime(2026, 1, 1)))
    crime = {"input_file_id": 1, "row_number": 2, "month": dt.date(2025, 1, 1), "category": "Robbery"}
    metric = {"cycle_id": 1, "metric": "count", "source_kind": "police_uk", "period": "current",
              "input_file_ids": [], "created_at": dt.datetime(2026, 1, 1)}
    for table, row in (("crime_record", crime), ("metric", metric)):
        with get_engine(db_url).begin() as connection:  # the parent's own partnership: accepted
            connection.execute(insert(tables[table]).values(**row, partnership_id="cambridge"))
        with pytest.raises(IntegrityError), get_engine(db_url).begin() as connection:
            connection.execute(insert(tables[table]).values(**row, partnership_id="fenland"))
    with get_engine(db_url).connect() as connection:
        assert [connection.execute(select(tables[t].c.partnership_id)).scalars().all()
                for t in ("crime_record", "metric")] == [["cambridge"], ["cambridge"]]
