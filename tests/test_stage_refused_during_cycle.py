"""A stage run on its own is refused while another process runs the partnership's cycle; the cycle's
own stages (same process as the lease) go on."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import select

from csp.settings import PROJECT_ROOT
from csp.store import models
from csp.store.db import session_scope
from csp.store.locks import LockBusy, partnership_cycle_lock, refuse_while_cycle_runs


def _hold_lease(url: str) -> subprocess.Popen:
    """A child process that holds cambridge 2025-26's cycle lease until it is killed."""
    code = textwrap.dedent(f"""
        import time
        from csp.store.locks import partnership_cycle_lock
        with partnership_cycle_lock({url!r}, "cambridge", "2025-26", holder="annual-cycle cambridge 2025-26"):
            print("held", flush=True)
            time.sleep(120)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_stage_alone_is_refused_while_another_process_runs_the_cycle(db_url):
    from flows.strategic_assessment import strategic_assessment

    child = _hold_lease(db_url)
    try:
        with pytest.raises(LockBusy) as refused:
            refuse_while_cycle_runs(db_url, "cambridge", "2025-26", "strategic-assessment")
        message = str(refused.value)
        assert "strategic-assessment: refused" in message
        assert "annual-cycle cambridge 2025-26" in message and f"pid {child.pid}" in message
        with pytest.raises(LockBusy):  # the flow itself stops before recording any stage run
            strategic_assessment.fn("cambridge", "2025-26", database_url=db_url)
        with session_scope(db_url) as session:
            assert session.scalars(select(models.StageRun)).first() is None
        refuse_while_cycle_runs(db_url, "cambridge", "2024-25", "strategic-assessment")  # other cycle: free
        refuse_while_cycle_runs(db_url, "fenland", "2025-26", "strategic-assessment")  # other partnership
    finally:
        child.kill()
        child.wait()
    time.sleep(0.1)
    refuse_while_cycle_runs(db_url, "cambridge", "2025-26", "strategic-assessment")  # holder gone: free


def test_the_cycles_own_stages_pass(db_url):
    with partnership_cycle_lock(db_url, "cambridge", "2025-26", holder="annual-cycle cambridge 2025-26"):
        refuse_while_cycle_runs(db_url, "cambridge", "2025-26", "strategic-assessment")
