"""Flow: draft the Word board pack for one partnership's meeting.

Orchestration only: the work is in tasks/papers. Templates are checked first (a broken one stops the
run before any paper is written; templates that passed with the same bytes and code are not checked
again); then the pack's inputs are fingerprinted (tasks/papers/inputs.py) and papers already rendered
from the same inputs are taken as they are (tasks/papers/reuse.py). The other papers are drafted in
parallel, one task per paper (its versions' contexts, then the renders it keeps; a render whose context
did not change is taken from tasks/papers/render_memo.py); then the pack is checked for forbidden
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
from tasks.papers.pack import pack_summary
from tasks.papers.render import Rendered
from tasks.papers.render_memo import code_version
from tasks.papers.tasks import (
    check_templates_task,
    close_stage_task,
    draft_paper_task,
    keep_new,
    open_stage_task,
    pack_artifact_task,
    plan_pack_task,
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
        groups = reuse.to_build(plan.jobs)  # papers not already rendered from the same inputs
        if groups:
            side_process.start()  # from the flow's thread, before any render runs: one paper at a time there
        futures = [draft_paper_task.submit(url, partnership, cycle, meeting, tuple(plan.jobs[i] for i in group),
                                           plan.pack, config.name, plan.meeting_date, code) for group in groups]
        drafted = {}
        for group, future in zip(groups, futures, strict=True):  # the first failure (no assessment, say) ends it
            drafted.update(zip(group, future.result(), strict=True))
        for index, paper in drafted.items():
            found[index] = paper.result
            keep_new(plan, reuse, index, paper.result)
        rendered = [r for r in found if isinstance(r, Rendered)]
        run = {"flow_run_id": run_id, "stage_run_id": stage_id,
               "source_runs": sorted({r for paper in rendered for r in paper.source_runs})}
        every = len(drafted) == len(plan.jobs)  # then the render memo keeps only what this pack used
        result = write_pack_task(url, partnership, plan, rendered, run, reuse,
                                 {p.key for p in drafted.values() if p.key} if every else None)
        pack_artifact_task(plan, result, reports)
    except BaseException as exc:
        close_stage_task(url, stage_id, "failed", f"{type(exc).__name__}: {exc}")
        raise
    cached = sum(1 for paper in drafted.values() if paper.from_memo)
    reused = len(rendered) - sum(1 for paper in drafted.values() if isinstance(paper.result, Rendered))
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
