"""The whole stage as one plain function, in the flow's order, without Prefect.

The flow (flows/draft_board_papers.py) runs the same steps as tasks, in parallel and cached; this
sequential version serves the tests and the benchmark, and documents the order: plan, check templates,
build contexts, render, then write the pack only once everything succeeded.
"""

from __future__ import annotations

from csp.config import Partnership
from tasks.papers.context import build_context
from tasks.papers.pack import PackResult, check_pack_templates, keep_jobs, plan_pack, write_pack
from tasks.papers.render import render_job


def draft_pack(database_url: str, config: Partnership, cycle: str, meeting: str,
               papers: list[str] | None = None, run_id: str | None = None) -> PackResult:
    plan = plan_pack(config, cycle, meeting, papers)
    check_pack_templates(plan)
    built = [build_context(database_url, config, cycle, meeting, job.kind, job.version, plan.pack)
             for job in plan.jobs]
    rendered = [render_job(plan.jobs[i], built[i], config.name, plan.meeting_date)
                for i in keep_jobs(plan.jobs, built)]
    run = {"flow_run_id": run_id, "stage_run_id": None,
           "source_runs": sorted({r for paper in rendered for r in paper.source_runs})}
    return write_pack(database_url, config, plan, rendered, run)
