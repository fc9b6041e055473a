"""The side process: a source's files parsed and validated on the second core while the reference data
go in (csp/side_process.py, tasks/ingest/pipeline.py: prefetch_sources). It must change nothing but
where the work runs: the same reports and the same store with it, without it, and when it fails."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from csp import side_process
from csp.config import load_partnership
from csp.store import models
from csp.store.db import migrate, session_scope
from tasks.ingest import pipeline, shared
from tests.ingest_helpers import POLICE_DIR

TODAY = dt.date(2026, 1, 15)
KINDS = ["police_uk", "fire"]


@pytest.fixture(autouse=True)
def _fresh_side_process():
    """Each test forks its own side process (a patched module is seen by a fork made after it)."""
    side_process.shutdown()
    shared.clear()
    yield
    side_process.shutdown()
    shared.clear()


def _config(tmp_path: Path):
    folder = tmp_path / "police"
    folder.mkdir()
    for month in ("2025-08", "2025-09", "2025-10"):  # 2025-10 lies after the 2025-26 period: skipped
        shutil.copy(POLICE_DIR / f"{month}-cambridgeshire-street.csv.gz", folder)
    config = load_partnership("cambridge")
    police = config.sources["police_uk"].model_copy(update={"path": str(folder)})
    return config.model_copy(update={"sources": {**config.sources, "police_uk": police}})


def _store(tmp_path: Path, name: str) -> str:
    url = f"sqlite:///{tmp_path / name}"
    migrate(url)
    return url


def _ingest(url: str, config, monkeypatch, side: str) -> tuple[list[str], list, dict[str, int]]:
    """Ingest the two sources into ``url``, each store with its own working folder (skips remembered)."""
    monkeypatch.setenv("CSP_SIDE_PROCESS", side)
    monkeypatch.setenv("CSP_VAR_DIR", url.removeprefix("sqlite:///") + ".var")
    shared.clear()
    sent = pipeline.prefetch_sources(url, config, "2025-26", KINDS)
    reports = [r for kind in KINDS for r in pipeline.ingest_source(url, config, "2025-26", kind, today=TODAY)]
    return sent, reports, dict(shared.STATS)


def _stored(url: str) -> tuple[int, int, int]:
    with session_scope(url) as session:
        return (session.scalar(select(func.count()).select_from(models.InputFile)),
                session.scalar(select(func.sum(models.InputFile.rows_accepted))),
                session.scalar(select(func.count()).select_from(models.ValidationResult)))


def _without(reports: list) -> list:
    return [(r.kind, r.label, r.status, r.rows_read, r.rows_accepted, r.rows_quarantined,
             r.rows_outside_area, r.rows_unlocated, r.months, r.message) for r in reports]


def test_the_side_process_does_the_reading_and_changes_nothing(tmp_path, csp_env, monkeypatch):
    config = _config(tmp_path)
    here_url, side_url = _store(tmp_path, "here.db"), _store(tmp_path, "side.db")
    sent_here, here, stats_here = _ingest(here_url, config, monkeypatch, "0")
    sent_side, side, stats_side = _ingest(side_url, config, monkeypatch, "1")
    assert sent_here == [] and sent_side == KINDS
    assert _without(side) == _without(here)
    assert [r.status for r in side] == ["stored", "stored", "skipped", "stored"]
    assert _stored(side_url) == _stored(here_url)
    # Here: three police files and the fire file parsed, two validations. There: all of it was done on
    # the side process (a parse and a validation per source), nothing in this process.
    assert (stats_here["parsed"], stats_here["validated"], stats_here["prefetched"]) == (4, 2, 0)
    assert (stats_side["parsed"], stats_side["validated"], stats_side["prefetched"]) == (0, 0, 4)


def _broken(*_args):
    raise RuntimeError("the side process failed")


def _killed(*_args):
    os._exit(3)


@pytest.mark.parametrize("failure", [_broken, _killed], ids=["raises", "dies"])
def test_a_failed_side_process_leaves_the_work_to_this_process(tmp_path, csp_env, monkeypatch, failure):
    config = _config(tmp_path)
    here_url, side_url = _store(tmp_path, "here.db"), _store(tmp_path, "side.db")
    _, here, _ = _ingest(here_url, config, monkeypatch, "0")
    monkeypatch.setattr(pipeline, "read_files", failure)
    monkeypatch.setattr(pipeline, "validate_files", failure)
    sent, side, stats = _ingest(side_url, config, monkeypatch, "1")
    assert sent  # sent, and failed there
    assert _without(side) == _without(here)
    assert _stored(side_url) == _stored(here_url)
    assert stats["prefetched"] == 0 and stats["parsed"] == 4
    side_process.submit(len, "four")  # a dead side process is noticed ...
    assert side_process.start() and side_process.result(side_process.submit(len, "four")) == 4  # ... and replaced


def test_a_source_with_nothing_new_starts_no_side_process(tmp_path, csp_env, monkeypatch):
    config = _config(tmp_path)
    url = _store(tmp_path, "csp.db")
    _ingest(url, config, monkeypatch, "1")
    side_process.shutdown()
    sent, again, stats = _ingest(url, config, monkeypatch, "1")
    assert sent == []
    assert [r.status for r in again] == ["unchanged", "unchanged", "skipped", "unchanged"]
    assert side_process._EXECUTOR == [] and stats["prefetched"] == 0


def test_nothing_is_sent_before_the_side_process_is_started(monkeypatch):
    """Only ``start`` forks (from a thread with nothing else at work); ``submit`` alone never does."""
    monkeypatch.setenv("CSP_SIDE_PROCESS", "1")
    assert side_process.submit(len, "x") is None and side_process._EXECUTOR == []


def test_the_side_process_is_off_where_it_cannot_help(monkeypatch):
    monkeypatch.setenv("CSP_SIDE_PROCESS", "auto")
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not side_process.enabled() and side_process.submit(len, "x") is None
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert side_process.enabled()
    monkeypatch.setenv("CSP_SIDE_PROCESS", "0")
    assert not side_process.enabled()


def _sleeps(*_args):
    import time

    time.sleep(30)


def test_a_side_process_that_does_not_answer_is_stopped_and_not_used_again(monkeypatch):
    """A stuck side process (a lock copied by the fork, say) costs the time-out, never a hang."""
    monkeypatch.setenv("CSP_SIDE_PROCESS", "1")
    monkeypatch.setenv("CSP_SIDE_PROCESS_TIMEOUT", "0.5")
    assert side_process.start()
    future = side_process.submit(_sleeps)
    with pytest.raises(TimeoutError):
        side_process.result(future)
    assert not side_process.enabled() and side_process.submit(len, "x") is None


def test_no_side_process_while_partnerships_run_in_threads(monkeypatch):
    monkeypatch.setenv("CSP_SIDE_PROCESS", "1")
    with side_process.off():
        assert not side_process.start() and side_process.submit(len, "x") is None
    assert side_process.start() and side_process.result(side_process.submit(len, "four")) == 4


def _uses_the_side_process() -> None:
    os.environ["CSP_SIDE_PROCESS"] = "1"
    assert side_process.start() and side_process.result(side_process.submit(len, "four")) == 4


def test_a_flow_run_process_that_used_the_side_process_still_exits():
    """Prefect's worker and `serve` run each flow run in a multiprocessing child, which at its end joins
    its own children: the side process must be stopped before that join, or the run never ends."""
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(target=_uses_the_side_process)
    child.start()
    child.join(60)
    alive = child.is_alive()
    if alive:
        child.kill()
    assert not alive and child.exitcode == 0


def test_the_side_process_ends_when_its_run_is_killed(tmp_path):
    """A run killed with SIGKILL runs no clean-up: its side process notices and ends by itself."""
    import signal
    import subprocess
    import sys
    import time

    code = ("import os; os.environ['CSP_SIDE_PROCESS'] = '1'\n"
            "from csp import side_process\n"
            "side_process.start()\n"
            "future = side_process.submit(os.getpid)\n"
            "print(side_process.result(future), flush=True)\n"
            "import time; time.sleep(60)\n")
    run = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                           cwd=Path(__file__).resolve().parent.parent)
    side = int(run.stdout.readline())
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{side}").exists() and \
            Path(f"/proc/{side}/stat").read_text().split()[2] != "Z":
        time.sleep(0.1)
    state = Path(f"/proc/{side}/stat").read_text().split()[2] if Path(f"/proc/{side}").exists() else "gone"
    assert state in ("gone", "Z")
