"""Budget tables into the store: all rows of a file or none, replacing what that file gave before.

A year's funding comes from the last file that gave funding for it, its lines from the last file that
gave lines (matched by position, so an action linked to line 2 stays linked); reported figures are
replaced file by file. Re-importing the same file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from csp.config import Partnership
from csp.settings import get_settings
from csp.store import models
from csp.store.db import ensure_partnership, session_scope
from tasks.finance.tables import Parsed, parse_budget_table
from tasks.sheets import Problem, SheetError, read_table

BUDGET_FOLDER = "budget"


@dataclass(frozen=True)
class BudgetImport:
    file: str
    shape: str
    year: str | None
    funding: int
    lines: int
    figures: int

    def message(self) -> str:
        return (f"{self.file} ({self.shape}, {self.year or 'several years'}): {self.funding} funding row(s), "
                f"{self.lines} line(s), {self.figures} reported figure(s)")


def _replace_funding(session: Session, pid: str, parsed: Parsed) -> None:
    session.execute(delete(models.Funding).where(models.Funding.partnership_id == pid,
                                                 models.Funding.financial_year == parsed.year))
    session.add_all([models.Funding(partnership_id=pid, financial_year=parsed.year, position=f.position,
                                    label=f.label, fund=f.fund, kind=f.kind, amount_pence=f.pence,
                                    amount_text=f.text, source=f.source) for f in parsed.funding])


def _replace_lines(session: Session, pid: str, parsed: Parsed, file: str) -> None:
    existing = {line.position: line for line in session.scalars(select(models.BudgetLine).where(
        models.BudgetLine.partnership_id == pid, models.BudgetLine.financial_year == parsed.year))}
    for row in parsed.lines:
        line = existing.pop(row.position, None) or models.BudgetLine(
            partnership_id=pid, financial_year=parsed.year, position=row.position)
        line.item, line.profiled_pence, line.outturn_pence = row.item, row.profiled, row.outturn
        line.grant_pence, line.pool_pence, line.notes, line.source = row.grant, row.pool, row.notes, row.source
        session.add(line)
    stale = [line.id for line in existing.values()]
    linked = session.scalars(select(models.Action.number).where(models.Action.budget_line_id.in_(stale))).all()
    if linked:
        raise SheetError([Problem(file, None, None, f"{parsed.year} would lose budget line(s) that actions "
                                  f"{', '.join(linked)} are linked to; unlink them first")])
    for line in existing.values():
        session.delete(line)


def _replace_figures(session: Session, pid: str, parsed: Parsed, file: str) -> None:
    session.execute(delete(models.ReportedFigure).where(models.ReportedFigure.partnership_id == pid,
                                                        models.ReportedFigure.source.like(f"{file} row %")))
    session.add_all([models.ReportedFigure(partnership_id=pid, financial_year=f.year, figure=f.figure,
                                           label=f.label, amount_pence=f.pence, source=f.source)
                     for f in parsed.figures])


def import_budget(url: str, config: Partnership, paths: list[Path], year: str | None = None
                  ) -> list[BudgetImport]:
    """Import budget tables (CSV or XLSX in the seeds' shapes) in one transaction: any problem in any
    file refuses them all, and the message lists every problem with its file, row and column."""
    parsed_files, problems = [], []
    for path in paths:
        try:
            table = read_table(path)
        except SheetError as exc:
            problems += exc.problems
            continue
        parsed = parse_budget_table(table, year)
        problems += parsed.problems
        parsed_files.append((table.file, parsed))
    if problems:
        raise SheetError(problems)
    with session_scope(url) as session:
        ensure_partnership(session, config)
        for file, parsed in parsed_files:
            if parsed.funding:
                _replace_funding(session, config.id, parsed)
            if parsed.lines:
                _replace_lines(session, config.id, parsed, file)
            _replace_figures(session, config.id, parsed, file)
            session.flush()
    return [BudgetImport(file, p.shape, p.year, len(p.funding), len(p.lines), len(p.figures))
            for file, p in parsed_files]


def budget_files(folder: Path) -> list[Path]:
    """The budget tables of a folder in import order: funding and lines first, quoted figures last."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
    return sorted(files, key=lambda p: ("reported" in p.name, p.name))


def default_folder(config: Partnership) -> Path:
    """Where a partnership's budget tables live: ``data/partners/<id>/budget``."""
    return get_settings().data_dir / "partners" / config.id / BUDGET_FOLDER
