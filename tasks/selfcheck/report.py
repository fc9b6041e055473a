"""``csp selfcheck``: the hostile-input catalogue, an injected crash and two concurrent writers on a
scratch store (SQLite, and PostgreSQL when a server URL is given), printed as a tally."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from csp.config import load_partnership
from csp.settings import PROJECT_ROOT
from csp.store import models
from csp.store.db import session_scope, table_digests
from csp.store.locks import LockBusy, partnership_cycle_lock
from tasks.selfcheck.cases import GOOD_NAME, NOT_COVERED, csv_bytes, police_rows
from tasks.selfcheck.run import CYCLE, TODAY, Outcome, prepare_store, run_catalogue, scratch_sqlite

Echo = Callable[[str], None]


def crash_and_recover(url: str, folder: Path) -> bool:
    """SIGKILL an ingest while its rows are written but not committed; then re-run it. Recovered when
    the kill left the store unchanged and the re-run stored the file's rows exactly once."""
    from tasks.ingest.pipeline import ingest_source

    path = folder / "crash" / GOOD_NAME.replace("2025-09", "2025-07")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(police_rows(25, "2025-07")))
    before = table_digests(url)
    code = textwrap.dedent(f"""
        import datetime as dt
        from pathlib import Path
        from csp.config import load_partnership
        from tasks.ingest.pipeline import ingest_source
        ingest_source({url!r}, load_partnership("cambridge"), {CYCLE!r}, "police_uk", path=Path({str(path)!r}),
                      today=dt.date({TODAY.year}, {TODAY.month}, {TODAY.day}))
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, timeout=600,
                          env={**os.environ, "CSP_CRASH_AT": "ingest.store"})
    untouched = done.returncode == -signal.SIGKILL and table_digests(url) == before
    [report] = ingest_source(url, load_partnership("cambridge"), CYCLE, "police_uk", path=path, today=TODAY)
    with session_scope(url) as session:
        stored = session.scalar(select(func.count()).select_from(models.CrimeRecord)
                                .where(models.CrimeRecord.input_file_id == report.input_file_id))
    return untouched and report.status == "stored" and stored == 25


def concurrent_writers(url: str) -> tuple[bool, bool]:
    """Two assessments written at once (serialised: one run's rows, never both) and a second whole-
    cycle run while one holds the lease (refused, naming the first)."""
    from tasks.assess.store import replace_outputs

    config = load_partnership("cambridge")
    rows = [{"metric": "count", "source_kind": "police_uk", "category": f"c{i}", "area_type": "partnership",
             "period": "current", "value": float(i), "input_file_ids": []} for i in range(500)]
    barrier = threading.Barrier(2)

    def write(tag: str) -> None:
        barrier.wait()
        replace_outputs(url, config, CYCLE, rows, [], [], tag)

    threads = [threading.Thread(target=write, args=(tag,)) for tag in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    with session_scope(url) as session:
        count = session.scalar(select(func.count()).select_from(models.Metric))
        runs = set(session.scalars(select(models.Metric.run_id)))
    serialised = count == 500 and len(runs) == 1
    refused = False
    with partnership_cycle_lock(url, config.id, CYCLE, holder="selfcheck first"):
        from csp.store.locks import CYCLE_STAGE

        with session_scope(url) as session:  # pose as another live process on this machine
            row = session.get(models.StageLock, (config.id, CYCLE, CYCLE_STAGE))
            row.pid = os.getppid()
        try:
            with partnership_cycle_lock(url, config.id, CYCLE, holder="selfcheck second"):
                pass
        except LockBusy as exc:
            refused = "selfcheck first" in str(exc)
    return serialised, refused


def _engine_check(label: str, url: str, folder: Path, echo: Echo) -> bool:
    echo(f"== {label}: {url.split('@')[-1]}")
    prepare_store(url, folder)
    outcomes: list[Outcome] = run_catalogue(url, folder, echo)
    handled = sum(o.handled for o in outcomes)
    changed = sum(o.store_changed for o in outcomes)
    [peak] = [o for o in outcomes if o.case == "zip bomb 1 GiB declared"]  # the largest bomb
    worst = max((o for o in outcomes if "bomb" in o.case), key=lambda o: o.peak_bytes)
    recovered = crash_and_recover(url, folder)
    serialised, refused = concurrent_writers(url)
    echo(f"bad inputs tried {len(outcomes)}, handled {handled}, store changes {changed}")
    echo(f"crashes injected 1 (SIGKILL during ingest), recovered {int(recovered)}")
    echo(f"concurrent runs: two writers {'serialised' if serialised else 'NOT serialised'}; a second cycle "
         f"run {'refused' if refused else 'NOT refused'}")
    echo(f"peak memory on the largest bomb ({peak.case}): {peak.peak_bytes / (1 << 20):.1f} MiB "
         f"in {peak.seconds:.2f} s; highest on any bomb ({worst.case}): {worst.peak_bytes / (1 << 20):.1f} MiB")
    echo(f"not covered: {NOT_COVERED}")
    return handled == len(outcomes) and changed == 0 and recovered and serialised and refused


def run_selfcheck(echo: Echo, postgres_url: str | None = None) -> bool:
    """Returns True when something failed."""
    url, folder = scratch_sqlite()
    ok = True
    try:
        ok &= _engine_check("SQLite", url, folder, echo)
        if postgres_url:
            ok &= _postgres(postgres_url, folder / "pg", echo)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    echo("selfcheck " + ("passed" if ok else "FAILED"))
    return not ok


def _postgres(server_url: str, folder: Path, echo: Echo) -> bool:
    """A scratch database on the given server, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from csp.store.db import get_engine

    name = f"csp_selfcheck_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return _engine_check("PostgreSQL", url, folder, echo)
    finally:
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
