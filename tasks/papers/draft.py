"""The whole stage as one plain function, in the flow's order, without Prefect.

The flow (flows/draft_board_papers.py) runs the same steps as tasks, one task per paper and reusing
what an earlier run rendered from the same inputs; this sequential version serves the tests and the
benchmark, and documents the order: plan, check templates, draft each paper (its versions' contexts,
then the renders it keeps, tasks/papers/one_paper.py), and write the pack only once every paper was
drafted.
"""

from __future__ import annotations

from csp.config import Partnership
from tasks.papers import render_memo
from tasks.papers.one_paper import draft_paper
from tasks.papers.pack import PackResult, check_pack_templates, plan_pack, write_pack
from tasks.papers.registry import by_paper
from tasks.papers.render import Rendered


def draft_pack(database_url: str, config: Partnership, cycle: str, meeting: str,
               papers: list[str] | None = None, run_id: str | None = None) -> PackResult:
    plan = plan_pack(config, cycle, meeting, papers)
    check_pack_templates(plan)
    code = render_memo.code_version()
    drafted = {}
    for group in by_paper(plan.jobs):
        versions = tuple(plan.jobs[i] for i in group)
        drafted.update(zip(group, draft_paper(database_url, config, cycle, meeting, versions, plan.pack,
                                              config.name, plan.meeting_date, code), strict=True))
    rendered = [drafted[i].result for i in range(len(plan.jobs)) if isinstance(drafted[i].result, Rendered)]
    run = {"flow_run_id": run_id, "stage_run_id": None,
           "source_runs": sorted({r for paper in rendered for r in paper.source_runs})}
    result = write_pack(database_url, config, plan, rendered, run)
    render_memo.prune(render_memo.folder(config.id, cycle, meeting), {p.key for p in drafted.values() if p.key})
    return result
