"""Flow: draft the Word board pack for one partnership's meeting.

Orchestration only: the work is in tasks/papers. Templates are checked first (a broken one stops the
run before any paper is written); contexts are built and papers rendered in parallel, one task per paper
and version; then the pack is checked for forbidden content and written in one step (folder, manifest,
zip, Paper rows), and a markdown artifact lists it.
"""

from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from csp.config import load_partnership
from csp.engines import task_runner
from csp.settings import get_settings
from csp.store.locks import refuse_while_cycle_runs
from tasks.papers.pack import keep_jobs
from tasks.papers.tasks import (
    build_context_task,
    check_templates_task,
    close_stage_task,
    code_version,
    open_stage_task,
    pack_artifact_task,
    plan_pack_task,
    render_paper_task,
    write_pack_task,
)
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
        reports = check_templates_task(plan)
        code = code_version()
        futures = [build_context_task.submit(url, partnership, cycle, meeting, job, plan.pack)
                   for job in plan.jobs]
        contexts = [future.result() for future in futures]  # the first failure (e.g. no assessment) ends it
        keep = keep_jobs(plan.jobs, contexts)  # a restricted version only where it adds content
        renders = [render_paper_task.submit(plan.jobs[i], contexts[i], config.name, plan.meeting_date, code)
                   for i in keep]
        rendered = [future.result() for future in renders]
        run = {"flow_run_id": run_id, "stage_run_id": stage_id,
               "source_runs": sorted({r for paper in rendered for r in paper.source_runs})}
        result = write_pack_task(url, partnership, plan, rendered, run)
        pack_artifact_task(plan, result, reports)
    except BaseException as exc:
        close_stage_task(url, stage_id, "failed", f"{type(exc).__name__}: {exc}")
        raise
    cached = sum(1 for future in renders if future.state.name == "Cached")
    message = f"{len(rendered)} paper(s) in {result.folder}" + (f"; {cached} reused from cache" if cached else "")
    close_stage_task(url, stage_id, "completed", message)
    get_run_logger().info("%s %s %s: %s", partnership, cycle, meeting, message)
    return {"folder": result.folder, "manifest": result.manifest, "archive": result.archive,
            "papers": [{"paper": p, "version": v, "file": f, "sha256": s} for p, v, f, s in result.files],
            "cached": cached}


if __name__ == "__main__":
    import sys

    draft_board_papers(*sys.argv[1:4])
