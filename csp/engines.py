"""Which task runner the flows use: threads locally, Dask for a national run.

Set ``CSP_TASK_RUNNER=dask`` to run tasks on a Dask cluster: ``CSP_DASK_ADDRESS`` (for example
``tcp://10.0.0.5:8786``) points at an existing scheduler; without it a local cluster is started.
"""

from __future__ import annotations

from prefect.task_runners import ThreadPoolTaskRunner

from csp.settings import get_settings


def task_runner():  # noqa: ANN201 - returns one of two Prefect runner types
    settings = get_settings()
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1})
    if settings.task_runner != "thread":
        raise ValueError(f"CSP_TASK_RUNNER={settings.task_runner!r}: expected 'thread' or 'dask'")
    return ThreadPoolTaskRunner(max_workers=4)
