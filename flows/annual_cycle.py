"""The partnership's year: ingest and validate -> assessment -> recommendations -> board pack -> wait for
the board's decision -> Community Safety Plan and Terms of Reference -> action plan -> quarterly
monitoring reports that are due -> the Scrutiny report once it is due.

Each stage stays its own flow (and deployment); this flow chains them through cached stage tasks
(flows/cycle_stages.py), so a retried or resumed run reuses the stages that finished. On a server that
stays up each stage is a sub-flow run; on the run's own temporary server, which keeps no logs or task
runs, the stages' bodies run inside this flow run (csp.engines.stages_inline). Waiting for the
board holds no process: in a deployment the run suspends with a form of the recommendations and
resumes, weeks later, when the decisions arrive (Prefect UI, or `csp priorities decide/import-decisions`).
"""

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Literal
from uuid import uuid4

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.flow_runs import suspend_flow_run
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import deployment, flow_run

from csp import side_process
from csp.config import Partnership, load_all, load_partnership
from csp.engines import dask_workers, in_dask_worker, on_worker, quiet_events, task_runner, thread_runner
from csp.orchestration import GroupLanes, own_transactions
from csp.settings import get_settings
from csp.store.db import migrate
from csp.year import board_meeting, default_cycle, plan_meeting, scrutiny_due
from flows.cycle_stages import StageLog
from tasks.ingest.shared import moving_to
from tasks.monitoring.numbers import due_quarters
from tasks.year import board as B
from tasks.year.action_plan import seed_from_plan
from tasks.year.guard import cycle_guard
from tasks.year.timeline import paper_links, timeline

PLAN_PAPERS = ["community_safety_plan", "terms_of_reference"]
WAITING_FOR_BOARD = "waiting for the board"


def _resolved_cycle(partnership: str, cycle: str | None, today: dt.date | None) -> str:
    return cycle or default_cycle(load_partnership(partnership), today)


def _run_name() -> str:
    """Runs are named after the cycle they resolve to, never 'None'."""
    parameters = flow_run.parameters
    partnership = parameters.get("partnership", "cambridge")
    try:
        cycle = _resolved_cycle(partnership, parameters.get("cycle"), parameters.get("today"))
    except Exception:  # noqa: BLE001 - a bad configuration fails in the flow body, with its message
        cycle = parameters.get("cycle") or "(cycle from the date)"
    return f"annual-cycle {partnership} {cycle}"


def _board(url: str, config: Partnership, cycle: str, meeting: str, log: StageLog, *,
           decisions: str | None, accept: bool, until: str | None) -> bool:
    """Record what was supplied; True once every recommendation has a decision, else wait."""
    if decisions:
        log.note("board", "imported", B.import_file(url, config, cycle, Path(decisions)))
    if accept:
        log.note("board", "accepted", f"{B.accept_all(url, config, cycle, meeting)} recommendation(s) "
                                      "accepted as recommended")
    left = B.pending(url, config.id, cycle)
    if not left:
        B.mark_decided(url, config, cycle, f"decided at {meeting}")
        return True
    B.mark_waiting(url, config, cycle, str(flow_run.get_id() or ""))
    if until == "board" or not deployment.get_id():
        log.note("board", "waiting", f"{len(left)} recommendation(s) without a decision")
        return False
    log.note("board", "waiting", f"suspended: {len(left)} recommendation(s) await the board")
    _publish(url, config, cycle, log)  # the waiting run shows where it stopped
    form = suspend_flow_run(wait_for_input=B.board_form(url, config.id, cycle, meeting),
                            key=f"board-{config.id}-{cycle}")
    count = B.record_form(url, config, cycle, form)
    B.mark_decided(url, config, cycle, f"{count} decision(s) from the form, {meeting}")
    log.note("board", "decided", f"{count} decision(s) from the form")
    return True


def _after_board(url: str, config: Partnership, cycle: str, log: StageLog, today: dt.date) -> dict[str, Any]:
    plan = log.run("plan", plan_meeting(config, cycle).id, partnership=config.id, cycle=cycle,
                   meeting=plan_meeting(config, cycle).id, papers=PLAN_PAPERS, database_url=url)
    actions = _seed_actions(url, config, cycle, log)
    reports = [log.run("monitoring", f"Q{q.number}", partnership=config.id, cycle=cycle, quarter=q.number,
                       database_url=url, today=today)
               for q in due_quarters(config, cycle, today)]
    scrutiny = None
    if scrutiny_due(config, cycle) <= today:
        scrutiny = log.run("scrutiny", partnership=config.id, cycle=cycle, database_url=url, today=today)
    else:
        log.note("scrutiny", "not yet due", f"due {scrutiny_due(config, cycle)}")
    return {"plan": plan, "actions": actions, "monitoring": reports, "scrutiny": scrutiny}


def _seed_actions(url: str, config: Partnership, cycle: str, log: StageLog) -> str:
    """The action plan seeded from the plan, in the action register (idempotent)."""
    result = seed_from_plan(url, config, cycle)
    log.note("action plan", "ran", result)
    return result


def _publish(url: str, config: Partnership, cycle: str, log: StageLog) -> None:
    """The cycle run's own artifact: a summary (stages and the year) with a link to every paper.

    One artifact, not one per paper: each is a round trip to the server (about 0.3 s a run for a
    board pack's 14 files)."""
    year = timeline(url, config, cycle)
    key = f"annual-cycle-{config.id}-{cycle}".lower()
    links = [f"- [{label}]({Path(path).resolve().as_uri()})" for label, path in paper_links(url, config, cycle)]
    papers = "\n".join(links) or "No papers yet."
    create_markdown_artifact(key=key, description=f"{config.name} {cycle}: {year.where}",
                             markdown=f"## This run\n\n{log.markdown()}\n\n## The year\n\n{year.markdown()}"
                                      f"\n\n## The papers\n\n{papers}")


@flow(name="annual-cycle", flow_run_name=_run_name, persist_result=True, task_runner=thread_runner())
def annual_cycle(partnership: str = "cambridge", cycle: str | None = None, meeting: str | None = None,
                 database_url: str | None = None, until: Literal["board"] | None = None,
                 decisions: str | None = None, accept_recommendations: bool = False,
                 resume: bool = False, today: dt.date | None = None, accept_incomplete: bool = False) -> dict:
    """One partnership's year. Without a cycle: the newest whose period has ended and is published.

    ``decisions`` (a filled-in decisions CSV) or ``accept_recommendations`` supply the board's decision
    without waiting; ``until="board"`` stops after the pack; ``resume`` continues a cycle whose pack is
    drafted from the board's decision on. A cycle whose validation blocks stops with the problems
    listed; with ``accept_incomplete`` the operator accepts it and every paper states the months present.
    """
    config = load_partnership(partnership)
    today = today or dt.date.today()
    cycle = _resolved_cycle(partnership, cycle, today)
    board = config.meeting(meeting) if meeting else board_meeting(config, cycle)
    url = database_url or get_settings().database_url
    migrate(url)
    log = StageLog(run_key=str(flow_run.get_id() or uuid4()))
    result: dict[str, Any] = {"partnership": partnership, "cycle": cycle, "meeting": board.id,
                              "proposed_meeting": board.proposed}
    holder = f"{flow_run.get_name() or f'annual-cycle {partnership} {cycle}'} (flow run {flow_run.get_id()})"
    with cycle_guard(url, config, cycle, holder):
        try:
            if resume:
                log.note("ingest to board pack", "reused", "resumed after the board pack")
            else:
                for stage in ("ingest", "assessment"):
                    log.run(stage, partnership=partnership, cycle=cycle, database_url=url,
                            accept_incomplete=accept_incomplete)
                log.run("recommendations", partnership=partnership, cycle=cycle, database_url=url)
                result["pack"] = log.run("board pack", board.id, partnership=partnership, cycle=cycle,
                                         meeting=board.id, database_url=url)
            if not _board(url, config, cycle, board.id, log, decisions=decisions,
                          accept=accept_recommendations, until=until):
                result["status"] = WAITING_FOR_BOARD
                return result
            result.update(_after_board(url, config, cycle, log, today))
            result["status"] = timeline(url, config, cycle).where
        finally:
            _publish(url, config, cycle, log)
    get_run_logger().info("%s %s: %s", partnership, cycle, result["status"])
    return result


@task(name="partnership-cycle", task_run_name="cycle {partnership} {cycle}")
def partnership_cycle(partnership: str, cycle: str | None, database_url: str, options: dict) -> dict:
    """One partnership of a national run; its stages keep nothing in this task's transaction, so a
    worker's memory does not grow with the partnerships it has run (csp/orchestration.py). A Dask
    worker starting another force's partnership first forgets the last force's files."""
    if in_dask_worker():
        quiet_events()
        moving_to(_police_folder(partnership))
    with own_transactions():
        return annual_cycle(partnership, cycle, database_url=database_url, **options)


@flow(name="annual-cycle-all", flow_run_name="annual-cycle-all {cycle}", task_runner=task_runner())
def annual_cycle_all(partnerships: list[str] | None = None, cycle: str | None = None,
                     database_url: str | None = None, options: dict | None = None) -> list[dict]:
    """Several partnerships side by side, each a task on the configured runner (threads or Dask).

    SQLite allows one writer at a time, so with SQLite the partnerships run one after another;
    with PostgreSQL they run in parallel (on a Dask cluster with CSP_TASK_RUNNER=dask).

    On a cluster of several workers, each worker goes through one force's partnerships at a time
    (``_in_lanes``), so a force's files are read and validated by one worker, not by every worker
    that happens to take one of its partnerships.
    """
    ids = partnerships or [p.id for p in load_all()]
    url = database_url or get_settings().database_url
    if url.startswith("sqlite"):
        return [partnership_cycle(pid, cycle, url, options or {}) for pid in ids]
    workers = dask_workers()
    submit = partial(_submit_partnership, cycle=cycle, url=url, options=options or {})
    with side_process.off():  # partnerships in threads here (or in Dask workers): the cores are taken
        if len(workers) > 1:
            futures = _in_lanes(force_groups(ids), workers, submit)
        else:
            futures = {pid: submit(pid) for pid in by_force(ids)}
        return [futures[pid].result() for pid in ids]


def _submit_partnership(pid: str, *, cycle: str | None, url: str, options: dict) -> PrefectFuture:
    return partnership_cycle.submit(pid, cycle, url, options)


def _in_lanes(groups: list[list[str]], workers: list[str],
              submit: Callable[[str], PrefectFuture]) -> dict[str, PrefectFuture]:
    """Every partnership, each force's on one Dask worker where the sizes allow (``GroupLanes``).

    A worker holds two partnerships at a time (one running, one waiting, so it never idles between
    them); as each finishes, the next for that worker is chosen and submitted.
    """
    lanes = GroupLanes(groups)
    futures: dict[str, PrefectFuture] = {}
    running: dict[PrefectFuture, int] = {}

    def start(lane: int) -> None:
        pid = lanes.next_for(lane)
        if pid is not None:
            with on_worker(workers[lane]):
                futures[pid] = submit(pid)
            running[futures[pid]] = lane

    for _ in range(2):
        for lane in range(len(workers)):
            start(lane)
    while running:
        done = next(as_completed(list(running)))
        start(running.pop(done))
    get_run_logger().info("%d partnerships run force by force on %d Dask workers", len(futures), len(workers))
    return futures


def force_groups(ids: list[str]) -> list[list[str]]:
    """The partnerships grouped by the folder of their police files (one force), the force with the
    most data first, each force's in the given order."""
    folders: dict[str, list[str]] = {}
    for pid in ids:
        folders.setdefault(_police_folder(pid), []).append(pid)
    order = sorted(folders.items(), key=lambda item: (-_folder_bytes(item[0]), item[0]))
    return [members for _, members in order]


def by_force(ids: list[str]) -> list[str]:
    """The partnerships in the order to start them: those whose police files are the same folder
    (one force) next to each other, largest force first, each force's in the given order.

    A runner hands tasks to free workers in about the order they were submitted, so the workers go
    through one force's partnerships at a time, and the force's files, read and validated once per
    worker process (tasks/ingest/shared.py), are still in its bounded cache for the next partnership
    of that force. In alphabetical order the forces interleave: with every force in the country a
    worker's cache is too small to hold them all, and a force's year is read again and again. The
    largest first, so that no long force is left to run alone at the end.
    """
    return [pid for members in force_groups(ids) for pid in members]


def _police_folder(partnership: str) -> str:
    """Where a partnership's police files are; "" where that cannot be told (its own task then fails
    with the configuration's message, as it would have)."""
    try:
        config = load_partnership(partnership)
        return str(config.source_path("police_uk")) if "police_uk" in config.sources else ""
    except Exception:  # noqa: BLE001 - ordering only; the error is the partnership's task's to report
        return ""


def _folder_bytes(folder: str) -> int:
    """The size of a source's files on disk: a cheap stand-in for the work of its partnerships."""
    path = Path(folder)
    if not folder or not path.exists():
        return 0
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
