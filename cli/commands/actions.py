"""`csp actions` commands: the action register between meetings (list, add, update, close, import,
export, history). Every change is recorded with who made it (the OS user, or --by)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli.commands.common import fail, guarded, one_partnership, store_url

if TYPE_CHECKING:
    from csp.config import Partnership

app = typer.Typer(no_args_is_help=True)

PartnershipOpt = typer.Option(..., "--partnership", "-p", help="Partnership id, e.g. cambridge")
MeetingOpt = typer.Option(None, "--meeting", "-m", help="Meeting id the action belongs to, e.g. board-2026-02")
ByOpt = typer.Option(None, "--by", help="Who is making the change (default: your operating-system user)")


def _errors() -> tuple[type[BaseException], ...]:
    from tasks.actions.fields import FieldError
    from tasks.actions.register import ActionError
    from tasks.sheets import SheetError

    return ActionError, FieldError, SheetError


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{text!r} is not a date; expected YYYY-MM-DD")
        raise


def _meeting_date(config: Partnership, meeting: str, given: str | None) -> dt.date:
    if given:
        return _date(given)
    known = {m.id: m.date for m in config.meetings}
    if meeting not in known:
        fail(f"meeting {meeting!r} is not in {config.config_file}; give its date with --meeting-date")
    return known[meeting]


@app.command("list")
def list_(
    partnership: str = PartnershipOpt,
    status: str = typer.Option("open", help="open (open, in progress, carried forward), overdue, closed or all"),
    as_of: str = typer.Option(None, "--as-of", help="Judge overdue against the next meeting after this date"),
) -> None:
    """List actions with their reference, meeting, owner, due date and status."""
    from tasks.actions.overdue import is_live, next_meeting
    from tasks.actions.register import list_actions

    config = one_partnership(partnership)
    views = guarded(lambda: list_actions(store_url(), config.id), *_errors())
    today = _date(as_of) or dt.date.today()
    following = next_meeting(config, today)
    judge = following.date if following else today
    chosen = {
        "open": [v for v in views if is_live(v)],
        "overdue": [v for v in views if is_live(v) and v.due is not None and v.due < judge],
        "closed": [v for v in views if v.status == "closed"],
        "all": views,
    }.get(status)
    if chosen is None:
        fail(f"unknown --status {status!r}; expected open, overdue, closed or all")
    for v in chosen:
        due = v.due.isoformat() if v.due else v.timescale or "-"
        typer.echo(f"{v.reference:>6}  {v.meeting:<18} {v.status:<15} due {due:<12} {v.owner:<24} "
                   f"{v.text[:70]}")
    typer.echo(f"{len(chosen)} action(s)")


@app.command()
def add(
    partnership: str = PartnershipOpt,
    meeting: str = typer.Option(..., "--meeting", "-m", help="Meeting that agreed the action"),
    text: str = typer.Option(..., "--text", help="The action point"),
    owner: str = typer.Option(..., "--owner", help="Who is to do it"),
    due: str = typer.Option("", "--due", help="A date, or a timescale such as 'Next meeting'"),
    meeting_date: str = typer.Option(None, "--meeting-date", help="Date of a meeting not in the configuration"),
    agenda_item: str = typer.Option("", "--agenda-item"),
    priority: str = typer.Option("", "--priority", help="A configured priority's theme, e.g. violence"),
    budget_line: str = typer.Option("", "--budget-line", help="Financial year/line, e.g. 2025-26/2"),
    by: str = ByOpt,
) -> None:
    """Add an action, numbered in the partnership's style (MM/NN by meeting month, or 1, 2, 3)."""
    from tasks.actions.register import add_action

    config = one_partnership(partnership)
    when = _meeting_date(config, meeting, meeting_date)
    ref = guarded(lambda: add_action(store_url(), config, meeting, when, text, owner, due, agenda_item, priority,
                                     budget_line, by), *_errors())
    typer.echo(f"added action {ref} ({meeting})")


@app.command()
def update(
    partnership: str = PartnershipOpt,
    reference: str = typer.Argument(..., help="Action reference, e.g. 10/01"),
    meeting: str = MeetingOpt,
    text: str = typer.Option(None, "--text"),
    owner: str = typer.Option(None, "--owner"),
    due: str = typer.Option(None, "--due", help="A date, or a timescale such as 'Next meeting'"),
    status: str = typer.Option(None, "--status", help="open, in progress, closed or carried forward"),
    note: str = typer.Option(None, "--note", help="Closing or progress note"),
    priority: str = typer.Option(None, "--priority"),
    budget_line: str = typer.Option(None, "--budget-line"),
    version: int = typer.Option(None, "--version", help="Refuse if the action changed since this version"),
    by: str = ByOpt,
) -> None:
    """Change fields of one action; each change is kept in its history."""
    from tasks.actions.register import edit_action

    config = one_partnership(partnership)
    edits = {k: v for k, v in {"text": text, "owner": owner, "due": due, "status": status, "closing_note": note,
                               "priority": priority, "budget_line": budget_line}.items() if v is not None}
    if not edits:
        fail("nothing to change: give at least one of --text --owner --due --status --note --priority "
             "--budget-line")
    changes = guarded(lambda: edit_action(store_url(), config, reference, edits, meeting, by, version), *_errors())
    for c in changes:
        typer.echo(f"{reference}: {c.field}: {c.old!r} -> {c.new!r}")
    if not changes:
        typer.echo(f"{reference}: nothing changed")


@app.command()
def close(
    partnership: str = PartnershipOpt,
    reference: str = typer.Argument(..., help="Action reference, e.g. 10/01"),
    note: str = typer.Option("", "--note", help="e.g. 'Agenda Item 6.'"),
    meeting: str = MeetingOpt,
    on: str = typer.Option(None, "--on", help="Closing date (default today)"),
    by: str = ByOpt,
) -> None:
    """Close an action, with the seeds' closing note ('Closed: Agenda Item 6.')."""
    from tasks.actions.register import close_action

    config = one_partnership(partnership)
    changes = guarded(lambda: close_action(store_url(), config.id, reference, note, meeting, _date(on), by),
                      *_errors())
    typer.echo(f"{reference}: closed" if changes else f"{reference}: already closed, nothing changed")


@app.command("import")
def import_(
    partnership: str = PartnershipOpt,
    path: Path = typer.Argument(..., help="CSV, XLSX or Word minutes (.docx)"),
    meeting: str = MeetingOpt,
    meeting_date: str = typer.Option(None, "--meeting-date", help="Date of a meeting not in the configuration"),
    by: str = ByOpt,
) -> None:
    """Import an action log: every row or none. Seed-shaped logs need --meeting."""
    from tasks.actions.transfer import import_actions

    config = one_partnership(partnership)
    summary = guarded(lambda: import_actions(store_url(), config, path, meeting, _date(meeting_date), by), *_errors())
    typer.echo(summary.message())


@app.command()
def export(
    partnership: str = PartnershipOpt,
    path: Path = typer.Argument(..., help="Where to write: a .csv or .xlsx file"),
    open_only: bool = typer.Option(False, "--open-only", help="Leave closed actions out"),
) -> None:
    """Export the register in the shape `csp actions import` reads back unchanged."""
    from tasks.actions.transfer import export_actions

    config = one_partnership(partnership)
    written = guarded(lambda: export_actions(store_url(), config.id, path, include_closed=not open_only), *_errors(),
                      ValueError)
    typer.echo(f"wrote {written}")


@app.command()
def history(
    partnership: str = PartnershipOpt,
    reference: str = typer.Argument(..., help="Action reference, e.g. 10/01"),
    meeting: str = MeetingOpt,
) -> None:
    """Every change to one action: when, by whom, what, from and to."""
    from tasks.actions.register import history as read_history

    config = one_partnership(partnership)
    for row in guarded(lambda: read_history(store_url(), config.id, reference, meeting), *_errors()):
        typer.echo(f"{row['when']}  {row['by']:<12} {row['field']:<13} {row['from']!r} -> {row['to']!r}  "
                   f"({row['source']})")
