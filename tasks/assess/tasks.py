"""Thin Prefect task wrappers around the assessment steps.

The analysis and the findings persist their results and cache on their inputs and source
(``INPUTS + TASK_SOURCE``). Both take the *fingerprint* of the inputs: the stored input files (ids,
checksums, rows, ingestion times) plus a digest of the assessment's own code. The analysis passed to
the findings is left out of the cache key (it is a function of the fingerprint and the parameters, and
a DataFrame does not pickle to the same bytes after a round trip through the result store), so a
re-run on unchanged data is served from the cache, and new data, a changed threshold or changed code
recomputes. Tasks with side effects (charts on disk, the store, the stage record) are never cached:
a cached result would not bring the files or rows back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import INPUTS, NO_CACHE, TASK_SOURCE

from csp.config import Partnership
from tasks.assess import chart_cache, store
from tasks.assess.analysis import Analysis, analyse
from tasks.assess.charts import draw_charts
from tasks.assess.findings import build_findings
from tasks.assess.load import load_inputs
from tasks.assess.params import AssessParams
from tasks.assess.run import charts_folder
from tasks.assess.up_to_date import fingerprint, store_digest, stored_summary

IO_RETRIES = {"retries": 2, "retry_delay_seconds": [2, 10]}
DATA_ARGUMENTS = ("analysis",)


def cached() -> dict[str, Any]:
    """Cache on the task's source and its small inputs (fingerprint, parameters), not on frames.

    The results (frames) are persisted and read back where needed, not also kept in Prefect's
    in-memory result store, which outlives the flow run in a long-lived process: a Dask worker
    running partnership after partnership grew by every partnership's frames (about 40 MB each)."""
    inputs = INPUTS
    for name in DATA_ARGUMENTS:
        inputs = inputs - name
    return {"cache_policy": inputs + TASK_SOURCE, "persist_result": True, "cache_result_in_memory": False}


@task(name="assess-fingerprint", cache_policy=NO_CACHE, **IO_RETRIES)
def fingerprint_task(database_url: str, partnership: str) -> list[str]:
    return fingerprint(database_url, partnership)


@task(name="assess-analysis", **cached(), **IO_RETRIES)
def analysis_task(database_url: str, params: AssessParams, fingerprint: list[str]) -> Analysis:
    """Every number of the assessment, from the stored inputs (tasks/assess/analysis.py: analyse).

    One task, not one per step: the steps run in a fixed order on the same inputs and take about a
    second together, while each task run is a round of calls to the Prefect server and a persisted
    result (a national run assesses hundreds of partnerships)."""
    return analyse(load_inputs(database_url, params), params)


@task(name="assess-findings", **cached())
def findings_task(analysis: Analysis, params: AssessParams, fingerprint: list[str]) -> list[dict[str, Any]]:
    return build_findings(analysis)


@task(name="assess-charts", cache_policy=NO_CACHE, **IO_RETRIES)
def charts_task(analysis: Analysis, output_dir: str,
                fingerprint: list[str] | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Draw the charts, or reuse the ones on disk drawn from the same inputs (tasks/assess/chart_cache.py).

    Not a Prefect cache: the PNGs themselves are the result, so the check is that they are still there.
    """
    params = analysis.params
    folder = charts_folder(params.partnership_id, params.cycle, Path(output_dir))
    key = chart_cache.inputs_key(params, fingerprint, folder) if fingerprint else None
    reused = chart_cache.reuse(folder, key) if key else None
    if reused is not None:
        return reused
    chart_cache.forget(folder)
    charts, notes = draw_charts(analysis, folder)
    if key:
        chart_cache.remember(folder, key, charts, notes)
    return charts, notes


@task(name="assess-unchanged", cache_policy=NO_CACHE, **IO_RETRIES)
def unchanged_task(database_url: str, config: Partnership, params: AssessParams, fingerprint: list[str],
                   output_dir: str) -> dict[str, Any] | None:
    """The stored assessment's summary when it still stands: the whole analysis is then skipped."""
    return stored_summary(database_url, config, params, fingerprint, output_dir)


@task(name="assess-store", cache_policy=NO_CACHE, **IO_RETRIES)
def store_task(database_url: str, config: Partnership, analysis: Analysis, findings: list[dict[str, Any]],
               charts: list[dict[str, Any]], run_id: str, output_dir: str,
               fingerprint: list[str] | None = None) -> dict[str, int]:
    """Replace the stored assessment, unless the one stored was made from the same inputs."""
    digest = store_digest(analysis.params, fingerprint, charts) if fingerprint else None
    counts = store.replace_outputs(database_url, config, analysis.params.cycle, analysis.metric_records(),
                                   findings, charts, run_id, digest)
    store.remove_stale_charts(charts_folder(config.id, analysis.params.cycle, Path(output_dir)), charts)
    return counts


@task(name="assess-stage-start", cache_policy=NO_CACHE, **IO_RETRIES)
def stage_start_task(database_url: str, config: Partnership, cycle: str, flow_run_id: str | None) -> int:
    return store.record_start(database_url, config, cycle, flow_run_id)


@task(name="assess-stage-finish", cache_policy=NO_CACHE, **IO_RETRIES)
def stage_finish_task(database_url: str, stage_run_id: int, status: str, message: str | None) -> None:
    store.record_finish(database_url, stage_run_id, status, message)
