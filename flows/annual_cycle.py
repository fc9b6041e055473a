"""The annual cycle: ingest and validate -> assess -> recommend priorities -> draft the board papers.

Each stage is its own flow (and its own deployment), so an analyst can re-run one stage for one
partnership and cycle; this flow chains them. Stage tasks persist their results and cache on their
inputs, so retrying a failed cycle redoes only the failed stage and what follows it.
"""

import datetime as dt

from prefect import flow, task

from csp.config import load_all, load_partnership
from csp.cycle import latest_cycle
from csp.engines import task_runner
from csp.settings import get_settings
from flows.draft_board_papers import draft_board_papers
from flows.ingest_and_validate import ingest_and_validate
from flows.recommend_priorities import recommend_priorities
from flows.strategic_assessment import strategic_assessment


def _board_meeting(partnership: str, cycle: str) -> str:
    """The cycle's first board meeting in configuration: where the assessment is presented."""
    config = load_partnership(partnership)
    boards = sorted((m for m in config.meetings if m.cycle == cycle and m.kind == "board"),
                    key=lambda m: m.date)
    if not boards:
        raise ValueError(f"{config.config_file}: key 'meetings': no board meeting for cycle {cycle}")
    return boards[0].id


@flow(name="annual-cycle", flow_run_name="annual-cycle {partnership} {cycle}")
def annual_cycle(partnership: str = "cambridge", cycle: str | None = None,
                 meeting: str | None = None, database_url: str | None = None,
                 accept_incomplete: bool = False) -> dict:
    """One partnership's year. Without a cycle, the newest whose assessment period has ended.

    A cycle whose validation blocks stops after validation with the problems listed; with
    ``accept_incomplete`` the operator accepts it and every paper states the months present.
    """
    config = load_partnership(partnership)
    cycle = cycle or latest_cycle(dt.date.today(), config.assessment.period_end_month)
    meeting = meeting or _board_meeting(partnership, cycle)
    url = database_url or get_settings().database_url
    ingest_and_validate(partnership, cycle, database_url=url, accept_incomplete=accept_incomplete)
    strategic_assessment(partnership, cycle, database_url=url, accept_incomplete=accept_incomplete)
    recommend_priorities(partnership, cycle, database_url=url)
    pack = draft_board_papers(partnership, cycle, meeting, database_url=url)
    return {"partnership": partnership, "cycle": cycle, "meeting": meeting, "pack": pack}


@task(name="partnership-cycle", task_run_name="cycle {partnership} {cycle}")
def partnership_cycle(partnership: str, cycle: str | None, database_url: str,
                      accept_incomplete: bool = False) -> dict:
    return annual_cycle(partnership, cycle, database_url=database_url, accept_incomplete=accept_incomplete)


@flow(name="annual-cycle-all", flow_run_name="annual-cycle-all {cycle}", task_runner=task_runner())
def annual_cycle_all(partnerships: list[str] | None = None, cycle: str | None = None,
                     database_url: str | None = None, accept_incomplete: bool = False) -> list[dict]:
    """Several partnerships side by side, each a task on the configured runner (threads or Dask).

    SQLite allows one writer at a time, so with SQLite the partnerships run one after another;
    with PostgreSQL they run in parallel (on a Dask cluster with CSP_TASK_RUNNER=dask).
    """
    ids = partnerships or [p.id for p in load_all()]
    url = database_url or get_settings().database_url
    if url.startswith("sqlite"):
        return [partnership_cycle(pid, cycle, url, accept_incomplete) for pid in ids]
    futures = [partnership_cycle.submit(pid, cycle, url, accept_incomplete) for pid in ids]
    return [future.result() for future in futures]
