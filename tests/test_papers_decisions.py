"""The pack states only what is recorded: "proposed" before the board's decision, "agreed on" after it.

Drafted twice from the same store: first with no decision recorded (the pack as sent before the
meeting), then after the board's decisions on every theme are recorded through the priorities stage.
"""

from __future__ import annotations

from sqlalchemy import delete

from csp.config import load_partnership
from csp.store import models
from csp.store.db import session_scope
from tasks.papers.draft import draft_pack
from tasks.prioritise.decisions import DecisionInput, record_decision
from tests.papers_helpers import all_text, paragraphs, store_fixture  # noqa: F401 - 'store' is a fixture

PAPERS = ["strategic_assessment", "sa_summary", "priorities", "community_safety_plan", "terms_of_reference"]


def _draft(url: str):
    result = draft_pack(url, load_partnership("cambridge"), "2025-26", "board-2026-02", PAPERS)
    folder = result.folder

    def paper(prefix: str) -> str:
        from pathlib import Path
        (path,) = [p for p in Path(folder).glob(f"{prefix}*(public).docx")]
        return path

    return paper


def _bullets(path) -> list[str]:
    return [t for s, t in paragraphs(path) if s == "List Bullet"]


def test_before_the_decision_the_pack_proposes_and_after_it_says_agreed(store):
    with session_scope(store) as session:
        session.execute(delete(models.Decision))
    paper = _draft(store)
    plan, tor, sa = paper("04 Community"), paper("05 Terms"), paper("01 Strategic Assessment 2025-26")
    plan_text = all_text(plan)
    assert "Draft for the Board's agreement on 10 February 2026." in plan_text
    assert "The Board agreed" not in plan_text and "decided" not in plan_text.lower()
    assert "Acquisitive crime (proposed)" in _bullets(plan)
    assert "Priority 3: Acquisitive crime" in plan_text
    assert "Proposed: recommended to add, for the Board's decision on 10 February 2026" in plan_text
    tor_bullets = _bullets(tor)
    in_force = tor_bullets[tor_bullets.index("Safeguarding young people against violence and exploitation"):]
    assert "Acquisitive crime" not in in_force  # only adopted priorities are listed as priorities
    assert "Acquisitive crime (proposed)" in in_force
    assert "in force until the Board agrees those for 2026-27" in all_text(tor)
    for path in (plan, tor, sa, paper("02 Strategic Assessment executive"), paper("03 Priorities")):
        text = all_text(path)
        assert "Agreed on" not in text and "agreed on" not in text, path.name

    config = load_partnership("cambridge")
    for subject, outcome, value in (("violence", "accepted", ""), ("asb", "accepted", ""),
                                    ("acquisitive", "accepted", "")):
        record_decision(store, config, "2025-26", DecisionInput(
            subject=subject, outcome=outcome, value=value, reason="Agreed by the Board",
            meeting="board-2026-02", kind="theme"))
    paper = _draft(store)
    plan, tor, sa = paper("04 Community"), paper("05 Terms"), paper("01 Strategic Assessment 2025-26")
    plan_text = all_text(plan)
    assert ("The strategic assessment 2025-26 (October 2024 to September 2025) informed this plan. The Board "
            "agreed on 10 February 2026 that the priorities for 2026-27 would be:") in plan_text
    assert "(proposed)" not in plan_text and "Draft for the Board" not in plan_text
    assert "Acquisitive crime" in _bullets(plan)
    assert "agreed on 10 February 2026" in all_text(tor)
    assert "**" not in all_text(tor)
    assert "Acquisitive crime" in [b.strip("*") for b in _bullets(tor)]
    assert "Agreed on 10 February 2026 (add): Agreed by the Board." in all_text(sa)
