"""The temporary Prefect server is stopped even when the run that started it is killed (SIGKILL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from csp.prefect_server import SERVER_MARK, _alive, launch, reap_stale_servers
from csp.settings import PROJECT_ROOT


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.2)
    return False


def test_server_of_a_killed_run_is_stopped_by_its_watchdog(tmp_path):
    code = textwrap.dedent("""
        import sys, time
        from csp.prefect_server import start_temporary_server
        print(start_temporary_server(), flush=True)
        time.sleep(300)
    """)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["CSP_VAR_DIR"] = str(tmp_path / "var")
    run = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                           text=True)
    server = int(run.stdout.readline())
    assert _alive(server) and SERVER_MARK in Path(f"/proc/{server}/cmdline").read_text(errors="replace")
    assert list((tmp_path / "var").glob("prefect-server-*.json"))
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert _wait_gone(server, 20), "the temporary Prefect server outlived its killed parent"
    deadline = time.monotonic() + 5
    while list((tmp_path / "var").glob("prefect-server-*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not list((tmp_path / "var").glob("prefect-server-*.json"))


def test_a_stale_server_recorded_in_var_is_stopped_on_the_next_start(tmp_path):
    """Parent and watchdog both gone: the next start finds the record and stops the server."""
    # a stand-in whose command line marks it as a Prefect server (only such processes are ever stopped)
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", SERVER_MARK])
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    dead_parent = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_parent.wait()
    var = tmp_path / "var"
    var.mkdir()
    (var / "prefect-server-1.json").write_text(json.dumps({"parent": dead_parent.pid, "server": server.pid}))
    (var / "prefect-server-2.json").write_text(json.dumps({"parent": dead_parent.pid, "server": bystander.pid}))
    try:
        assert reap_stale_servers(var) == [server.pid]
        server.wait(10)
        assert bystander.poll() is None  # not a Prefect server: never touched
        assert not list(var.glob("prefect-server-*.json"))
    finally:
        for process in (server, bystander):
            if process.poll() is None:
                process.kill()
                process.wait()


def test_a_server_begun_early_starts_before_prefect_is_imported_and_serves_the_run(tmp_path):
    """``begin_server`` launches the server without importing Prefect, so the run's own imports overlap
    its start; ``one_server`` waits for it, points the run at it, and flows run against it without
    the client having to retry a request (task-run recorder and event persister are off on this server),
    and without sending it their log lines or events."""
    code = textwrap.dedent("""
        import json, os, sys, urllib.request
        from csp import engines
        from csp.engines import begin_server, one_server
        begin_server()
        print("prefect imported before launch:", "prefect" in sys.modules, flush=True)
        import logging
        from prefect import flow, task

        retries = []
        class Count(logging.Handler):
            def emit(self, record):
                if "retryable" in record.getMessage():
                    retries.append(record.getMessage())
        client_log = logging.getLogger("prefect.client")
        client_log.setLevel(logging.DEBUG)
        client_log.addHandler(Count())

        @flow
        def stage(i):
            return i

        @task(persist_result=True)
        def stage_task(i):
            return stage(i)

        @flow
        def cycle():
            return sum(stage_task(i) for i in range(4))

        import datetime
        started = datetime.datetime.now(datetime.timezone.utc).isoformat()
        with one_server(warm=("json",)):
            url = os.environ["PREFECT_API_URL"]
            print("health:", urllib.request.urlopen(url + "/health").status, flush=True)
            print("flow:", cycle(), flush=True)
            print("retried requests:", len(retries), retries[:1], flush=True)
            from prefect.logging.handlers import APILogWorker
            APILogWorker.drain_all(timeout=10)  # whatever was queued for the server is sent now
            since = json.dumps({"logs": {"timestamp": {"after_": started}}}).encode()  # this run's lines
            ask = urllib.request.Request(url + "/logs/filter", data=since, method="POST",
                                         headers={"Content-Type": "application/json"})
            print("log lines stored by the server:", len(json.load(urllib.request.urlopen(ask))), flush=True)
            print("workers told:", os.environ.get("PREFECT_LOGGING_TO_API_ENABLED"), flush=True)
            from prefect.events import emit_event
            sent = emit_event("csp.test", resource={"prefect.resource.id": "csp.test"})
            print("event sent:", sent is not None, "| workers told events:", os.environ.get(engines.NO_EVENTS), flush=True)
        from prefect.events.worker import EventsWorker
        print("events after the run:", EventsWorker._client_override is None, flush=True)
    """)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["CSP_VAR_DIR"] = str(tmp_path / "var")
    run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "prefect imported before launch: False" in run.stdout
    assert "health: 200" in run.stdout
    assert "flow: 6" in run.stdout
    # stages as subflows inside tasks (the cycle's shape): no "database is locked" retries (2 s each)
    assert "retried requests: 0" in run.stdout, run.stdout
    # log lines are printed, not stored by a server nobody can read them from
    assert "Finished in state Completed()" in run.stderr + run.stdout
    assert "log lines stored by the server: 0" in run.stdout and "workers told: false" in run.stdout
    # no events to a server that keeps none (csp/engines.py: quiet_events); Prefect's own choice after
    assert "event sent: False | workers told events: off" in run.stdout
    assert "events after the run: True" in run.stdout
    assert not list((tmp_path / "var").glob("prefect-server-*.json")) or _wait_records_gone(tmp_path / "var")


def _wait_records_gone(var: Path, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while list(var.glob("prefect-server-*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not list(var.glob("prefect-server-*.json"))


def test_a_cycle_refused_for_bad_input_stops_the_server_it_began(tmp_path):
    """`csp cycle run` begins the server before reading the configuration (they overlap); a partnership
    that does not exist is one line, and the server begun for it is stopped at once."""
    code = textwrap.dedent("""
        import subprocess
        from typer.testing import CliRunner
        from cli.app import app
        from csp import engines
        launched = []
        real = engines.begin_server
        def begin():
            real()
            launched.append(engines._EARLY["server"].process)
        engines.begin_server = begin
        result = CliRunner().invoke(app, ["cycle", "run", "-p", "nowhere"])
        print("exit:", result.exit_code, "|", result.output.strip().splitlines()[-1][:200], flush=True)
        process = launched[0]
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            pass
        print("server running:", process.poll() is None, "kept:", bool(engines._EARLY), flush=True)
    """)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["CSP_VAR_DIR"] = str(tmp_path / "var")
    run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "exit: 2 | " in run.stdout and "no such partnership 'nowhere'" in run.stdout, run.stdout
    assert "server running: False kept: False" in run.stdout


def test_a_launched_server_is_warmed_up_in_the_background(tmp_path):
    """Its first API call and first database read (about 0.7 s together) are made by a background
    thread as soon as it answers, so the run's first flow does not wait for them."""
    server = launch(tmp_path / "var")
    try:
        server.warming.join(180)
        assert not server.warming.is_alive()
        assert server.warmed == ["/admin/version", "/flows/filter"]
    finally:
        server.stop()
    assert server.process.poll() is not None


def test_events_go_to_a_real_server_as_prefect_decides(monkeypatch):
    """Only the run's own temporary server is spared events: without the flag one_server sets (an
    operator's server, which automations may watch), Prefect's events client is left alone."""
    from prefect.events.worker import EventsWorker

    from csp import engines

    monkeypatch.delenv(engines.NO_EVENTS, raising=False)
    engines.quiet_events()
    assert EventsWorker._client_override is None
    monkeypatch.setenv(engines.NO_EVENTS, "off")
    try:
        engines.quiet_events()
        assert EventsWorker._client_override is not None
    finally:
        EventsWorker.set_client_override(None)


def test_the_temporary_server_runs_on_uvloop_and_httptools():
    """uvicorn picks its event loop and HTTP parser by what is installed ("auto", as the server is
    started): without these two it falls back to asyncio and h11, an eighth more of the server's CPU."""
    from uvicorn.loops.auto import auto_loop_factory
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    loop = auto_loop_factory()()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()
    assert AutoHTTPProtocol.__name__ == "HttpToolsProtocol"
