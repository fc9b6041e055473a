"""Flow: recommend priority areas and thematic priorities for one partnership's cycle.

Orchestration only: the work is in tasks/prioritise. Re-running replaces the cycle's recommendations
in place (matched by kind and subject), so decisions the board already recorded stay attached.
"""

from collections import Counter
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.utilities.annotations import opaque

from csp.config import load_partnership
from csp.engines import task_runner
from csp.settings import get_settings
from csp.store.locks import refuse_while_cycle_runs
from tasks.prioritise.store import drafted_from
from tasks.prioritise.tasks import (
    artifact_task,
    begin_stage_task,
    code_version,
    draft_areas_task,
    draft_themes_task,
    end_stage_task,
    fingerprint_task,
    save_task,
)
from tasks.prioritise.themes import ThemeScoring
from tasks.prioritise.up_to_date import parameters
from tasks.validate.gate import check_gate


@flow(
    name="recommend-priorities",
    flow_run_name="recommend-priorities {partnership} {cycle}",
    task_runner=task_runner(),
)
def recommend_priorities(
    partnership: str,
    cycle: str,
    database_url: str | None = None,
    scoring: ThemeScoring = ThemeScoring(),  # noqa: B008 - a frozen pydantic default is safe
    use_trend: bool = True,
    source_kind: str = "police_uk",
) -> dict[str, Any]:
    """Draft, store and publish the cycle's recommendations; returns counts by kind and class."""
    config = load_partnership(partnership)
    config.cycle(cycle)  # a bad cycle name fails here, before anything is recorded
    url = database_url or get_settings().database_url
    check_gate(url, partnership, cycle, "priorities")  # a blocked cycle stops here, with what to do
    refuse_while_cycle_runs(url, partnership, cycle, "recommend-priorities")
    run_id = flow_run.get_id()
    stage_id = begin_stage_task(url, partnership, cycle, run_id)
    try:
        fingerprint = fingerprint_task(url, partnership, cycle)
        code = code_version()
        areas = draft_areas_task.submit(url, config, cycle, fingerprint, code, use_trend, source_kind)
        themes = draft_themes_task.submit(url, config, cycle, fingerprint, code, scoring)
        drafts = areas.result() + themes.result()
        summary = save_task(url, partnership, cycle, opaque(drafts), run_id)  # not walked for futures
        artifact_task(url, partnership, cycle)
    except BaseException as exc:
        end_stage_task(url, stage_id, "failed", f"{type(exc).__name__}: {exc}")
        raise
    cached = {"areas": areas.state.name == "Cached", "themes": themes.state.name == "Cached"}
    reused = [name for name, hit in cached.items() if hit]
    message = summary.message() + (f"; reused cached {' and '.join(reused)}" if reused else "")
    end_stage_task(url, stage_id, "completed", message,
                   drafted_from(fingerprint, code, parameters(config, scoring, use_trend, source_kind)))
    get_run_logger().info("%s %s: %s", partnership, cycle, message)
    return {
        "areas": dict(Counter(d.recommendation for d in drafts if d.kind == "area")),
        "themes": dict(Counter(d.recommendation for d in drafts if d.kind == "theme")),
        "cached": cached,
        "saved": summary.message(),
    }


if __name__ == "__main__":
    import sys

    recommend_priorities(*sys.argv[1:3])
