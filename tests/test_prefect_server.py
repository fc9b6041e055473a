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

from csp.prefect_server import SERVER_MARK, _alive, reap_stale_servers
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
