"""One cycle per partnership at a time, partnerships side by side.

Two locks, because runs start in two places: a Prefect global concurrency limit named by partnership
(``csp-cycle-<partnership>``, one slot, created on first use) holds for every run that talks to a Prefect
server, and the store's lock row (csp/store/locks.py) also holds for the command line and for the stage
deployments, which may not share a server. A refused run says which run holds the partnership.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from csp.config import Partnership

# How long a run waits for its partnership's slot before it is refused. Acquiring a free slot is one
# round trip to the server, but on a loaded machine that was seen to take over 2 s (the full test
# suite: a run refused with nobody holding the slot), so the wait allows for a slow server.
SLOT_WAIT_SECONDS = 10.0


class CycleBusyError(RuntimeError):
    """Another run holds this partnership's cycle; the message names it."""


def limit_name(partnership_id: str) -> str:
    return f"csp-cycle-{partnership_id}"


def ensure_limit(name: str) -> None:
    """Create the one-slot global concurrency limit if the server lacks it."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            with contextlib.suppress(ObjectAlreadyExists):
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))


def holders(url: str, partnership_id: str) -> list[str]:
    """Who holds the partnership's cycles in the store (the lease rows), for a refusal message."""
    from sqlalchemy import select

    from csp.store import models
    from csp.store.db import session_scope
    from csp.store.locks import CYCLE_STAGE

    with session_scope(url) as session:
        rows = session.execute(select(models.StageLock.cycle_name, models.StageLock.holder).where(
            models.StageLock.partnership_id == partnership_id, models.StageLock.stage == CYCLE_STAGE,
            models.StageLock.holder.is_not(None))).all()
    return [f"{holder} ({cycle})" for cycle, holder in rows]


@contextlib.contextmanager
def _prefect_slot(url: str, config: Partnership, holder: str) -> Iterator[None]:
    from prefect.concurrency.sync import concurrency
    from prefect.context import FlowRunContext

    if FlowRunContext.get() is None:  # a plain function call: no server to ask
        yield
        return
    name = limit_name(config.id)
    ensure_limit(name)
    try:
        slot = concurrency(name, occupy=1, timeout_seconds=SLOT_WAIT_SECONDS, strict=True)
        slot.__enter__()
    except TimeoutError:
        running = ", ".join(holders(url, config.id)) or "another run (see the Prefect UI, Concurrency)"
        raise CycleBusyError(f"{holder}: refused: {config.id} is already being run by {running}; one cycle "
                             f"per partnership at a time (global concurrency limit {name!r})") from None
    try:
        yield
    finally:
        slot.__exit__(None, None, None)


@contextlib.contextmanager
def _store_lock(url: str, config: Partnership, cycle: str, holder: str) -> Iterator[None]:
    from csp.store.locks import LockBusy, claim_cycle

    try:
        lease = claim_cycle(url, config.id, cycle, holder)
    except LockBusy as exc:
        raise CycleBusyError(f"{holder}: refused: {exc}") from None
    try:
        yield
    finally:
        lease.release()


@contextlib.contextmanager
def cycle_guard(url: str, config: Partnership, cycle: str, holder: str) -> Iterator[None]:
    """Hold the partnership for this run, or raise CycleBusyError naming the run that holds it."""
    # the server's limit first: a refused run never touches the store's lease of the running one
    with _prefect_slot(url, config, holder), _store_lock(url, config, cycle, holder):
        yield
