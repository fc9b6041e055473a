"""Where a partnership's year stands, read from the store: one line per step of the year, in order.

The same timeline feeds ``csp status`` and the cycle run's summary artifact, so the command line and
the Prefect UI never disagree. A paper drafted before the assessment it quotes was re-run is flagged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from csp.config import Partnership
from csp.store import models
from csp.store.db import session_scope
from csp.year import board_meeting, plan_meeting

MONITORING_PAPER = "tcg_performance"
SCRUTINY_PAPER = "scrutiny_report"
PIPELINE = ("ingest", "validate", "strategic_assessment", "priorities", "papers", "board", "monitoring",
            "scrutiny")  # stage runs in the order the year runs them
DONE, WAITING, FAILED, NOT_YET, NOT_DUE = "done", "waiting", "failed", "not yet", "not due"


@dataclass(frozen=True)
class Step:
    name: str
    state: str  # done, waiting, failed, not yet
    when: dt.datetime | dt.date | None = None
    detail: str = ""
    paths: tuple[str, ...] = ()

    @property
    def when_text(self) -> str:
        if self.when is None:
            return ""
        return f"{self.when:%Y-%m-%d %H:%M}" if isinstance(self.when, dt.datetime) else f"{self.when}"


@dataclass
class Timeline:
    partnership: str
    cycle: str
    status: str
    steps: list[Step]
    warnings: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every step done, except quarters whose data is not yet due or not yet on disk."""
        return all(step.state in (DONE, NOT_DUE) for step in self.steps) and self.steps[-1].state == DONE

    @property
    def where(self) -> str:
        """The first step due and not done: where the year stands, in a few words."""
        for step in self.steps:
            if step.state not in (DONE, NOT_DUE):
                return f"{step.name}: {step.state}" + (f" since {step.when_text}" if step.when else "")
        later = [s.name.split()[0] for s in self.steps if s.state == NOT_DUE]
        if self.complete:
            return "year complete" + (f" ({', '.join(later)} not yet due or no data yet)" if later else "")
        return f"{self.steps[-1].name}: {self.steps[-1].state} ({self.steps[-1].detail})"

    def markdown(self) -> str:
        lines = [f"**{self.partnership} {self.cycle}: {self.where}**", "",
                 "| Step | State | When | Detail |", "|---|---|---|---|"]
        lines += [f"| {s.name} | {s.state} | {s.when_text} | {s.detail} |" for s in self.steps]
        lines += [f"\n> warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _last_stage(session: Session, cycle_id: int, stage: str) -> models.StageRun | None:
    return session.scalars(select(models.StageRun).where(
        models.StageRun.cycle_id == cycle_id, models.StageRun.stage == stage)
        .order_by(models.StageRun.started_at.desc(), models.StageRun.id.desc())).first()


def _stage_step(session: Session, cycle_id: int, name: str, *stages: str) -> Step:
    runs = [r for s in stages if (r := _last_stage(session, cycle_id, s)) is not None]
    if not runs:
        return Step(name, NOT_YET)
    failed = [r for r in runs if r.status == "failed"]
    if failed:
        return Step(name, FAILED, failed[0].finished_at or failed[0].started_at, failed[0].message or "")
    if any(r.status == "running" for r in runs):
        return Step(name, "running", max(r.started_at for r in runs))
    return Step(name, DONE, max(r.finished_at or r.started_at for r in runs), runs[-1].message or "")


def _papers(session: Session, cycle_id: int, **where: str) -> list[models.Paper]:
    stmt = select(models.Paper).where(models.Paper.cycle_id == cycle_id)
    for column, value in where.items():
        stmt = stmt.where(getattr(models.Paper, column) == value)
    rows = session.scalars(stmt.order_by(models.Paper.drafted_at.desc(), models.Paper.id.desc())).all()
    latest: dict[tuple[str, str, str], models.Paper] = {}
    for row in rows:
        latest.setdefault((row.meeting, row.paper, row.version), row)
    return sorted(latest.values(), key=lambda p: p.path)


def _paper_step(name: str, papers: list[models.Paper], folder: bool = False) -> Step:
    if not papers:
        return Step(name, NOT_YET)
    paths = sorted({str(Path(p.path).parent) if folder else p.path for p in papers})
    return Step(name, DONE, max(p.drafted_at for p in papers), f"{len(papers)} file(s)", tuple(paths))


def _board_step(session: Session, cycle_id: int) -> Step:
    decided = session.execute(select(func.max(models.Decision.decided_on), func.count(models.Decision.id))
                              .join(models.Recommendation)
                              .where(models.Recommendation.cycle_id == cycle_id)).one()
    board = _last_stage(session, cycle_id, "board")
    if board is not None and board.status == "waiting":
        return Step("Board decision", WAITING, board.started_at, "waiting for the board since "
                    f"{board.started_at:%Y-%m-%d}: record with csp priorities decide/import-decisions")
    if decided[1]:
        return Step("Board decision", DONE, decided[0], f"{decided[1]} decision(s) recorded")
    return Step("Board decision", NOT_YET)


def _stale(papers: list[models.Paper], assessed: dt.datetime | None) -> list[str]:
    if assessed is None:
        return []
    return [f"{Path(p.path).name} was drafted {p.drafted_at:%Y-%m-%d %H:%M}, before the assessment it "
            f"quotes was re-run ({assessed:%Y-%m-%d %H:%M}): redraft it" for p in papers
            if p.drafted_at < assessed and p.paper not in (MONITORING_PAPER,)]


def _due_step(step: Step, due: dt.date, today: dt.date, available: bool = True) -> Step:
    """A step not done whose date (or data) has not come is 'not due', with when it will be."""
    if step.state != NOT_YET:
        return step
    if due > today:
        return Step(step.name, NOT_DUE, None, f"due {due}")
    if not available:
        return Step(step.name, NOT_DUE, None, "its months are not on disk yet")
    return step


def timeline(url: str, config: Partnership, cycle: str, today: dt.date | None = None) -> Timeline:
    """The year of one partnership's cycle as steps, from the store."""
    from csp.year import latest_data_month, scrutiny_due
    from tasks.monitoring.numbers import monitored_quarter, quarter_due

    today = today or dt.date.today()
    newest = latest_data_month(config)
    board, plan = board_meeting(config, cycle), plan_meeting(config, cycle)
    with session_scope(url) as session:
        row = session.scalar(select(models.Cycle).where(models.Cycle.partnership_id == config.id,
                                                        models.Cycle.name == cycle))
        if row is None:
            return Timeline(config.id, cycle, "not started", [Step("Data ingested and validated", NOT_YET)])
        assessment = _stage_step(session, row.id, "Assessment", "strategic_assessment")
        pack = _papers(session, row.id, meeting=board.id)
        steps = [
            _stage_step(session, row.id, "Data ingested and validated", "ingest", "validate"),
            assessment,
            _stage_step(session, row.id, "Priorities recommended", "priorities"),
            _paper_step(f"Board pack drafted ({board.id})", pack, folder=True),
            _board_step(session, row.id),
            _paper_step(f"Plan published ({plan.id})", _papers(session, row.id, meeting=plan.id)),
            _actions_step(session, config.id, (board.id, plan.id)),
        ]
        for number in range(1, 5):
            quarter = monitored_quarter(config, cycle, number)
            step = _paper_step(f"Q{number} TCG performance report",
                               _papers(session, row.id, paper=MONITORING_PAPER, meeting=f"tcg-q{number}"))
            steps.append(_due_step(step, quarter_due(config, quarter), today,
                                   newest is None or quarter.end <= newest))
        scrutiny = _paper_step("Scrutiny report", _papers(session, row.id, paper=SCRUTINY_PAPER))
        steps.append(_due_step(scrutiny, scrutiny_due(config, cycle), today))
        assessed = assessment.when if assessment.state == DONE else None
        everything = _papers(session, row.id)
        warnings = _stale(everything, assessed if isinstance(assessed, dt.datetime) else None)
        return Timeline(config.id, cycle, row.status, steps, warnings)


def _actions_step(session: Session, partnership_id: str, meetings: tuple[str, ...]) -> Step:
    count, newest = session.execute(select(func.count(models.Action.id), func.max(models.Action.due)).where(
        models.Action.partnership_id == partnership_id, models.Action.meeting.in_(meetings))).one()
    if not count:
        return Step("Action plan", NOT_YET)
    return Step("Action plan", DONE, None, f"{count} action(s), latest due {newest or '-'}")


def paper_links(url: str, config: Partnership, cycle: str) -> list[tuple[str, str]]:
    """(label, path) of every current paper of the cycle and each pack's zip, for the run's summary."""
    with session_scope(url) as session:
        row = session.scalar(select(models.Cycle).where(models.Cycle.partnership_id == config.id,
                                                        models.Cycle.name == cycle))
        if row is None:
            return []
        papers = _papers(session, row.id)
    links = [(f"{p.meeting}: {Path(p.path).name}", p.path) for p in papers if Path(p.path).exists()]
    folders = sorted({Path(p.path).parent for p in papers})
    links += [(f"{folder.name}: {z.name}", str(z)) for folder in folders for z in sorted(folder.glob("*.zip"))]
    return links
