"""The next year starts from this one: two consecutive cycles of a Gwent partnership on the bundled
24 months (July 2022 to June 2024). Cycle 2024-25's recommendations read the decisions the board
recorded in cycle 2023-24, whose meetings are proposed from the calendar (only 2024-25's are configured)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from csp.config import load_partnership
from csp.year import board_meeting
from flows.annual_cycle import WAITING_FOR_BOARD, annual_cycle
from tasks.prioritise.decisions import export_template, import_decisions
from tasks.prioritise.store import recommendations_with_decisions

TODAY = dt.date(2024, 10, 1)  # June 2024 published; cycle 2024-25 is due


def _decide(path, meeting: str) -> tuple[str, str]:
    """Accept everything, but move one Emerging area to Preventing and reject another."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    emerging = [r for r in rows if r["kind"] == "area" and r["recommendation"] == "Emerging"]
    assert len(emerging) >= 2, "the test needs two Emerging areas"
    for row in rows:
        if row["recommendation"] not in ("None", "no data"):
            row.update(outcome="accepted", meeting=meeting)
    emerging[0].update(outcome="changed", value="Preventing", reason="New estate: prevention first")
    emerging[1].update(outcome="rejected", reason="Covered by the neighbourhood team")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return emerging[0]["subject"], emerging[1]["subject"]


@pytest.mark.usefixtures("prefect_harness", "csp_env")
def test_cycle_n_plus_1_starts_from_cycle_n_decisions(sqlite_url, tmp_path):
    config = load_partnership("newport")
    first_board = board_meeting(config, "2023-24")
    assert first_board.proposed and first_board.id == "board-2023-11"  # from the 2024-25 calendar

    # police.uk repeats one Crime ID across two Gwent files of 2022-23 (a real quirk that blocks the
    # cycle); the operator accepts it, as `csp cycle run --accept-incomplete` would
    first = annual_cycle("newport", "2023-24", until="board", today=TODAY, database_url=sqlite_url,
                         accept_incomplete=True)
    assert first["status"] == WAITING_FOR_BOARD
    decisions = tmp_path / "decisions-2023-24.csv"
    export_template(sqlite_url, config, "2023-24", decisions)
    changed, rejected = _decide(decisions, first_board.id)
    import_decisions(sqlite_url, config, "2023-24", decisions)

    second = annual_cycle("newport", until="board", today=TODAY, database_url=sqlite_url,
                          accept_incomplete=True)
    assert second["cycle"] == "2024-25" and second["status"] == WAITING_FOR_BOARD
    views = {v.subject: v for v in recommendations_with_decisions(sqlite_url, "newport", "2024-25")
             if v.kind == "area"}
    moved = views[changed].reasons["rules"]["earlier_priority"]
    assert (moved["cycle"], moved["source"], moved["outcome"], moved["adopted"]) == \
        ("2023-24", "decision", "changed", "Preventing")
    dropped = views[rejected].reasons["rules"]["earlier_priority"]
    assert (dropped["source"], dropped["outcome"]) == ("decision", "rejected")
    assert dropped["class"] is None  # rejected: not carried forward as a priority area
    # an area the board kept as a priority can only stay a priority or be discharged, never vanish
    kept = [v for v in views.values() if v.reasons["rules"]["earlier_priority"]["class"] == "Emerging"]
    assert kept and all(v.recommendation != "None" for v in kept)
