"""Running the year's stages from the cycle flow: each stage is a cached task around its own flow.

Why a task around a flow: a retried or resumed cycle keeps its flow run id, and Prefect re-runs the
flow body from the top. Keyed on that id, the stages that already finished come back from their
persisted results (state "Cached") without starting new sub-runs; only the stage that failed, and the
stages after it, run again. A new run of the cycle has a new id and so runs every stage (each stage's
own tasks still reuse what they can).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import INPUTS, TASK_SOURCE

from csp.orchestration import own_transactions, package_sources, source_digest
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


@task(name="cycle-stage", cache_policy=INPUTS + TASK_SOURCE,
      persist_result=True)
def stage_task(stage: str, label: str, run_key: str, code: str, kwargs: dict[str, Any]) -> Any:
    """Run one stage's flow (``run_key`` and ``code`` only feed the cache key)."""
    with own_transactions():
        return stage_flows()[stage](**kwargs)


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
        self.note(stage, "reused" if state.name == "Cached" else "ran")
        return state.result()

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
