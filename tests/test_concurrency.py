"""Two writers at once: a stage's results are replaced whole, never doubled, never a raw IntegrityError.

The writers run in threads, each with its own database connection, released together by a barrier.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time

import pytest
from sqlalchemy import func, select, update

from csp.config import load_partnership
from csp.store import models
from csp.store.db import ensure_cycle, session_scope, shown_status, start_stage
from csp.store.locks import CYCLE_STAGE, LockBusy, partnership_cycle_lock, take_stage_lock
from tasks.assess.store import STAGE, replace_outputs
from tasks.ingest.pipeline import ingest_source
from tests.ingest_helpers import cambridge_rows, write_csv

CAMBRIDGE = load_partnership("cambridge")
CYCLE = "2025-26"


def _metrics(n: int, tag: str) -> list[dict]:
    return [{"metric": "count", "source_kind": "police_uk", "category": f"{tag}-{i}", "area_type": "partnership",
             "period": "current", "value": float(i), "input_file_ids": []} for i in range(n)]


def _together(*actions) -> list[BaseException]:
    """Run the actions in threads released at the same instant; return what they raised."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action) -> None:  # noqa: ANN001
        barrier.wait()
        try:
            action()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def _count(url: str, model: type) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("rounds", [3])
def test_two_assessments_at_once_on_an_empty_store_leave_one_run(db_url, rounds):
    """From an empty store (no partnership, no cycle): no IntegrityError, and exactly one run's rows."""
    for round_ in range(rounds):
        errors = _together(
            lambda: replace_outputs(db_url, CAMBRIDGE, CYCLE, _metrics(1500, "a"), [], [], "run-a"),
            lambda: replace_outputs(db_url, CAMBRIDGE, CYCLE, _metrics(1500, "b"), [], [], "run-b"),
        )
        assert errors == [], f"round {round_}: {errors}"
        assert _count(db_url, models.Metric) == 1500
        with session_scope(db_url) as session:
            runs = set(session.scalars(select(models.Metric.run_id)).all())
        assert len(runs) == 1  # one writer's rows, whole; never a mixture
        assert _count(db_url, models.Cycle) == 1 and _count(db_url, models.Partnership) == 1


def test_a_second_writer_waits_for_the_first(db_url):
    """While one transaction holds the stage lock, the other writer blocks, then replaces the rows."""
    replace_outputs(db_url, CAMBRIDGE, CYCLE, _metrics(10, "old"), [], [], "old")
    held, released = threading.Event(), threading.Event()
    finished_at: list[float] = []

    def holder() -> None:
        with session_scope(db_url) as session:
            take_stage_lock(session, CAMBRIDGE.id, CYCLE, STAGE)
            held.set()
            time.sleep(1.5)
            released.set()

    def writer() -> None:
        held.wait(10)
        replace_outputs(db_url, CAMBRIDGE, CYCLE, _metrics(20, "new"), [], [], "new")
        finished_at.append(time.monotonic())

    t1, t2 = threading.Thread(target=holder), threading.Thread(target=writer)
    t1.start(), t2.start()
    t1.join(30), t2.join(30)
    assert released.is_set() and finished_at
    with session_scope(db_url) as session:
        assert sorted(set(session.scalars(select(models.Metric.run_id)))) == ["new"]
    assert _count(db_url, models.Metric) == 20


@pytest.fixture
def pg_url(postgres_url: str | None) -> str:
    """PostgreSQL only: NOWAIT is PostgreSQL's (SQLite writers always wait, up to the busy timeout)."""
    from csp.store.db import migrate
    from tests.conftest import _reset_postgres

    assert postgres_url, "PostgreSQL is needed (CSP_TEST_POSTGRES_URL)"
    _reset_postgres(postgres_url)
    migrate(postgres_url)
    return postgres_url


def test_refused_without_waiting_names_the_running_one(pg_url):
    db_url = pg_url
    with session_scope(db_url) as session:
        run_id = start_stage(session, ensure_cycle(session, CAMBRIDGE, CYCLE), STAGE, None).id
    with session_scope(db_url) as first:
        take_stage_lock(first, CAMBRIDGE.id, CYCLE, STAGE)
        with pytest.raises(LockBusy) as caught, session_scope(db_url) as second:
            take_stage_lock(second, CAMBRIDGE.id, CYCLE, STAGE, wait=False)
    assert f"run {run_id}" in str(caught.value) and f"pid {os.getpid()}" in str(caught.value)


def test_one_cycle_run_per_partnership_and_a_dead_holder_is_taken_over(db_url):
    with partnership_cycle_lock(db_url, CAMBRIDGE.id, CYCLE, holder="first"):
        # a second claimant in another thread of this process counts as another run only by pid;
        # simulate another live process on this host by recording our parent's pid as holder
        with session_scope(db_url) as session:
            session.execute(update(models.StageLock).where(models.StageLock.stage == CYCLE_STAGE)
                            .values(pid=os.getppid()))
        with pytest.raises(LockBusy, match=r"already being run by first .*pid"), \
                partnership_cycle_lock(db_url, CAMBRIDGE.id, CYCLE, holder="second"):
            pass
    # A holder whose process is gone (pid that cannot exist) is taken over.
    with session_scope(db_url) as session:
        session.execute(update(models.StageLock).where(models.StageLock.stage == CYCLE_STAGE)
                        .values(holder="dead", pid=2**22 + 12345))
    with partnership_cycle_lock(db_url, CAMBRIDGE.id, CYCLE, holder="third"), session_scope(db_url) as session:
        row = session.get(models.StageLock, (CAMBRIDGE.id, CYCLE, CYCLE_STAGE))
        assert (row.holder, row.pid) == ("third", os.getpid())


def test_a_dead_run_is_shown_as_interrupted(db_url):
    with session_scope(db_url) as session:
        run = start_stage(session, ensure_cycle(session, CAMBRIDGE, CYCLE), STAGE, None)
        assert shown_status(run) == "running"
        run.pid = 2**22 + 54321  # no such process
        assert shown_status(run) == "interrupted"
        run.host, run.heartbeat_at = "elsewhere", dt.datetime.now(dt.UTC).replace(tzinfo=None)
        assert shown_status(run) == "running"  # another machine: judged by its fresh heartbeat
        run.heartbeat_at -= dt.timedelta(hours=1)
        assert shown_status(run) == "interrupted"


def test_the_same_file_ingested_twice_at_once_is_stored_once(db_url, tmp_path):
    path = write_csv(tmp_path / "2025-09-cambridgeshire-street.csv", cambridge_rows(40))
    today = dt.date(2026, 11, 23)
    reports: list = []
    errors = _together(*[
        lambda: reports.extend(ingest_source(db_url, CAMBRIDGE, CYCLE, "police_uk", path=path, today=today))
        for _ in range(2)])
    assert errors == []
    assert sorted(r.status for r in reports) == ["stored", "unchanged"]
    assert _count(db_url, models.InputFile) == 1 and _count(db_url, models.CrimeRecord) == 40
