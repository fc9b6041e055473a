"""Whether the board pack on disk still stands: every paper was rendered from the very inputs there
are now (store, configuration, agenda, charts, templates, code), the templates passed their checks
with these bytes, and every file of the pack is intact. The annual cycle then takes the pack as it is
without running the stage's flow; the run is recorded as the flow records an unchanged pack (a stage
run and a Paper row per file)."""

from __future__ import annotations

from csp.config import load_partnership
from csp.orchestration import Unchanged
from csp.settings import get_settings
from tasks.papers.inputs import pack_fingerprint
from tasks.papers.pack import close_stage, open_stage, pack_summary, plan_pack, record_unchanged
from tasks.papers.render import Rendered
from tasks.papers.render_memo import code_version
from tasks.papers.reuse import lookup, pack_recorded, passed_template_checks
from tasks.validate.gate import CycleBlocked, check_gate

UNCHANGED = "inputs unchanged and the pack intact: nothing rebuilt or rewritten"


def pack_stands(partnership: str, cycle: str, meeting: str, papers: list[str] | None = None,
                database_url: str | None = None, flow_run_id: str | None = None) -> Unchanged | None:
    """The papers stage's result without running it, when the pack on disk stands; None when any paper
    would be built, rendered or written again, or when the cycle is blocked (the flow says what to do)."""
    if not pack_recorded(partnership, cycle, meeting):
        return None
    url = database_url or get_settings().database_url
    config = load_partnership(partnership)
    try:
        check_gate(url, partnership, cycle, "papers")
    except CycleBlocked:
        return None
    plan = plan_pack(config, cycle, meeting, papers)
    if passed_template_checks(plan.jobs, code_version()) is None:
        return None
    fingerprint = pack_fingerprint(url, config, cycle, meeting, plan.pack)
    reuse = lookup(plan.jobs, plan.partnership, plan.cycle, plan.meeting, fingerprint, config.name,
                   plan.meeting_date, plan.folder)
    if not reuse.intact:
        return None
    rendered = [paper for paper in reuse.found if isinstance(paper, Rendered)]
    stage_id = open_stage(url, config, cycle, flow_run_id)
    result = record_unchanged(url, config, plan, rendered, {"flow_run_id": flow_run_id})
    note = f"{len(rendered)} paper(s) in {result.folder}; {UNCHANGED}"
    close_stage(url, stage_id, "completed", note)
    return Unchanged(note, pack_summary(result, cached=0, reused=len(rendered), unchanged=True))
