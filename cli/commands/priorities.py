"""`csp priorities` commands: recommend, show, and record the board's decisions (one, or from a CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli.commands.common import PARTNERSHIP_HELP, fail, guarded, partnerships, prefect_ready, store_url
from csp.settings import get_settings

if TYPE_CHECKING:
    from csp.config import Partnership

app = typer.Typer(no_args_is_help=True)

CYCLE_HELP = "Cycle, e.g. 2025-26"
PartnershipOpt = typer.Option(..., "--partnership", "-p", help="Partnership id, e.g. south-cambridgeshire")
CycleOpt = typer.Option(..., "--cycle", "-c", help=CYCLE_HELP)


def _errors() -> tuple[type[BaseException], ...]:
    from pydantic import ValidationError

    from csp.config import ConfigError
    from csp.cycle import CycleNameError
    from csp.store.db import MissingStageError
    from tasks.prioritise.decisions import DecisionError

    return DecisionError, MissingStageError, ValidationError, ConfigError, CycleNameError


def _one(partnership_id: str, cycle: str) -> Partnership:
    if partnership_id == "all":
        fail("this command works on one partnership at a time; give its id")
    config = partnerships(partnership_id)[0]
    guarded(lambda: config.cycle(cycle))
    return config


@app.command()
def recommend(
    partnership: str = typer.Option(..., "--partnership", "-p", help=PARTNERSHIP_HELP),
    cycle: str = CycleOpt,
    use_trend: bool = typer.Option(True, "--use-trend/--no-trend",
                                   help="Count a rising within-year trend as escalating"),
    volume_weight: float = typer.Option(1.0, help="Weight of volume in a theme's score"),
    change_weight: float = typer.Option(1.0, help="Weight of change in a theme's score"),
    harm_weight: float = typer.Option(1.0, help="Weight of harm in a theme's score"),
    add_at: float = typer.Option(0.75, help="Score from which a theme is recommended for adding"),
    retire_below: float = typer.Option(0.25, help="Score below which a priority may be retired"),
) -> None:
    """Run the recommend-priorities flow (areas and themes) and store its recommendations."""
    from flows.recommend_priorities import recommend_priorities
    from tasks.prioritise.themes import ThemeScoring

    scoring = guarded(lambda: ThemeScoring(volume=volume_weight, change=change_weight, harm=harm_weight,
                                           add_at=add_at, retire_below=retire_below), *_errors())
    url = store_url()
    prefect_ready()
    failed = []
    for config in partnerships(partnership):
        try:
            config.cycle(cycle)
            result = recommend_priorities(config.id, cycle, database_url=url, scoring=scoring,
                                          use_trend=use_trend)
        except _errors() as exc:
            failed.append(config.id)
            typer.secho(f"{config.id} {cycle}: {exc}", fg=typer.colors.RED, err=True)
            continue
        typer.echo(f"{config.id} {cycle}: areas {result['areas']}; themes {result['themes']}; "
                   f"{result['saved']}")
    if failed:
        fail(f"no recommendations for: {', '.join(failed)}")


@app.command()
def show(
    partnership: str = PartnershipOpt,
    cycle: str = CycleOpt,
    kind: str | None = typer.Option(None, help="Only 'area' or 'theme'"),
    everything: bool = typer.Option(False, "--all", help="Also list areas of class None and themes "
                                    "without data"),
) -> None:
    """List the cycle's recommendations beside the board's decisions."""
    from tasks.prioritise.store import recommendations_with_decisions

    config = _one(partnership, cycle)
    url = store_url()
    views = guarded(lambda: recommendations_with_decisions(url, config.id, cycle), *_errors())
    if kind:
        views = [v for v in views if v.kind == kind]
    hidden = [v for v in views if v.recommendation in ("None", "no data") and not v.outcome]
    if not everything:
        views = [v for v in views if v not in hidden]
    typer.echo(f"{config.short_name} {cycle}: recommendations for {config.cycle(cycle).priorities_year}")
    for title, group in (("PRIORITY AREAS", "area"), ("THEMATIC PRIORITIES", "theme")):
        rows = [v for v in views if v.kind == group]
        if rows:
            typer.echo(f"\n{title}")
        for v in rows:
            typer.echo(_line(v))
    if not views:
        typer.echo("no recommendations stored: run `csp priorities recommend` first")
    if hidden and not everything:
        typer.echo(f"\n({len(hidden)} undecided area(s) of class None / theme(s) without data hidden; "
                   "--all lists them)")


def _line(v) -> str:  # noqa: ANN001 - a RecommendationView
    if v.outcome:
        decided = f"{v.outcome}"
        if v.outcome != "accepted":
            decided += f" -> {v.decided_value or '-'}"
        decided += f" ({v.meeting}, {v.decided_on})"
        if v.decision_reason:
            decided += f": {v.decision_reason}"
    else:
        decided = "no decision yet"
    stale = " [decided on an earlier recommendation: " + v.reasons["decided_on"] + "]" \
        if v.reasons.get("decided_on") else ""
    stale += " [stale: no longer drafted]" if v.reasons.get("stale") else ""
    return (f"  {v.recommendation:<11} {v.subject:<22} {v.subject_name}\n"
            f"      board: {decided}{stale}\n      why: {v.reason_text}")


@app.command()
def decide(
    partnership: str = PartnershipOpt,
    cycle: str = CycleOpt,
    subject: str = typer.Option(..., help="Area code or name, or theme id"),
    outcome: str = typer.Option(..., help="accepted, changed or rejected"),
    value: str = typer.Option("", help="The new class (areas) or value/wording (themes) when changed"),
    reason: str = typer.Option("", help="Why (required when changed or rejected)"),
    meeting: str = typer.Option(..., help="Meeting id from the partnership's configuration"),
    date: str = typer.Option("", help="Date of the decision (default: the meeting's date)"),
    kind: str | None = typer.Option(None, help="'area' or 'theme' when the subject is ambiguous"),
) -> None:
    """Record the board's decision on one recommendation (replacing any earlier one)."""
    from tasks.prioritise.decisions import DecisionInput, record_decision

    config = _one(partnership, cycle)
    url = store_url()
    given = DecisionInput(subject=subject, outcome=outcome, value=value, reason=reason, meeting=meeting,
                          date=date, kind=kind)
    done = guarded(lambda: record_decision(url, config, cycle, given), *_errors())
    typer.echo(f"{done.kind} {done.subject} ({done.subject_name}): recommended {done.recommendation}; "
               f"{done.outcome} -> {done.decided_value or '-'} at {done.meeting} on {done.decided_on}"
               + (" (replaced an earlier decision)" if done.replaced else ""))
    _resume_waiting(config, cycle)


def _resume_waiting(config: Partnership, cycle: str) -> None:
    """Once every recommendation has a decision, resume the cycle run waiting for them (if any)."""
    from tasks.year.board import pending
    from tasks.year.resume import resume_waiting_run

    left = pending(store_url(), config.id, cycle)
    if left:
        typer.echo(f"{len(left)} recommendation(s) still without a decision")
        return
    name = guarded(lambda: resume_waiting_run(config, cycle), *_errors())
    if name:
        typer.secho(f"every recommendation decided: resumed the waiting run {name!r}", fg=typer.colors.GREEN)
    else:
        typer.echo(f"every recommendation decided: continue the year with csp cycle resume -p {config.id} "
                   f"-c {cycle} (or it continues on its own in a suspended Prefect run)")


@app.command("export-decisions")
def export_decisions(
    partnership: str = PartnershipOpt,
    cycle: str = CycleOpt,
    out: Path | None = typer.Option(None, help="CSV to write (default: output/<partnership>/<cycle>/"
                                    "priorities/decisions-<cycle>.csv)"),
) -> None:
    """Write the decisions template: one row per recommendation, decisions so far filled in."""
    from tasks.prioritise.decisions import export_template

    config = _one(partnership, cycle)
    url = store_url()
    path = out or get_settings().output_dir / config.id / cycle / "priorities" / f"decisions-{cycle}.csv"
    count = guarded(lambda: export_template(url, config, cycle, path), *_errors())
    typer.echo(f"{path}: {count} recommendation(s); fill in outcome, value, reason, meeting, date")


@app.command("import-decisions")
def import_decisions(
    file: Path = typer.Argument(..., help="The filled-in decisions CSV"),
    partnership: str = PartnershipOpt,
    cycle: str = CycleOpt,
) -> None:
    """Record every decision in a filled-in template, or none if any row is wrong."""
    from tasks.prioritise.decisions import import_decisions as run_import

    config = _one(partnership, cycle)
    url = store_url()
    summary = guarded(lambda: run_import(url, config, cycle, file), *_errors())
    typer.echo(f"{file}: {summary.message()}")
    _resume_waiting(config, cycle)
