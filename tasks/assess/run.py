"""The whole assessment of one partnership as a plain function (no Prefect).

The flow in ``flows/strategic_assessment.py`` runs the same steps as Prefect tasks (with caching,
retries and an artifact); this function is what the benchmark times and what ``csp assess --local``
runs when an analyst wants no orchestration at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from csp.config import Partnership
from csp.settings import get_settings
from tasks.assess.analysis import Analysis, analyse
from tasks.assess.charts import draw_charts
from tasks.assess.findings import build_findings
from tasks.assess.load import load_inputs
from tasks.assess.params import params_from_config
from tasks.assess.store import record_finish, record_start, remove_stale_charts, replace_outputs
from tasks.validate.gate import check_gate, mark_accepted


def charts_folder(partnership_id: str, cycle_name: str, output_dir: Path | None = None) -> Path:
    """output/<partnership>/<cycle>/charts/"""
    return (output_dir or get_settings().output_dir) / partnership_id / cycle_name / "charts"


def headline_markdown(analysis: Analysis, findings: list[dict[str, Any]], counts: dict[str, int]) -> str:
    """The Prefect artifact: headline findings (public text) and what was stored."""
    p = analysis.params
    lines = [f"# Strategic assessment: {p.partnership_name}, {p.cycle}", "",
             f"Period: {p.period_label}.", "", "| Theme | Finding |", "|---|---|"]
    for finding in findings:
        if finding["headline"]:
            lines.append(f"| {finding['theme']} | {finding['public_text'].replace('|', '/')} |")
    lines += ["", f"Stored {counts['metrics']:,} metrics, {counts['findings']} findings and "
                  f"{counts['charts']} charts."]
    return "\n".join(lines)


def assess_partnership(database_url: str, config: Partnership, cycle_name: str, run_id: str = "local",
                       output_dir: Path | None = None, charts: bool = True,
                       accept_incomplete: bool = False) -> dict[str, Any]:
    """Load, analyse, write findings and charts, store; records a StageRun. Returns a summary.

    A cycle whose validation blocked is refused (CycleBlocked) unless ``accept_incomplete``.
    """
    accepted = check_gate(database_url, config.id, cycle_name, "assess", accept_incomplete)
    stage = record_start(database_url, config, cycle_name, None if run_id == "local" else run_id)
    try:
        params = params_from_config(config, cycle_name)
        analysis = analyse(load_inputs(database_url, params), params)
        findings = build_findings(analysis)
        folder = charts_folder(config.id, cycle_name, output_dir)
        drawn, notes = draw_charts(analysis, folder) if charts else ([], [])
        counts = replace_outputs(database_url, config, cycle_name, analysis.metric_records(), findings,
                                 drawn, run_id)
        if charts:
            remove_stale_charts(folder, drawn)
    except Exception as exc:
        record_finish(database_url, stage, "failed", f"{type(exc).__name__}: {exc}"[:2000])
        raise
    record_finish(database_url, stage, "completed", "; ".join(notes) or None)
    if accepted:
        mark_accepted(database_url, config.id, cycle_name)
    return {"partnership": config.id, "cycle": cycle_name, **counts, "notes": notes,
            "headline": [f["public_text"] for f in findings if f["headline"]]}
