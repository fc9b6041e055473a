"""Thematic priorities: scores computed by hand on a small frame, continuity of long-term priorities."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError
from scipy.stats import binomtest

from csp import metrics as m
from csp.config import Priority, load_partnership
from csp.frames import PARTNER_KINDS, POLICE_UK_CATEGORIES
from tasks.prioritise.common import Adoption
from tasks.prioritise.themes import ThemeScoring, change_test, gather, recommend_themes, score
from tests.test_prioritise_scenario import POLICE_COUNTS, load_cycle, scenario_config

# Simple weights so the harm ranks can be worked out by hand: violence-type categories and IDVA 10.
WEIGHTS = {"Violence and sexual offences": 10, "Robbery": 10, "Possession of weapons": 10, "idva": 10}
DEFAULT_WEIGHTS = {c: 1 for c in POLICE_UK_CATEGORIES} | WEIGHTS


def frame(counts: dict = POLICE_COUNTS) -> pd.DataFrame:
    rows = []
    for (source, category), (current, previous) in counts.items():
        rows.append((m.COUNT, source, category, m.PARTNERSHIP, "E07000008", None, m.CURRENT, current, None))
        rows.append((m.COUNT, source, category, m.PARTNERSHIP, "E07000008", None, m.PREVIOUS, previous,
                     None))
    columns = ["metric", "source_kind", "category", "area_type", "area_code", "area_name", "period",
               "value", "label"]
    return pd.DataFrame(rows, columns=columns)


def drafts(priorities, scoring=None, earlier=None, counts=POLICE_COUNTS, cycle="2025-26"):
    result = recommend_themes(frame(counts), cycle, priorities, DEFAULT_WEIGHTS, earlier or {},
                              scoring or ThemeScoring(), 0.05, 5)
    return {d.subject: d for d in result}


# Possession of weapons (30) counts under exploitation only, not also under violence.
# Volume (current): acquisitive 1400, violence 1050, asb 600, criminal damage 250, public order 240,
# domestic abuse (IDVA) 120, drugs 100, exploitation 30 -> percentile ranks 1, .875, .75, ... .125.
# Harm: violence 10500, DA 1200, acquisitive 1400, asb 600, exploitation 300, CD 250, PO 240, drugs 100.
# Change (exact test: no monthly counts in this frame), then Benjamini-Hochberg over the 8 themes:
# asb -33% (p ~ 1e-18) down, drugs +66.7% (p=.002, q=.008) up; violence +10.5% (p=.026) has
# q = .026 * 8 / 3 = .069, so no significant change; the rest unchanged.
HAND_SCORES = {
    "violence": (0.875 + 0.5 + 1) / 3,
    "acquisitive": (1 + 0.5 + 0.875) / 3,
    "domestic_abuse": (0.375 + 0.5 + 0.75) / 3,
    "criminal_damage": (0.625 + 0.5 + 0.375) / 3,
    "asb": (0.75 + 0 + 0.625) / 3,
    "drugs": (0.25 + 1 + 0.125) / 3,
    "public_order": (0.5 + 0.5 + 0.25) / 3,
    "exploitation": (0.125 + 0.5 + 0.5) / 3,
}


def test_scores_match_the_hand_computation():
    evidence = gather(frame(), DEFAULT_WEIGHTS, 0.05)
    assert set(evidence) == set(HAND_SCORES)  # fire and hate crime have no data
    assert evidence["violence"].current == 1050 and evidence["violence"].previous == 950
    assert evidence["violence"].harm == 10500
    p_value = binomtest(1050, 2000, 0.5).pvalue
    assert evidence["violence"].change["p_value"] == pytest.approx(p_value)
    assert evidence["violence"].change["q_value"] == pytest.approx(p_value * 8 / 3)
    assert evidence["violence"].change["label"] == "no significant change"
    assert evidence["drugs"].change["q_value"] == pytest.approx(binomtest(100, 160, 0.5).pvalue * 8 / 2)
    assert evidence["drugs"].change["label"] == "significant increase"
    assert [s.category for s in evidence["violence"].supporting] == ["Possession of weapons"]
    assert evidence["asb"].change["label"] == "significant decrease"
    assert evidence["domestic_abuse"].primary[0].source_kind == "idva"
    scores = score(evidence, ThemeScoring())
    for theme_id, expected in HAND_SCORES.items():
        assert scores[theme_id]["score"] == pytest.approx(expected, abs=1e-4), theme_id
    assert scores["violence"]["harm_rank"] == 1 and scores["acquisitive"]["volume_rank"] == 1


def test_weights_change_the_score():
    only_harm = score(gather(frame(), DEFAULT_WEIGHTS, 0.05), ThemeScoring(volume=0, change=0, harm=1))
    assert only_harm["violence"]["score"] == 1.0
    assert only_harm["drugs"]["score"] == pytest.approx(0.125)


def test_long_term_priorities_are_retained_unless_the_data_argue_against():
    cambridge = load_partnership("cambridge")  # violence and asb, both long-term since 2019-20
    result = drafts(cambridge.priorities)
    assert result["violence"].recommendation == "retain"
    # ASB fell significantly, but its score (0.458) is not below retire_below (0.25): continuity holds.
    assert result["asb"].recommendation == "retain"
    assert result["asb"].reasons["rule"] == "long_term_continuity"
    assert result["asb"].subject_name == "Listening to community needs and responding together to reduce harm"
    assert result["asb"].reason_text.startswith(
        "Retain: adopted in 2019-20 as a long-term priority and the data do not argue against it; "
        "600 records in the year (police_uk; 3rd largest of the 8 themes by volume); significantly lower "
        "than last year (down 33%)")
    assert "score" not in result["asb"].reason_text
    strict = drafts(cambridge.priorities, ThemeScoring(retire_below=0.5))
    assert strict["asb"].recommendation == "retire"
    assert strict["asb"].reasons["rule"] == "data_argue_against"
    assert strict["violence"].recommendation == "retain"  # rising: never argued against


def test_new_themes_are_added_from_the_add_threshold_and_others_monitored():
    result = drafts(load_partnership("cambridge").priorities)
    assert result["acquisitive"].recommendation == "add"  # 0.792 >= 0.75
    assert result["acquisitive"].score == pytest.approx(HAND_SCORES["acquisitive"], abs=1e-4)
    assert result["drugs"].recommendation == "monitor"
    assert result["fire"].recommendation == "no data"
    assert result["fire"].score is None
    assert "no stored data speaks to this theme" in result["hate_crime"].reason_text


def test_priorities_that_are_not_long_term_need_their_score():
    priorities = [Priority(theme="exploitation", title="Exploitation", adopted="2024-25"),
                  Priority(theme="drugs", title="Drugs", adopted="2024-25")]
    result = drafts(priorities, ThemeScoring(retire_below=0.5))
    assert result["exploitation"].recommendation == "retire"  # 0.375 < 0.5, no increase
    assert result["drugs"].recommendation == "retain"  # 0.458 < 0.5 but a significant increase
    assert result["drugs"].reasons["rule"] == "score_holds"


def test_priorities_without_data_are_retained_and_say_so():
    south = load_partnership("south-cambridgeshire")
    result = drafts(south.priorities)
    for theme_id in ("community_resilience", "priority_areas"):
        assert result[theme_id].recommendation == "retain"
        assert result[theme_id].reasons["data_theme"] is False
        assert "no stored data speaks to it, so it is retained for continuity" in result[theme_id].reason_text
    assert result["community_resilience"].subject_name.startswith("Community resilience")


def test_a_priority_adopted_after_the_cycle_is_not_yet_a_priority():
    later = [Priority(theme="drugs", title="Drugs", adopted="2026-27", long_term=True)]
    assert drafts(later)["drugs"].recommendation == "monitor"


def test_an_earlier_board_decision_outranks_the_configuration():
    cambridge = load_partnership("cambridge")
    retired = {"asb": Adoption("2024-25", "asb", "retain", "retire", "decision", "rejected", "board-2025-02"),
               "drugs": Adoption("2024-25", "drugs", "monitor", "add", "decision", "changed",
                                 "board-2025-02")}
    result = drafts(cambridge.priorities, earlier=retired)
    assert result["asb"].recommendation == "monitor"  # no longer a priority, score below add_at
    assert result["asb"].reasons["priority"]["source"] == "decision"
    assert "'retire' adopted in 2024-25 (board decision: rejected, board-2025-02)" in result["asb"].reason_text
    assert result["drugs"].recommendation == "retain"  # added by the board last year


def test_small_counts_are_suppressed_in_the_sentence():
    counts = dict(POLICE_COUNTS)
    counts[("police_uk", "Possession of weapons")] = (3, 2)
    counts[("hate_crime", "All")] = (4, 9)
    result = drafts([], counts=counts)
    assert "<5 records in the year" in result["hate_crime"].reason_text
    assert "change not shown (small numbers)" in result["hate_crime"].reason_text
    assert " 4 records" not in result["hate_crime"].reason_text
    assert result["hate_crime"].reasons["volume"]["current"] == 4  # the data keep the number


def test_change_test_edge_cases():
    assert change_test(10, None, 0.05) == {"label": "no comparable period", "change_pct": None,
                                           "p_value": None}
    assert change_test(0, 0, 0.05)["label"] == "no comparable period"
    from_zero = change_test(12, 0, 0.05)
    assert from_zero["change_pct"] is None and from_zero["label"] == "significant increase"


def test_previous_count_is_derived_from_change_count_when_not_stored():
    f = frame({("police_uk", "Drugs"): (100, 60)})
    f = f[f["period"] == m.CURRENT]
    f = pd.concat([f, pd.DataFrame([{"metric": m.CHANGE_COUNT, "source_kind": "police_uk",
                                     "category": "Drugs", "area_type": m.PARTNERSHIP, "period": m.CURRENT,
                                     "value": 40.0}])])
    assert gather(f, DEFAULT_WEIGHTS, 0.05)["drugs"].previous == 60


def test_scoring_settings_are_checked():
    with pytest.raises(ValidationError, match="at least one"):
        ThemeScoring(volume=0, change=0, harm=0)
    with pytest.raises(ValidationError, match="retire_below"):
        ThemeScoring(add_at=0.3, retire_below=0.4)


def test_default_harm_weights_cover_every_category_and_partner_source():
    weights = load_partnership("south-cambridgeshire").harm_weights
    assert set(POLICE_UK_CATEGORIES) <= set(weights)
    assert set(PARTNER_KINDS) <= set(weights)
    assert weights["Robbery"] > weights["Burglary"] > weights["Shoplifting"] > weights["Anti-social behaviour"]


def test_themes_read_from_the_store(db_url, tmp_path):
    from tasks.prioritise.tasks import draft_themes

    config = scenario_config(tmp_path)
    load_cycle(db_url, config, "2025-26")
    result = {d.subject: d for d in draft_themes(db_url, config, "2025-26", ThemeScoring())}
    assert result["violence"].reasons["volume"] == {"current": 1050.0, "previous": 950.0,
                                                    "rank_score": 0.875, "rank": 2}
    assert result["priority_areas"].recommendation == "retain"


def test_no_comparable_period_in_the_assessment_means_no_change_test():
    f = frame({("police_uk", "Drugs"): (174, 15), ("fire", "All"): (155, 12)})
    extra = pd.DataFrame([
        {"metric": m.CHANGE, "source_kind": "police_uk", "category": "Drugs", "area_type": m.PARTNERSHIP,
         "period": m.CURRENT, "value": None, "label": "no comparable period"},
        {"metric": m.MONTHS_COVERED, "source_kind": "fire", "category": "All", "area_type": m.PARTNERSHIP,
         "period": m.PREVIOUS, "value": 1.0, "label": "incomplete"},
    ])
    evidence = gather(pd.concat([f, extra]), DEFAULT_WEIGHTS, 0.05)
    assert evidence["drugs"].previous is None  # not a significant increase from a one-month "year"
    assert evidence["drugs"].change["label"] == "no comparable period"
    assert evidence["fire"].change["label"] == "no comparable period"


def test_themes_count_each_category_once_and_say_where_the_overlap_went():
    from csp.frames import POLICE_UK_CATEGORIES
    from csp.themes import THEMES, counting_theme

    counted = [c for t in THEMES for c in t.police_categories]
    assert sorted(counted) == sorted(POLICE_UK_CATEGORIES)  # every category, each exactly once
    assert counting_theme("Possession of weapons").id == "exploitation"
    evidence = gather(frame(), DEFAULT_WEIGHTS, 0.05)
    police_total = sum(v[0] for k, v in POLICE_COUNTS.items() if k[0] == "police_uk")
    assert sum(ev.current for ev in evidence.values() if ev.primary[0].source_kind == "police_uk") == police_total
    violence = drafts([])["violence"].reason_text
    assert "Possession of weapons is counted under Exploitation and weapons, not in this total" in violence


def test_a_theme_change_uses_its_monthly_counts_and_leaves_out_recording_changes():
    months = ([f"2024-{m:02d}" for m in range(10, 13)] + [f"2025-{m:02d}" for m in range(1, 10)],
              [f"2023-{m:02d}" for m in range(10, 13)] + [f"2024-{m:02d}" for m in range(1, 10)])
    wobble = [20, 2, 18, 4, 16, 6, 14, 8, 12, 10, 0, 10]  # 120 a year, far more variable than Poisson
    rows = [("police_uk", "Drugs", m, 10.0 + w) for m, w in zip(months[0], wobble, strict=True)]
    rows += [("police_uk", "Drugs", m, 6.0 + w / 2) for m, w in zip(months[1], wobble, strict=True)]
    monthly = pd.DataFrame(rows, columns=["source_kind", "category", "period", "value"])
    counts = {("police_uk", "Drugs"): (240.0, 132.0), ("police_uk", "Criminal damage and arson"): (600.0, 60.0)}
    f = pd.concat([frame(counts), pd.DataFrame([{
        "metric": m.CHANGE, "source_kind": "police_uk", "category": "Criminal damage and arson",
        "area_type": m.PARTNERSHIP, "period": m.CURRENT, "value": None, "label": "recording change"}])])
    evidence = gather(f, DEFAULT_WEIGHTS, 0.05, monthly=monthly, periods=months)
    assert evidence["drugs"].change["method"] == "quasi_poisson_glm_year"
    assert evidence["drugs"].change["rate_ratio"] == pytest.approx(240 / 132)
    assert evidence["criminal_damage"].change["label"] == "recording change"
    assert evidence["criminal_damage"].left_out == ("Criminal damage and arson",)
    assert evidence["criminal_damage"].current == 600  # the volume still counts
