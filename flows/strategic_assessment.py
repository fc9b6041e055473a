"""Flow: the strategic assessment of one partnership for one cycle.

Reads the stored inputs (current files only), computes levels, change, series, places and
concentration, applies small-number suppression, writes findings and charts, and replaces the cycle's
metrics, findings and charts in the store in one transaction. The analysis and the findings are cached
on their inputs (including a fingerprint of the stored files), so re-running after a failure, or on
unchanged data, redoes only what is needed. The analysis is one task (tasks/assess/analysis.py:
analyse, the same function the plain stage calls), its result passed on ``big(...)`` (Prefect's
``opaque``): otherwise Prefect walks every value inside its frames looking for futures before each
task starts. When the stored assessment was made from the same fingerprint and
parameters and its charts are still on disk, the flow stops there: nothing would change.
"""

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run
from prefect.utilities.annotations import opaque as big

from csp import side_process
from csp.config import load_partnership
from csp.engines import task_runner
from csp.settings import get_settings
from csp.store.db import migrate
from csp.store.locks import refuse_while_cycle_runs
from tasks.assess.params import params_from_config
from tasks.assess.run import headline_markdown
from tasks.assess.tasks import (
    analysis_task,
    charts_task,
    findings_task,
    fingerprint_task,
    stage_finish_task,
    stage_start_task,
    store_task,
    unchanged_task,
)
from tasks.validate.gate import check_gate, mark_accepted


@flow(name="strategic-assessment", flow_run_name="strategic-assessment {partnership} {cycle}",
      task_runner=task_runner())
def strategic_assessment(partnership: str, cycle: str, database_url: str | None = None,
                         accept_incomplete: bool = False) -> dict:
    """Assess one partnership's cycle; returns counts stored and the headline findings (public text).

    Stops (CycleBlocked) when the cycle's validation blocked, unless the operator accepts an
    incomplete cycle; the months present are then stored and stated in every paper.
    """
    url = database_url or get_settings().database_url
    migrate(url)
    config = load_partnership(partnership)
    params = params_from_config(config, cycle)
    refuse_while_cycle_runs(url, partnership, cycle, "strategic-assessment")
    accepted = check_gate(url, partnership, cycle, "assess", accept_incomplete)
    run_id = str(flow_run.id) if flow_run.id else "local"
    stage = stage_start_task(url, config, cycle, run_id)
    output_dir = str(get_settings().output_dir)
    fp = fingerprint_task(url, partnership)
    kept = unchanged_task(url, config, params, fp, output_dir)
    if kept is not None:
        stage_finish_task(url, stage, "completed", "unchanged inputs: the stored assessment stands")
        if accepted:
            mark_accepted(url, partnership, cycle)
        return {"partnership": partnership, "cycle": cycle, **kept}
    try:
        analysis = analysis_task(url, params, fp)
        findings = findings_task(big(analysis), params, fp)
        side_process.start()  # from the flow's thread: the maps and partner charts are drawn there
        charts, notes = charts_task(big(analysis), output_dir, fp)
        counts = store_task(url, config, big(analysis), big(findings), charts, run_id, output_dir, fp)
        create_markdown_artifact(key=f"strategic-assessment-{partnership}-{cycle}".lower(),
                                 markdown=headline_markdown(analysis, findings, counts),
                                 description=f"Headline findings, {config.name} {cycle}")
    except Exception as exc:
        stage_finish_task(url, stage, "failed", f"{type(exc).__name__}: {exc}"[:2000])
        raise
    stage_finish_task(url, stage, "completed", "; ".join(notes) or None)
    if accepted:
        mark_accepted(url, partnership, cycle)
    return {"partnership": partnership, "cycle": cycle, **counts, "notes": notes,
            "headline": [f["public_text"] for f in findings if f["headline"]]}
