"""Flow: draft the Word board pack for one partnership's meeting.

Orchestration only: the work is in tasks/papers. Templates are checked first (a broken one stops the
run before any paper is written; templates that passed with the same bytes and code are not checked
again); then the pack's inputs are fingerprinted (tasks/papers/inputs.py) and papers already rendered
from the same inputs are taken as they are (tasks/papers/reuse.py). Only the other papers' contexts are
built and rendered, in parallel, one task per paper and version; then the pack is checked for forbidden
content and written in one step (folder, manifest, zip, Paper rows), unless the pack on disk is already
exactly this one, and a markdown artifact lists it.
"""

from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from csp import side_process
from csp.config import load_partnership
from csp.engines import task_runner
from csp.settings import get_settings
from csp.store.locks import refuse_while_cycle_runs
from tasks.papers.pack import keep_jobs, pack_summary
from tasks.papers.render import Rendered
from tasks.papers.reuse import DROPPED
from tasks.papers.tasks import (
    build_context_task,
    check_templates_task,
    close_stage_task,
    code_version,
    keep_new,
    open_stage_task,
    pack_artifact_task,
    plan_pack_task,
    render_paper_task,
    reuse_task,
    write_pack_task,
)
from tasks.papers.up_to_date import UNCHANGED
from tasks.validate.gate import check_gate


@flow(
    name="draft-board-papers",
    flow_run_name="board-papers {partnership} {cycle} {meeting}",
    task_runner=task_runner(),
)
def draft_board_papers(partnership: str, cycle: str, meeting: str, papers: list[str] | None = None,
                       database_url: str | None = None) -> dict[str, Any]:
    """Draft every paper of the meeting's pack (or the named ``papers``); returns where they are."""
    config = load_partnership(partnership)
    config.meeting(meeting)  # an unknown meeting fails here, before anything is recorded
    url = database_url or get_settings().database_url
    check_gate(url, partnership, cycle, "papers")  # a blocked cycle stops here, with what to do
    refuse_while_cycle_runs(url, partnership, cycle, "draft-board-papers")
    run_id = flow_run.get_id()
    stage_id = open_stage_task(url, partnership, cycle, run_id)
    try:
        plan = plan_pack_task(partnership, cycle, meeting, papers)
        code = code_version()
        reports = check_templates_task(plan, code)
        reuse = reuse_task(url, partnership, plan, config.name)
        found: list[Any] = list(reuse.found)
        build = reuse.to_build(plan.jobs)  # only papers not already rendered from the same inputs
        futures = [build_context_task.submit(url, partnership, cycle, meeting, plan.jobs[i], plan.pack)
                   for i in build]
        contexts = [future.result() for future in futures]  # the first failure (e.g. no assessment) ends it
        jobs = tuple(plan.jobs[i] for i in build)
        kept = {build[i] for i in keep_jobs(jobs, contexts)}  # a restricted version only where it adds content
        for index in build:
            if index not in kept:
                found[index] = DROPPED
                keep_new(plan, reuse, index, DROPPED)
            elif found[index] == DROPPED:
                found[index] = None  # kept now: render it
        todo = [(index, contexts[position]) for position, index in enumerate(build)
                if index in kept and found[index] is None]
        if todo:
            side_process.start()  # from the flow's thread, before any render runs: one paper at a time there
        renders = [render_paper_task.submit(plan.jobs[i], built, config.name, plan.meeting_date, code)
                   for i, built in todo]
        for (index, _), future in zip(todo, renders, strict=True):
            found[index] = future.result()
            keep_new(plan, reuse, index, found[index])
        rendered = [r for r in found if isinstance(r, Rendered)]
        run = {"flow_run_id": run_id, "stage_run_id": stage_id,
               "source_runs": sorted({r for paper in rendered for r in paper.source_runs})}
        result = write_pack_task(url, partnership, plan, rendered, run, reuse)
        pack_artifact_task(plan, result, reports)
    except BaseException as exc:
        close_stage_task(url, stage_id, "failed", f"{type(exc).__name__}: {exc}")
        raise
    cached = sum(1 for future in renders if future.state.name == "Cached")
    reused = len(rendered) - len(renders)
    message = f"{len(rendered)} paper(s) in {result.folder}"
    if reuse.intact:
        message += f"; {UNCHANGED}"
    elif reused:
        message += f"; {reused} kept from an earlier run with the same inputs"
    if cached:
        message += f"; {cached} reused from the render cache"
    close_stage_task(url, stage_id, "completed", message)
    get_run_logger().info("%s %s %s: %s", partnership, cycle, meeting, message)
    return pack_summary(result, cached=cached, reused=reused, unchanged=reuse.intact)


if __name__ == "__main__":
    import sys

    draft_board_papers(*sys.argv[1:4])
