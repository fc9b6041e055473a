"""Which task runner the flows use: threads locally, Dask for a national run.

Set ``CSP_TASK_RUNNER=dask`` to run tasks on a Dask cluster: ``CSP_DASK_ADDRESS`` (for example
``tcp://10.0.0.5:8786``) points at an existing scheduler; without it a local cluster is started.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from csp.client_tls import SETTING as TLS_SETTING
from csp.client_tls import for_plain_http
from csp.memory import limit_malloc_arenas
from csp.settings import get_settings

_EARLY: dict[str, Any] = {}  # the server begun by begin_server: its thread and result


def in_dask_worker() -> bool:
    """Whether this code runs inside a Dask worker (a worker has imported distributed already, so a
    process that has not is not one, and pays nothing to find out)."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return False
    try:
        distributed.get_worker()
    except ValueError:
        return False
    return True


def task_runner():  # noqa: ANN201 - returns one of two Prefect runner types
    """The configured runner; threads inside a Dask worker, where a partnership's own flows run (a
    cluster per partnership inside the cluster would only compete for the same cores)."""
    settings = get_settings()
    limit_malloc_arenas()  # here and in the Dask workers a local cluster starts (csp/memory.py)
    if settings.task_runner not in ("thread", "dask"):
        raise ValueError(f"CSP_TASK_RUNNER={settings.task_runner!r}: expected 'thread' or 'dask'")
    if settings.task_runner == "thread" or in_dask_worker():
        return thread_runner()
    from prefect_dask import DaskTaskRunner

    quiet_dask_workers()
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1})


def thread_runner():  # noqa: ANN201 - Prefect's type, imported only here
    """Four threads: a partnership's papers drafted side by side (more only wait on the GIL)."""
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=4)


PROFILER_ENV = "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"


def quiet_dask_workers() -> None:
    """Turn off Dask's statistical profiler in the workers a local cluster starts from this process.

    Every worker samples its threads' stacks 100 times a second and keeps the call tree for its
    dashboard; a partnership's stacks are deep and varied (Prefect, pandas, SQLAlchemy, docx), and the
    tree held about 10,000 more dictionaries for every partnership a worker ran: most of a national
    run's worker growth, and about 1 % of its time. A local cluster's workers take this process's Dask
    settings; workers started by hand take the same environment variable (README). An operator's own
    value of the variable is kept.
    """
    import dask

    if PROFILER_ENV not in os.environ:
        dask.config.set({"distributed.worker.profile.enabled": False})


def begin_server() -> None:
    """Start the temporary Prefect server in the background and return at once.

    The server takes about six seconds to start (its own imports, its database); the run's imports
    (Prefect, the stages, Great Expectations, statsmodels, matplotlib) take about as long. Started here
    first, the two overlap on a second core instead of following each other. ``one_server`` waits for
    it. Nothing is started when PREFECT_API_URL names a server, or when one is already starting.
    """
    if os.environ.get("PREFECT_API_URL") or _EARLY:
        return
    from csp.prefect_server import launch

    _EARLY["server"] = launch()


def abandon_server() -> None:
    """Stop the server ``begin_server`` started when the run ends before its first flow (bad input)."""
    server = _EARLY.pop("server", None)
    if server is not None:
        server.stop()


def _await_server(timeout: float, warm: tuple[str, ...], needed: tuple[str, ...] = ()) -> Any:
    """The server begun by ``begin_server`` (begun now if not), importing ``needed`` (the run imports
    them anyway), then ``warm`` for as long as it is still starting."""
    begin_server()
    server = _EARLY.pop("server")
    for module in needed:
        importlib.import_module(module)
    for module in warm:
        if server.process.poll() is not None or server.answers(timeout=1):
            break
        importlib.import_module(module)
    server.wait_ready(timeout)
    return server


LOGS_TO_API = "PREFECT_LOGGING_TO_API_ENABLED"
NO_EVENTS = "CSP_TEMPORARY_SERVER_EVENTS"  # "off" while the run's own temporary server is the API


def on_own_server() -> bool:
    """Whether the API is this run's own temporary server (``one_server`` says so in the environment,
    which the Dask workers it starts inherit)."""
    return os.environ.get(NO_EVENTS) == "off"


def quiet_events() -> None:
    """Send no Prefect events from this process while the API is the run's own temporary server.

    Every task run and state change is an event, streamed to the server over a websocket; that
    server keeps none of them (its event persister, triggers and task-run recorder are off:
    ``csp/prefect_server.py``), so both sides did the work for nothing. Flow runs and their states
    go through the API as before. A real server (PREFECT_API_URL set by the operator) gets every
    event: automations may watch them. Called where a run begins and in each Dask worker.
    """
    if not on_own_server():
        return
    from prefect.events.clients import NullEventsClient
    from prefect.events.worker import EventsWorker

    EventsWorker.set_client_override(NullEventsClient)


def stages_inline() -> bool:
    """Whether a cycle runs its stages' flow bodies inside its own flow run, not as sub-flow runs.

    Yes while the API is the run's own temporary server and the stages would run on threads anyway.
    That server stops with the run and keeps no logs, task runs or events (``one_server``,
    ``quiet_events``), only bare flow runs in the profile's database, so a stage's sub-flow run
    there was bookkeeping nobody reads: each cost the server about 92 ms of CPU and the caller
    28 ms (five flow runs a partnership, about 7 % of a national run's CPU; benchmarks/README.md).
    The stage's work, tasks, printed log lines, artifacts and stored rows are the same; its stored
    rows name the cycle's flow run. With a server that stays up (PREFECT_API_URL set, deployments)
    every stage is its own flow run, with its logs, as operators see it in the UI.
    """
    return on_own_server() and (get_settings().task_runner == "thread" or in_dask_worker())


@contextmanager
def one_server(timeout: float | None = None, warm: tuple[str, ...] = (),
               needed: tuple[str, ...] = ()) -> Iterator[None]:
    """One temporary Prefect server for a whole run, shared by every flow and every Dask worker.

    Without an API URL each process that runs a flow starts its own temporary server (about six
    seconds each, and one per Dask worker process); here one is started (or the one ``begin_server``
    started is awaited, importing the modules named in ``needed``, then those in ``warm`` while it is
    still starting), and its address is put in
    the environment the workers inherit. With PREFECT_API_URL already set (a real server), nothing
    is started.

    Log lines are not sent to the temporary server (they are printed as before): every flow and task
    line would be stored in its database, which has no UI and ends with the run, so nobody could read
    them there (every line is a request and a row: work for the server and for the workers' log
    thread, for nothing). A real server gets the logs as Prefect's settings say.
    """
    if os.environ.get("PREFECT_API_URL"):
        with _plain_http_clients(os.environ["PREFECT_API_URL"]):
            yield
        return
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_LOGGING_TO_API_ENABLED,
        temporary_settings,
    )

    if timeout is None:
        timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180"))
    server = _await_server(timeout, warm, needed)
    os.environ["PREFECT_API_URL"] = server.api_url
    os.environ[LOGS_TO_API] = "false"  # for the Dask workers this run starts
    os.environ[NO_EVENTS] = "off"  # here, and in the Dask workers this run starts
    quiet_events()
    try:
        # No flow-run heartbeats to a server that ends with this process: nothing watches them, and each
        # flow run waits up to a second at its end for the heartbeat thread to stop (five flows a cycle).
        with temporary_settings({PREFECT_API_URL: server.api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None,
                                 PREFECT_LOGGING_TO_API_ENABLED: False}), \
                _plain_http_clients(server.api_url):
            yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        os.environ.pop(LOGS_TO_API, None)
        if os.environ.pop(NO_EVENTS, None):
            from prefect.events.worker import EventsWorker

            EventsWorker.set_client_override(None)


@contextmanager
def _plain_http_clients(api_url: str) -> Iterator[None]:
    """Prefect's clients of a plain-HTTP API load one certificate, not 117 (csp/client_tls.py); set in
    the environment too, for the Dask workers this run starts."""
    path = for_plain_http(api_url, get_settings().var_dir)
    if path is None:
        yield
        return
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, temporary_settings

    os.environ[TLS_SETTING] = path
    try:
        with temporary_settings({PREFECT_API_SSL_CERT_FILE: path}):
            yield
    finally:
        os.environ.pop(TLS_SETTING, None)


def dask_workers() -> list[str]:
    """The addresses of the workers of the running flow's Dask cluster, sorted; empty when the flow
    runs on threads (or the cluster cannot be asked: the run then goes on without placing its tasks)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    if type(runner).__name__ != "DaskTaskRunner":
        return []
    try:
        return sorted(runner.client.scheduler_info(n_workers=-1)["workers"])
    except Exception:  # noqa: BLE001 - placement is an optimisation, never a reason to fail
        return []


@contextmanager
def on_worker(worker: str) -> Iterator[None]:
    """Tasks submitted inside go to ``worker`` (a Dask annotation). The restriction is loose: if that
    worker is gone, or another is idle while this one has a task waiting, the task runs elsewhere."""
    import dask

    with dask.annotate(workers=[worker], allow_other_workers=True):
        yield
