"""The temporary Prefect server a run starts when no shared server is configured: always stopped.

Prefect's ephemeral mode starts ``uvicorn prefect.server.api.server:create_app`` as a child process
(``prefect.server.api.server.SubprocessASGIServer``) and stops it with ``atexit``, which never runs if
the parent is killed with SIGKILL: the server is left behind. So:

1. ``start_temporary_server()`` (and ``csp.engines.one_server`` through ``guard``) starts Prefect's own
   singleton first (the flows then reuse it), records
   ``{parent pid, server pid}`` in ``var/prefect-server-<pid>.json``, and starts a small watchdog
   process (its own session, so a signal to the run's process group does not reach it) that stops the
   server as soon as the parent is gone.
2. ``reap_stale_servers()`` (run on every start) stops any server recorded in ``var/`` whose parent has
   died, in case the watchdog itself was killed too.

If the server is slow to start on a busy machine, raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS
(csp/settings.py sets 180 s by default).
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from csp.settings import get_settings

SERVER_MARK = "prefect.server.api.server:create_app"


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (a killed parent not yet reaped still answers kill 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _is_prefect_server(pid: int) -> bool:
    """Only ever stop a process that is a Prefect server (pids are reused)."""
    try:
        return SERVER_MARK in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


def stop_server(pid: int, grace: float = 5.0) -> bool:
    """SIGTERM, then SIGKILL after ``grace`` seconds; True when a server was stopped."""
    if not _is_prefect_server(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _alive(pid) and _is_prefect_server(pid):
        time.sleep(0.1)
    if _alive(pid) and _is_prefect_server(pid):
        os.kill(pid, signal.SIGKILL)
    return True


def _records(var_dir: Path) -> list[Path]:
    return sorted(var_dir.glob("prefect-server-*.json"))


def reap_stale_servers(var_dir: Path | None = None) -> list[int]:
    """Stop recorded servers whose parent run has died; forget records of servers already gone."""
    var_dir = var_dir or get_settings().var_dir
    stopped = []
    for record in _records(var_dir):
        try:
            entry = json.loads(record.read_text())
            parent, server = int(entry["parent"]), int(entry["server"])
        except (OSError, ValueError, KeyError, TypeError):
            record.unlink(missing_ok=True)
            continue
        if _alive(parent) and parent != os.getpid():
            continue
        if _alive(server) and stop_server(server):
            stopped.append(server)
        record.unlink(missing_ok=True)
    return stopped


def _uses_temporary_server() -> bool:
    from prefect.settings import PREFECT_API_URL

    return not PREFECT_API_URL.value()


def start_temporary_server(var_dir: Path | None = None) -> int | None:
    """Start Prefect's temporary server under our watch; returns its pid (None with a shared server)."""
    var_dir = var_dir or get_settings().var_dir
    reap_stale_servers(var_dir)
    if not _uses_temporary_server():
        return None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    pid = server.server_process.pid
    guard(pid, var_dir)
    return pid


class LaunchedServer:
    """Prefect's temporary server, launched without importing Prefect (see ``launch``)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process = _popen_server(self.port)
        self.warmed: list[str] = []  # the API paths ``warm_up`` has had answered
        self.warming: threading.Thread | None = None
        atexit.register(self.stop)  # registered before Prefect's own exit hooks, so it runs after them

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def answers(self, timeout: float = 2.0) -> bool:
        """Whether the server answers its health check now (the one check every caller uses)."""
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=timeout) as answer:
                return answer.status == 200
        except OSError:  # urllib's URLError is an OSError
            return False

    def wait_ready(self, timeout: float) -> None:
        """Poll the health endpoint; a port taken meanwhile (uvicorn exits 3) is retried on another."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code == 3:
                self.port = _free_port()
                self.process = _popen_server(self.port)
                continue
            if code is not None:
                raise RuntimeError(f"the temporary Prefect server stopped as it started (exit code {code}); "
                                   "run `prefect server start` to see why, or set PREFECT_API_URL")
            if self.answers():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the temporary Prefect server did not start within {timeout:.0f} s; raise "
                           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or set PREFECT_API_URL")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def warm_up(server: LaunchedServer, timeout: float = 180.0) -> threading.Thread:
    """Once the server answers its health check, ask it for its version and one stored row, in a
    background thread: its first API call and first database read cost it about 0.7 s (measured: 0.6 s
    and 0.1 s, then a few milliseconds), which the run's first flow would otherwise wait for, while
    here they overlap the run's own imports. Any failure is left for the run itself to meet."""
    def warm() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and server.process.poll() is None:
            if server.answers():
                break
            time.sleep(0.1)
        else:
            return
        requests = {"/admin/version": None, "/flows/filter": b'{"limit": 1}'}
        for path, body in requests.items():
            request = urllib.request.Request(f"{server.api_url}{path}", data=body,
                                             headers={"Content-Type": "application/json"})
            try:
                urllib.request.urlopen(request, timeout=10).close()
            except OSError:  # urllib's URLError is an OSError
                return
            server.warmed.append(path)

    thread = threading.Thread(target=warm, name="csp-server-warm-up", daemon=True)
    thread.start()
    return thread


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _popen_server(port: int) -> subprocess.Popen:
    """The command Prefect's own ephemeral mode runs (``SubprocessASGIServer``, Prefect 3.8), without
    the UI. The server reads the same PREFECT_* settings from the environment and profile.

    Its task-run recorder and event persister are off: they write task runs and events to the server's
    SQLite file as they arrive, and when a stage's subflow starts at the same moment SQLite answers
    "database is locked", the client waits two seconds and tries again (with both on: two or three
    times a cycle; with the persister alone: one run in three). Nobody can look at this server's task
    runs or events (no UI, no automations, and it ends with the run); flow runs, states, concurrency
    limits, run inputs and results are unaffected. For the same reason the services that act on
    automations, deployments' schedules and work pools are off (a temporary server has none of them):
    the automations' trigger service alone read every event of a national run.
    """
    off = ("TASK_RUN_RECORDER", "EVENT_PERSISTER", "TRIGGERS", "SCHEDULER", "LATE_RUNS", "FOREMAN")
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1",
           **{f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in off}}
    return subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", SERVER_MARK, "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "error", "--lifespan", "on"], env=env)


def launch(var_dir: Path | None = None) -> LaunchedServer:
    """Start the temporary server at once, without waiting for it and without importing Prefect (about
    two seconds), under the watchdog, warmed up in the background; ``wait_ready`` before the first flow."""
    reap_stale_servers(var_dir)
    server = LaunchedServer()
    guard(server.process.pid, var_dir)
    server.warming = warm_up(server)
    return server


def guard(pid: int, var_dir: Path | None = None) -> None:
    """Record a temporary server started by this process and watch it (see the module docstring)."""
    var_dir = var_dir or get_settings().var_dir
    var_dir.mkdir(parents=True, exist_ok=True)
    record = var_dir / f"prefect-server-{os.getpid()}.json"
    record.write_text(json.dumps({"parent": os.getpid(), "server": pid}))
    subprocess.Popen([sys.executable, "-m", "csp.prefect_server", str(os.getpid()), str(pid), str(record)],
                     start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, close_fds=True)


def watch(parent: int, server: int, record: Path, interval: float = 0.5) -> None:
    """The watchdog: wait for the parent to go, then stop its server and remove the record."""
    while _alive(parent) and _alive(server):
        time.sleep(interval)
    if _alive(server):
        stop_server(server)
    record.unlink(missing_ok=True)


if __name__ == "__main__":  # python -m csp.prefect_server <parent pid> <server pid> <record>
    watch(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
