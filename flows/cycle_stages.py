"""Running the year's stages from the cycle flow: each stage is a cached task around its own flow.

Why a task around a flow: a retried or resumed cycle keeps its flow run id, and Prefect re-runs the
flow body from the top. Keyed on that id, the stages that already finished come back from their
persisted results (state "Cached") without starting new sub-runs; only the stage that failed, and the
stages after it, run again.

A new run of the cycle has a new id. Before starting a stage's flow, its task asks the stage whether
what it last wrote still stands (``up_to_date``: ingest and validation, the assessment, the
recommendations, the board pack and the plan's papers); if so the stage is taken as it is, logged
"unchanged", and no sub-flow starts. On unchanged data that skips most of a re-run's cost (a sub-flow and its tasks are each a round of
calls to the Prefect server). Any other answer, or a check that fails, runs the stage's flow, which
reuses what it can on its own.

Under the run's own temporary Prefect server (``csp cycle run`` without PREFECT_API_URL, the national
benchmark) a stage's flow body runs inside its stage task instead of as a sub-flow run
(``csp.engines.stages_inline``): that server keeps no logs, task runs or events, only bare flow runs,
so the sub-flow runs were bookkeeping nobody reads. Against a real server every stage is its own flow run, as operators see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import INPUTS, TASK_SOURCE
from prefect.runtime import flow_run

from csp.engines import stages_inline
from csp.orchestration import Unchanged, own_transactions, package_sources, source_digest
from csp.settings import PROJECT_ROOT
from tasks.year.progress import report

FLOWS_DIR = PROJECT_ROOT / "flows"


def flows_version() -> str:
    """A hash of the flows' code: a changed stage is not reused from an older attempt."""
    return source_digest(package_sources(FLOWS_DIR))


def stage_flows() -> dict[str, Callable[..., Any]]:
    """The flow behind each stage name (imported here, not at module level: they import this module)."""
    from flows.draft_board_papers import draft_board_papers
    from flows.ingest_and_validate import ingest_and_validate
    from flows.quarterly_monitoring import quarterly_monitoring
    from flows.recommend_priorities import recommend_priorities
    from flows.scrutiny_report import scrutiny_report
    from flows.strategic_assessment import strategic_assessment

    return {"ingest": ingest_and_validate, "assessment": strategic_assessment,
            "recommendations": recommend_priorities, "board pack": draft_board_papers,
            "plan": draft_board_papers, "monitoring": quarterly_monitoring,
            "scrutiny": scrutiny_report}


def up_to_date_checks() -> dict[str, Callable[..., Unchanged | None]]:
    """Per stage, the check that its stored result still stands (each stage package's ``up_to_date``)."""
    from tasks.assess.up_to_date import assessment_stands
    from tasks.ingest.up_to_date import ingest_stands
    from tasks.papers.up_to_date import pack_stands
    from tasks.prioritise.up_to_date import recommendations_stand

    return {"ingest": ingest_stands, "assessment": assessment_stands, "recommendations": recommendations_stand,
            "board pack": pack_stands, "plan": pack_stands}


def standing(stage: str, kwargs: dict[str, Any]) -> Unchanged | None:
    """The stage's result as it stands, or None to run its flow (also when the check itself fails:
    the flow then meets the same problem and reports it in its own words)."""
    check = up_to_date_checks().get(stage)
    if check is None:
        return None
    try:  # each check takes its stage flow's own parameters
        return check(**kwargs, flow_run_id=str(flow_run.get_id() or "") or None)
    except Exception as exc:  # noqa: BLE001 - any doubt means "run the stage"
        get_run_logger().warning("stage %s: could not tell whether it is up to date (%s: %s); running it",
                                 stage, type(exc).__name__, exc)
        return None


@task(name="cycle-stage", cache_policy=INPUTS + TASK_SOURCE,
      persist_result=True)
def stage_task(stage: str, label: str, run_key: str, code: str, kwargs: dict[str, Any]) -> Any:
    """Run one stage's flow, unless what it last wrote still stands (``run_key`` and ``code`` only feed
    the cache key)."""
    with own_transactions():
        kept = standing(stage, kwargs)
        if kept is not None:
            return kept
        run = stage_flows()[stage]
        return run.fn(**kwargs) if stages_inline() else run(**kwargs)


@dataclass
class StageLog:
    """What the cycle run did with each stage: ran, reused (from an earlier attempt) or failed."""

    run_key: str
    code: str = field(default_factory=flows_version)
    outcomes: list[tuple[str, str, str]] = field(default_factory=list)  # (stage, outcome, note)

    def run(self, stage: str, label: str = "", **kwargs: Any) -> Any:
        report(f"{stage} {label}".strip(), "started")
        get_run_logger().info("stage %s: started", f"{stage} {label}".strip())
        named = stage_task.with_options(task_run_name=f"{stage} {label}".strip())
        state = named(stage, label, self.run_key, self.code, kwargs, return_state=True)
        stage = f"{stage} {label}".strip()
        if state.is_failed() or state.is_crashed() or state.is_cancelled():
            self.note(stage, "failed", _first_line(state.message))
            return state.result()  # raises the stage's own error
        value = state.result()
        if state.name == "Cached":
            self.note(stage, "reused")
        elif isinstance(value, Unchanged):
            self.note(stage, "unchanged", value.note)
        else:
            self.note(stage, "ran")
        return value.result if isinstance(value, Unchanged) else value

    def note(self, stage: str, outcome: str, note: str = "") -> None:
        self.outcomes.append((stage, outcome, note))
        report(stage, outcome)
        get_run_logger().info("stage %s: %s%s", stage, outcome, f" ({note})" if note else "")

    def markdown(self) -> str:
        lines = ["| Stage | This run | Note |", "|---|---|---|"]
        lines += [f"| {stage} | {outcome} | {note} |" for stage, outcome, note in self.outcomes]
        return "\n".join(lines)


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0][:200] if text else ""
