"""Prefect task wrappers for ingestion: retries for file reading, nothing else added.

Ingestion is idempotent by checksum, so its tasks are never served from a cache (results are persisted
for the record only): a retried flow asks the store, which knows exactly which files are already in, and
so picks up a partner file an analyst has replaced since the failure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from csp.config import load_partnership
from csp.orchestration import retry_on_io
from tasks.ingest.pipeline import ingest_source


@task(name="ingest-source", task_run_name="ingest {kind} for {partnership}", retries=3,
      retry_delay_seconds=[2, 5, 15], retry_condition_fn=retry_on_io, persist_result=True,
      cache_policy=NO_CACHE)
def ingest_source_task(database_url: str, partnership: str, cycle: str, kind: str,
                       today: dt.date | None = None) -> list[dict]:
    config = load_partnership(partnership)
    reports = ingest_source(database_url, config, cycle, kind, today=today,
                            flow_run_id=str(flow_run.id) if flow_run.id else None)
    return [asdict(report) for report in reports]
