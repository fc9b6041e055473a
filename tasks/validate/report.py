"""The coverage table as CSV and as a small HTML page in output/<partnership>/<cycle>/data-quality/.

The page is for the Data Group meeting: which partner sent what for which months, what blocks the
cycle, what only needs a caveat, and where the full Great Expectations Data Docs are.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from csp.spreadsheet import safe_frame
from tasks.validate.matching import describe_mapping

if TYPE_CHECKING:
    from tasks.validate.cycle import CycleValidation

_STYLE = """
body { font-family: Arial, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 3px 7px; text-align: right; font-size: 0.9em; }
th:first-child, td:first-child { text-align: left; }
td.missing-required { background: #f4b6b6; }
td.missing-optional { background: #fbe3a6; }
li.blocking { color: #a00; }
"""


def coverage_csv(result: CycleValidation) -> pd.DataFrame:
    """Sources by months, with whether each source is required and how many months it covers."""
    table = result.coverage.copy()
    table.insert(0, "required", [_required(result, kind) for kind in table.index])
    table["months_covered"] = (result.coverage > 0).sum(axis=1)
    table["months_expected"] = result.coverage.shape[1]
    return table


def _required(result: CycleValidation, kind: str) -> bool:
    return bool(result.required.get(kind, False))


def _cell(n: int, required: bool) -> str:
    if n:
        return f"<td>{n:,}</td>"
    return f'<td class="missing-{"required" if required else "optional"}">none</td>'


def _table_html(result: CycleValidation) -> str:
    head = "".join(f"<th>{html.escape(m)}</th>" for m in result.coverage.columns)
    rows = []
    for kind, row in result.coverage.iterrows():
        required = _required(result, str(kind))
        cells = "".join(_cell(int(n), required) for n in row)
        rows.append(f"<tr><td>{html.escape(str(kind))}{' (required)' if required else ''}</td>{cells}</tr>")
    return f"<table><tr><th>source</th>{head}</tr>{''.join(rows)}</table>"


def _list(items: list[str], css: str) -> str:
    if not items:
        return "<p>None.</p>"
    return "<ul>" + "".join(f'<li class="{css}">{html.escape(i)}</li>' for i in items) + "</ul>"


def _quarantine_html(result: CycleValidation) -> str:
    keys = ("rows_read", "rows_accepted", "rows_quarantined", "rows_outside_area", "rows_unlocated")
    head = "".join(f"<th>{k.removeprefix('rows_').replace('_', ' ')}</th>" for k in keys)
    rows = "".join(f"<tr><td>{html.escape(q['kind'])}: {html.escape(q['file'])}</td>"
                   + "".join(f"<td>{q[k]:,}</td>" for k in keys) + "</tr>" for q in result.quarantined)
    return f"<table><tr><th>file</th>{head}</tr>{rows}</table>"


def page(result: CycleValidation) -> str:
    rates = result.match_rates
    docs = (f'<p>Great Expectations Data Docs: <a href="{result.data_docs.as_uri()}">'
            f"{html.escape(str(result.data_docs))}</a></p>" if result.data_docs else
            f"<p>{html.escape(result.data_docs_note or 'No Data Docs were built (no stored data).')}</p>")
    title = f"Data quality: {result.partnership_id} {result.cycle}"
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p>Assessment period: {html.escape(result.period_label)}. Status: <b>{result.status}</b>.</p>"
        f"<h2>Coverage: stored rows per month</h2>{_table_html(result)}"
        f"<h2>Blocking problems</h2>{_list(result.blocking, 'blocking')}"
        f"<h2>Warnings</h2>{_list(result.warnings, 'warning')}"
        f"<h2>Crime rows matching the Census {2021 if rates.vintage == 2021 else 2011} population</h2>"
        f"<p>By LSOA code: {html.escape(rates.lsoa.describe())}. By MSOA: {html.escape(rates.msoa.describe())}."
        f" Rows without an LSOA: {rates.rows_without_lsoa:,}. {html.escape(describe_mapping(rates))}.</p>"
        f"<h2>Rows per current file</h2><p>Read, accepted, quarantined (failed a rule), outside the "
        f"partnership's area, and without any LSOA (cannot be placed).</p>{_quarantine_html(result)}"
        f"{docs}</body></html>"
    )


def write(result: CycleValidation, folder: Path) -> None:
    """Write coverage.csv, coverage.html and validation.json (the summary as data)."""
    folder.mkdir(parents=True, exist_ok=True)
    safe_frame(coverage_csv(result)).to_csv(folder / "coverage.csv")
    (folder / "coverage.html").write_text(page(result), encoding="utf-8")
    (folder / "validation.json").write_text(json.dumps(result.as_dict(), indent=2), encoding="utf-8")
