"""The completeness gate: a cycle whose validation blocked feeds no assessment, priorities or papers.

Validation marks the cycle ``validation_failed`` when a blocking rule failed (a required source missing
months of the period, a Crime ID counted twice...). Later stages ask this gate first. An operator may
accept an incomplete cycle (``--accept-incomplete``): the assessment then runs on what is present,
records the months present against the months expected (metrics ``period_months_present`` and
``period_months_expected``), and the cycle is marked ``accepted_incomplete`` so priorities and papers
follow, every paper stating how many months are present.
"""

from __future__ import annotations

from sqlalchemy import select

from csp.store import models
from csp.store.db import find_cycle, session_scope

BLOCKED = "validation_failed"
PASSED = "validated"  # the cycle's status after a validation with nothing blocking
ACCEPTED = "accepted_incomplete"
SHOWN = 3  # blocking messages quoted in the gate's message


class CycleBlocked(RuntimeError):
    """Raised when a stage would run on a cycle whose validation blocked; the message says what to do."""


def _blocking_messages(session, cycle: models.Cycle) -> list[str]:  # noqa: ANN001 - SQLAlchemy session
    v = models.ValidationResult
    return list(session.scalars(select(v.message).where(
        v.cycle_id == cycle.id, v.severity == "blocking", v.success.is_(False)).order_by(v.id)))


def cycle_status(database_url: str, partnership_id: str, cycle_name: str) -> str | None:
    with session_scope(database_url) as session:
        cycle = find_cycle(session, partnership_id, cycle_name)
        return cycle.status if cycle else None


def check_gate(database_url: str, partnership_id: str, cycle_name: str, stage: str,
               accept_incomplete: bool = False) -> bool:
    """Raise CycleBlocked if the cycle's validation blocked and the operator has not accepted it.

    Returns True when the stage goes on with an accepted incomplete cycle. The assessment is where
    the operator accepts (``accept_incomplete``); priorities and papers follow an accepted assessment.
    """
    with session_scope(database_url) as session:
        cycle = find_cycle(session, partnership_id, cycle_name)
        if cycle is None or cycle.status not in (BLOCKED, ACCEPTED):
            return False
        if cycle.status == ACCEPTED and stage != "assess":
            return True
        if accept_incomplete:
            return True
        problems = _blocking_messages(session, cycle)
    shown = "".join(f"\n- {m}" for m in problems[:SHOWN])
    more = f"\n(and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
    how = ("re-run with --accept-incomplete (flow parameter accept_incomplete=true) to assess what is "
           "present; every paper will then say how many months are present"
           if stage == "assess" else
           f"assess it with `csp assess -p {partnership_id} -c {cycle_name} --accept-incomplete` first")
    raise CycleBlocked(
        f"{partnership_id} {cycle_name}: {stage} stopped: validation blocked this cycle "
        f"({len(problems)} blocking problem(s)).{shown}{more}\nFix the data and run `csp validate -p "
        f"{partnership_id} -c {cycle_name}` again, or {how}.")


def mark_accepted(database_url: str, partnership_id: str, cycle_name: str) -> None:
    """After an assessment on an accepted incomplete cycle: priorities and papers may follow."""
    with session_scope(database_url) as session:
        cycle = find_cycle(session, partnership_id, cycle_name)
        if cycle is not None and cycle.status == BLOCKED:
            cycle.status = ACCEPTED
