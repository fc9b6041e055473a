"""Which task runner the flows use: threads locally, Dask for a national run.

Set ``CSP_TASK_RUNNER=dask`` to run tasks on a Dask cluster: ``CSP_DASK_ADDRESS`` (for example
``tcp://10.0.0.5:8786``) points at an existing scheduler; without it a local cluster is started.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.task_runners import ThreadPoolTaskRunner

from csp.settings import get_settings


def _in_dask_worker() -> bool:
    try:
        from distributed import get_worker

        get_worker()
    except (ImportError, ValueError):
        return False
    return True


def task_runner():  # noqa: ANN201 - returns one of two Prefect runner types
    """The configured runner; threads inside a Dask worker, where a partnership's own flows run (a
    cluster per partnership inside the cluster would only compete for the same cores)."""
    settings = get_settings()
    if settings.task_runner not in ("thread", "dask"):
        raise ValueError(f"CSP_TASK_RUNNER={settings.task_runner!r}: expected 'thread' or 'dask'")
    if settings.task_runner == "thread" or _in_dask_worker():
        return ThreadPoolTaskRunner(max_workers=4)
    from prefect_dask import DaskTaskRunner

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1})


@contextmanager
def one_server(timeout: int = 180) -> Iterator[None]:
    """One temporary Prefect server for a whole run, shared by every flow and every Dask worker.

    Without an API URL each process that runs a flow starts its own temporary server (about six
    seconds each, and one per Dask worker process); here one is started, and its address is put in
    the environment the workers inherit. With PREFECT_API_URL already set (a real server), nothing
    is started.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from csp.prefect_server import guard, reap_stale_servers

    reap_stale_servers()  # servers left by runs that were killed
    server = SubprocessASGIServer()
    server.start(timeout=timeout)
    guard(server.server_process.pid)  # stopped by a watchdog even if this run is killed (SIGKILL)
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)
