"""Whether the stored assessment still stands: made from the very inputs, parameters and code there are
now, with its charts on disk unchanged. The assessment flow then skips its analysis; the annual cycle
skips the whole stage (no sub-flow, no tasks), which is most of what a re-run on unchanged data costs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from csp.config import Partnership, load_partnership
from csp.orchestration import Unchanged, source_digest
from csp.settings import get_settings
from csp.store.db import cycle_digest
from tasks.assess import chart_cache, store
from tasks.assess.load import input_fingerprint
from tasks.assess.params import AssessParams, params_from_config
from tasks.assess.run import charts_folder
from tasks.validate.gate import CycleBlocked, check_gate

CODE_FILES = (*sorted(Path(__file__).parent.glob("*.py")),
              Path(__file__).resolve().parents[2] / "csp" / "suppression.py",
              Path(__file__).resolve().parents[2] / "csp" / "metrics.py")
UNCHANGED = "unchanged inputs: the stored assessment stands"


def code_version() -> str:
    """Digest of the assessment's code: a changed calculation invalidates the cached results."""
    return source_digest(CODE_FILES)


def fingerprint(database_url: str, partnership: str) -> list[str]:
    """The stored inputs (tasks/assess/load.py) and the assessment's code."""
    return [*input_fingerprint(database_url, partnership), f"code:{code_version()}"]


def store_digest(params: AssessParams, fingerprint: list[str], charts: list[dict[str, Any]]) -> str:
    """What the stored assessment is a function of: inputs, parameters, code (in the fingerprint) and
    the chart files it points at."""
    text = json.dumps([repr(params), fingerprint, charts], default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def stored_summary(database_url: str, config: Partnership, params: AssessParams, fingerprint: list[str],
                   output_dir: str) -> dict[str, Any] | None:
    """The stored assessment's summary when it was made from these very inputs and its charts are still
    on disk unchanged; None when anything it would write could differ."""
    folder = charts_folder(params.partnership_id, params.cycle, Path(output_dir))
    reused = chart_cache.reuse(folder, chart_cache.inputs_key(params, fingerprint, folder))
    if reused is None:
        return None
    charts, notes = reused
    counts = store.unchanged_outputs(database_url, config, params.cycle,
                                     store_digest(params, fingerprint, charts), len(charts))
    if counts is None:
        return None
    headline = store.headline_findings(database_url, params.partnership_id, params.cycle)
    return {**counts, "notes": notes, "headline": [f["text"] for f in headline]}


def assessment_stands(partnership: str, cycle: str, database_url: str | None = None,
                      accept_incomplete: bool = False, flow_run_id: str | None = None) -> Unchanged | None:
    """The assessment stage's result without running it, when the stored assessment stands.

    Only for a cycle whose validation passed: a blocked or accepted-incomplete cycle goes through the
    flow, which stops with what to do or records the acceptance. The stage run is recorded as the
    flow records an unchanged run, so the year's history shows the stage was visited.
    """
    url = database_url or get_settings().database_url
    if cycle_digest(url, partnership, cycle, "assessment_digest") is None:
        return None  # never stored: nothing to compare (and no fingerprint to pay for)
    try:
        if check_gate(url, partnership, cycle, "assess", accept_incomplete):
            return None  # accepted incomplete: the flow marks it
    except CycleBlocked:
        return None  # the flow stops with the problems listed
    config = load_partnership(partnership)
    params = params_from_config(config, cycle)
    kept = stored_summary(url, config, params, fingerprint(url, partnership), str(get_settings().output_dir))
    if kept is None:
        return None
    store.record_finish(url, store.record_start(url, config, cycle, flow_run_id), "completed", UNCHANGED)
    return Unchanged(UNCHANGED, {"partnership": partnership, "cycle": cycle, **kept})
