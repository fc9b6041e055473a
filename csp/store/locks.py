"""Locks that keep two runs from writing the same results at once, on SQLite and PostgreSQL.

Two kinds, both keyed by names (partnership id, cycle name, stage) so they can be taken before the
cycle row exists:

``stage_lock(session, partnership, cycle, stage)``
    Transaction-scoped: taken inside the session's transaction and released when it commits or rolls
    back (or when the process dies: the database ends the transaction). Use it around a stage's
    delete-then-insert so a second writer waits and then replaces the first's rows whole; never a
    duplicate row. PostgreSQL: ``SELECT ... FOR UPDATE`` on the ``stage_lock`` row (``NOWAIT`` when
    ``wait=False``). SQLite: an ``UPDATE`` of the same row as the transaction's first write takes the
    database's write lock (what ``BEGIN IMMEDIATE`` would), and the other writer waits up to the
    busy timeout.

``partnership_cycle_lock(url, partnership, cycle, holder)``
    A lease for a long run (a whole cycle, many transactions and processes): a committed claim with
    host, pid and a heartbeat refreshed by a background thread. A second claimant is refused with a
    message naming the running one, unless that one is dead (same host and its pid is gone) or its
    heartbeat is older than ``stale_after`` seconds; then the lease is taken over.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from csp.store import models

HEARTBEAT_SECONDS = 20.0
STALE_AFTER_SECONDS = 120.0
CYCLE_STAGE = "*cycle*"  # the stage name under which the whole-cycle lease is kept


class LockBusy(RuntimeError):
    """Another run holds the lock; the message names it and says what to do."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def this_host() -> str:
    return socket.gethostname()


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id exists on this machine (signal 0 checks without sending)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def holder_alive(host: str | None, pid: int | None, heartbeat: dt.datetime | None,
                 stale_after: float = STALE_AFTER_SECONDS) -> bool:
    """A holder is alive if its process exists (same host) or, elsewhere, its heartbeat is fresh."""
    if host == this_host():
        return pid_alive(pid)
    if heartbeat is None:
        return False
    return (_now() - heartbeat).total_seconds() < stale_after


def _ensure_row(session: Session, partnership: str, cycle: str, stage: str) -> None:
    """Create the lock row if missing; concurrent creators do not collide (ON CONFLICT DO NOTHING).

    On PostgreSQL the row is committed at once on a connection of its own, so a waiter never queues
    behind another transaction's uncommitted insert (where NOWAIT would not apply). On SQLite it is
    inserted in the session's transaction: that first write is what takes the database's write lock."""
    bind = session.get_bind()
    insert = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
    statement = insert(models.StageLock).values(partnership_id=partnership, cycle_name=cycle,
                                                stage=stage).on_conflict_do_nothing()
    if bind.dialect.name == "postgresql":
        engine = getattr(bind, "engine", bind)
        with engine.begin() as connection:
            connection.execute(statement)
    else:
        session.execute(statement)


def _key(partnership: str, cycle: str, stage: str):  # noqa: ANN202 - SQLAlchemy clause
    return ((models.StageLock.partnership_id == partnership) & (models.StageLock.cycle_name == cycle)
            & (models.StageLock.stage == stage))


def _running_description(session: Session, partnership: str, cycle: str, stage: str) -> str:
    """The newest 'running' stage run of this stage, for the refusal message (committed rows only)."""
    row = session.execute(
        select(models.StageRun.id, models.StageRun.host, models.StageRun.pid, models.StageRun.started_at)
        .join(models.Cycle, models.Cycle.id == models.StageRun.cycle_id)
        .where(models.Cycle.partnership_id == partnership, models.Cycle.name == cycle,
               models.StageRun.stage == stage, models.StageRun.status == "running")
        .order_by(models.StageRun.started_at.desc()).limit(1)).first()
    if row is None:
        return "another run"
    return f"run {row.id} (host {row.host}, pid {row.pid}, started {row.started_at:%Y-%m-%d %H:%M:%S})"


def take_stage_lock(session: Session, partnership: str, cycle: str, stage: str, *, wait: bool = True) -> None:
    """Lock (partnership, cycle, stage) until the session's transaction ends (see module docstring)."""
    _ensure_row(session, partnership, cycle, stage)
    if session.get_bind().dialect.name == "postgresql":
        query = select(models.StageLock.stage).where(_key(partnership, cycle, stage))
        try:
            session.execute(query.with_for_update(nowait=not wait))
        except OperationalError as exc:  # LockNotAvailable under NOWAIT
            session.rollback()
            with Session(session.get_bind()) as probe:
                who = _running_description(probe, partnership, cycle, stage)
            raise LockBusy(f"{stage} for {partnership} {cycle} is being written by {who}; wait for it "
                           "to finish, then run this again") from exc
        return
    # SQLite: the first write of the transaction takes the database's write lock until commit.
    session.execute(update(models.StageLock).where(_key(partnership, cycle, stage)).values(stage=stage))


@contextmanager
def stage_lock(session: Session, partnership: str, cycle: str, stage: str, *,
               wait: bool = True) -> Iterator[Session]:
    """``with stage_lock(session, ...)``: the block's writes happen under the lock; it is released
    when the session's transaction ends (``session_scope`` commits after the block)."""
    take_stage_lock(session, partnership, cycle, stage, wait=wait)
    yield session


class Lease:
    """A held whole-cycle lease; ``release()`` (or leaving the ``with`` block) gives it up."""

    def __init__(self, url: str, partnership: str, cycle: str, holder: str) -> None:
        self.url, self.partnership, self.cycle, self.holder = url, partnership, cycle, holder
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True, name="csp-lease-heartbeat")

    def _beat(self) -> None:
        from csp.store.db import session_scope

        while not self._stop.wait(HEARTBEAT_SECONDS):
            with session_scope(self.url) as session:
                session.execute(update(models.StageLock)
                                .where(_key(self.partnership, self.cycle, CYCLE_STAGE),
                                       models.StageLock.pid == os.getpid())
                                .values(heartbeat_at=_now()))

    def release(self) -> None:
        from csp.store.db import session_scope

        self._stop.set()
        with session_scope(self.url) as session:
            session.execute(update(models.StageLock)
                            .where(_key(self.partnership, self.cycle, CYCLE_STAGE),
                                   models.StageLock.pid == os.getpid(),
                                   models.StageLock.host == this_host())
                            .values(holder=None, host=None, pid=None, heartbeat_at=None))


def claim_cycle(url: str, partnership: str, cycle: str, holder: str,
                stale_after: float = STALE_AFTER_SECONDS) -> Lease:
    """Claim the whole-cycle lease or raise LockBusy naming the live holder."""
    from csp.store.db import session_scope

    with session_scope(url) as session:
        take_stage_lock(session, partnership, cycle, CYCLE_STAGE)
        row = session.get(models.StageLock, (partnership, cycle, CYCLE_STAGE), populate_existing=True)
        mine = row.host == this_host() and row.pid == os.getpid()
        if row.holder and not mine and holder_alive(row.host, row.pid, row.heartbeat_at, stale_after):
            raise LockBusy(
                f"{partnership} {cycle} is already being run by {row.holder} (host {row.host}, pid "
                f"{row.pid}, since {row.taken_at:%Y-%m-%d %H:%M:%S}); wait for it to finish, or stop it "
                "and run this again")
        now = _now()
        row.holder, row.host, row.pid, row.taken_at, row.heartbeat_at = (
            holder, this_host(), os.getpid(), now, now)
    lease = Lease(url, partnership, cycle, holder)
    lease._thread.start()
    return lease


@contextmanager
def partnership_cycle_lock(url: str, partnership: str, cycle: str, holder: str = "csp cycle run",
                           stale_after: float = STALE_AFTER_SECONDS) -> Iterator[Lease]:
    """One run of a partnership's cycle at a time (across processes and machines sharing the store)."""
    lease = claim_cycle(url, partnership, cycle, holder, stale_after)
    try:
        yield lease
    finally:
        lease.release()


def refuse_while_cycle_runs(url: str, partnership: str, cycle: str, who: str) -> None:
    """A stage run on its own (its deployment, or the command line) is refused while another process
    runs the partnership's whole cycle: its results would replace the ones the cycle's papers quote.

    The cycle's own stages run in the process that holds the lease, so they pass. Reads only: a
    refusal leaves no lock row behind.
    """
    from csp.store.db import session_scope

    with session_scope(url) as session:
        row = session.get(models.StageLock, (partnership, cycle, CYCLE_STAGE))
        if row is None or not row.holder:
            return
        mine = row.host == this_host() and row.pid == os.getpid()
        if not mine and holder_alive(row.host, row.pid, row.heartbeat_at):
            raise LockBusy(
                f"{who}: refused: {partnership} {cycle} is being run by {row.holder} (host {row.host}, pid "
                f"{row.pid}, since {row.taken_at:%Y-%m-%d %H:%M:%S}), and this stage would replace results "
                "its papers quote; wait for that run to finish, then run the stage again")
