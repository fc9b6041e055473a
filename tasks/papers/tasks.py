"""Thin Prefect task wrappers around the papers stage's plain functions.

One task drafts one paper (its versions' contexts and renders, tasks/papers/one_paper.py); renders are
kept by their job, context and this package's code (tasks/papers/render_memo.py), so the same context
reuses the rendered bytes while any change re-renders. Before any context is built, ``reuse_task`` fingerprints the pack's inputs and takes the papers already rendered
from the same inputs (tasks/papers/reuse.py); ``write_pack_task`` leaves a pack that is already on disk
byte for byte as it is. Reading the store and writing the pack are never cached by Prefect.
"""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from csp.config import load_partnership
from tasks.papers import render_memo
from tasks.papers.inputs import pack_fingerprint
from tasks.papers.lint import TemplateReport
from tasks.papers.one_paper import Drafted, draft_paper
from tasks.papers.pack import (
    PackPlan,
    PackResult,
    check_pack_templates,
    close_stage,
    open_stage,
    plan_pack,
    record_unchanged,
    write_pack,
    written_files,
)
from tasks.papers.registry import PaperJob
from tasks.papers.render import Rendered
from tasks.papers.reuse import (
    Reuse,
    forget_pack,
    keep_rendered,
    lookup,
    passed_template_checks,
    record_pack,
    remember_template_checks,
)


@task(name="papers-begin-stage", cache_policy=NO_CACHE)
def open_stage_task(url: str, partnership: str, cycle: str, flow_run_id: str | None) -> int:
    return open_stage(url, load_partnership(partnership), cycle, flow_run_id)


@task(name="papers-end-stage", cache_policy=NO_CACHE)
def close_stage_task(url: str, stage_run_id: int, status: str, message: str | None) -> None:
    close_stage(url, stage_run_id, status, message)


@task(name="plan-pack", cache_policy=NO_CACHE)
def plan_pack_task(partnership: str, cycle: str, meeting: str, papers: list[str] | None) -> PackPlan:
    return plan_pack(load_partnership(partnership), cycle, meeting, papers)


@task(name="check-templates", cache_policy=NO_CACHE)
def check_templates_task(plan: PackPlan, code: str | None = None) -> list[TemplateReport]:
    """Fails the run, naming each broken template and problem, before any paper is rendered.

    With ``code``, templates that passed before (same bytes, same code) are not checked again."""
    if code is not None:
        known = passed_template_checks(plan.jobs, code)
        if known is not None:
            return known
    reports = check_pack_templates(plan)
    if code is not None:
        remember_template_checks(plan.jobs, code, reports)
    return reports


@task(name="papers-reuse", cache_policy=NO_CACHE)
def reuse_task(url: str, partnership: str, plan: PackPlan, author: str) -> Reuse:
    """Which papers are already rendered from the same inputs, and whether the pack on disk is intact."""
    fingerprint = pack_fingerprint(url, load_partnership(partnership), plan.cycle, plan.meeting, plan.pack)
    return lookup(plan.jobs, plan.partnership, plan.cycle, plan.meeting, fingerprint, author,
                  plan.meeting_date, plan.folder)


def keep_new(plan: PackPlan, reuse: Reuse, index: int, result: Rendered | str) -> None:
    keep_rendered(plan.partnership, plan.cycle, plan.meeting, reuse.keys[index], result)


# Results are persisted and read back where needed, not also kept in Prefect's in-memory store: that
# store outlives the flow run in a long-lived process (a Dask worker running partnership after
# partnership grew by the papers and frames of every one of them).
@task(name="draft-paper", task_run_name="paper {jobs[0].kind}", cache_policy=NO_CACHE,
      persist_result=True, cache_result_in_memory=False)
def draft_paper_task(url: str, partnership: str, cycle: str, meeting: str, jobs: tuple[PaperJob, ...],
                     pack: dict[str, int], author: str, when: Any, code: str) -> list[Drafted]:
    """Every version of one paper: contexts built from the store, so never cached by Prefect; the
    renders are kept by their context (tasks/papers/render_memo.py)."""
    return draft_paper(url, load_partnership(partnership), cycle, meeting, jobs, pack, author, when, code)


@task(name="write-pack", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def write_pack_task(url: str, partnership: str, plan: PackPlan, rendered: list[Rendered],
                    run: dict[str, Any], reuse: Reuse | None = None,
                    render_keys: set[str] | None = None) -> PackResult:
    """Write the pack, or, when ``reuse`` says the pack on disk is this very one, only record the run.

    With ``render_keys`` (every paper was drafted this run), the render memo keeps those entries only."""
    config = load_partnership(partnership)
    if reuse is not None and reuse.intact:
        return record_unchanged(url, config, plan, rendered, run)
    if reuse is not None:
        forget_pack(plan.partnership, plan.cycle, plan.meeting)
    result = write_pack(url, config, plan, rendered, run)
    if reuse is not None:
        record_pack(plan.partnership, plan.cycle, plan.meeting, reuse.fingerprint, reuse.keys, plan.folder,
                    written_files(plan, result))
    if render_keys is not None:
        render_memo.prune(render_memo.folder(plan.partnership, plan.cycle, plan.meeting), render_keys)
    return result


def pack_markdown(result: PackResult, reports: list[TemplateReport]) -> str:
    lines = [f"**Board pack:** `{result.folder}`", "", f"Archive: `{result.archive}`", "",
             "| Paper | Version | File | SHA-256 |", "|---|---|---|---|"]
    lines += [f"| {paper} | {version} | {name} | `{digest[:16]}` |"
              for paper, version, name, digest in result.files]
    notes = [w for r in reports for w in r.warnings]
    if notes:
        lines += ["", "Template notes:", *[f"- {n}" for n in notes]]
    return "\n".join(lines)


@task(name="pack-artifact", cache_policy=NO_CACHE)
def pack_artifact_task(plan: PackPlan, result: PackResult, reports: list[TemplateReport]) -> str:
    return create_markdown_artifact(
        markdown=pack_markdown(result, reports),
        key=f"board-pack-{plan.partnership}-{plan.cycle}-{plan.meeting}",
        description=f"Board pack for {plan.partnership} {plan.meeting} ({plan.cycle})",
    )
