"""Apply small-number suppression to every published count table, consistently across tables.

Each :class:`CountTable` is suppressed with :func:`csp.suppression.suppress_table`. Where two tables
publish the same number (the category counts are the total row of the area table and of the monthly
table), a cell hidden in one is hidden in the other, and suppression is repeated until nothing changes
(hiding a cell never exposes another, so this ends). Metric rows are then flagged: a count whose
cell is hidden, or a figure derived from a hidden count, is ``suppressed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from csp import metrics as M
from csp.suppression import CONFIDENTIAL, PRIMARY, SuppressedTable, is_small, small_label, suppress_table
from tasks.assess.rows import CellRef, CountTable, MetricRow

_NO_TOTAL = object()
_COUNT_METRICS = {M.COUNT, M.MONTHLY_COUNT, M.QUARTERLY_COUNT, M.NOT_PLACED_COUNT, M.HOTSPOT}
MAX_ROUNDS = 10


@dataclass(frozen=True)
class Published:
    """Suppressed tables and the cells hidden in them."""

    tables: dict[str, SuppressedTable]
    minimum: int

    @cached_property
    def _marked(self) -> dict[tuple[str, object, object], str]:
        """Every cell with a status ("primary" or "secondary"), by (table, row, column): looked up
        once per metric row, so built once rather than searched in the frames each time."""
        out: dict[tuple[str, object, object], str] = {}
        for name, table in self.tables.items():
            frame = table.status
            for row, values in zip(frame.index, frame.to_numpy(dtype=object), strict=True):
                for column, value in zip(frame.columns, values, strict=True):
                    text = str(value)
                    if text:
                        out[(name, row, column)] = text
        return out

    def status(self, ref: CellRef) -> str:
        return self._marked.get((ref[0], ref[1], ref[2]), "")

    def hidden(self, ref: CellRef | None) -> bool:
        return ref is not None and self.status(ref) != ""

    def any_hidden(self, refs: Iterable[CellRef]) -> bool:
        return any(self.hidden(ref) for ref in refs)

    def show(self, ref: CellRef, value: float) -> str:
        """A count as published: '<5' (primary), '[c]' (secondary) or the number."""
        status = self.status(ref)
        if status == PRIMARY or is_small(value, self.minimum):
            return small_label(self.minimum)
        if status:
            return CONFIDENTIAL
        return f"{int(round(value)):,}"

    def flag(self, row: MetricRow) -> bool:
        """Must this metric row be kept out of public outputs?"""
        if not row.public:
            return True
        if row.metric in _COUNT_METRICS and is_small(row.value, self.minimum):
            return True
        return self.hidden(row.cell) or self.any_hidden(row.bases)


def _suppress(table: CountTable, minimum: int, presuppressed: set[tuple[str, str]]) -> SuppressedTable:
    return suppress_table(
        table.frame, minimum,
        row_total=table.row_total if table.row_total is not None else _NO_TOTAL,
        col_total=table.col_total if table.col_total is not None else _NO_TOTAL,
        presuppressed=presuppressed,
    )


def publish(tables: Iterable[CountTable], minimum: int) -> Published:
    """Suppress all tables, propagating hidden cells along links until stable."""
    tables = list(tables)
    presuppressed: dict[str, set[tuple[str, str]]] = {t.name: set() for t in tables}
    result: dict[str, SuppressedTable] = {}
    for _ in range(MAX_ROUNDS):
        result = {t.name: _suppress(t, minimum, presuppressed[t.name]) for t in tables}
        published = Published(result, minimum)
        added = False
        for table in tables:
            for (row, col), other in table.links:
                if other[0] not in result:
                    continue
                own = (table.name, row, col)
                if published.hidden(own) and not published.hidden(other):
                    presuppressed[other[0]].add((other[1], other[2]))
                    added = True
                if published.hidden(other) and not published.hidden(own):
                    presuppressed[table.name].add((row, col))
                    added = True
        if not added:
            break
    return Published(result, minimum)
