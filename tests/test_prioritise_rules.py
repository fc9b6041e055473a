"""Priority-area rules one at a time, growth-area configuration errors, and missing inputs."""

from __future__ import annotations

import pytest
import yaml

from csp.config import ConfigError, load_partnership, load_partnership_file
from csp.store.db import MissingStageError
from tasks.prioritise.common import Adoption
from tasks.prioritise.rules import AreaFacts, AreaRules, classify_areas, resolve_growth_areas
from tasks.prioritise.tasks import draft_areas
from tests.test_prioritise_scenario import AREAS, CONFIG_DIR, NAMES, PID, load_cycle, scenario_config

RULES = AreaRules(emerging_min_categories=3, top_rate_share=0.2, significance=0.05, suppression_min=5)
INC = "significant increase"


def facts(code: str, rate: float | None, **kw) -> AreaFacts:
    base = {"count": None if rate is None else rate * 10, "top_by_total": False, "top_categories": 0,
            "change_label": "no significant change"}
    return AreaFacts(code=code, name=f"Area {code}", rate=rate, **(base | kw))


# Five background areas (rates 10-50); with the area under test, six rates make the median.
BACKGROUND = {f"bg{i}": facts(f"bg{i}", rate) for i, rate in enumerate((10, 20, 30, 40, 50))}


def classify(area: AreaFacts, rules: AreaRules = RULES, growth=None, earlier=None):
    everything = BACKGROUND | {area.code: area}
    drafts = {d.subject: d for d in classify_areas(everything, rules, growth or {}, earlier or {}, {})}
    return drafts[area.code]


def earlier(code: str, adopted: str) -> dict[str, Adoption]:
    return {code: Adoption("2024-25", code, adopted, adopted, "decision", "accepted", "board-2025-02")}


def test_escalating_above_the_median_is_emerging_below_it_preventing():
    high = classify(facts("x", 35, change_label=INC, change_pct=40.0, change_p=0.01))  # median 32.5
    assert (high.recommendation, high.reasons["class_rule"]) == ("Emerging", "escalating")
    low = classify(facts("x", 12, change_label=INC, change_pct=80.0, change_p=0.01))  # median 25
    assert (low.recommendation, low.reasons["class_rule"]) == ("Preventing", "predicted_vulnerability")
    assert low.reasons["rules"]["low_base"] == {"fired": True, "known": True, "rate_per_1000": 12.0,
                                                "median_rate_per_1000": 25.0}
    assert "significantly higher than last year (up 80%)" in low.reason_text


def test_a_rising_trend_counts_as_escalating_unless_switched_off():
    area = facts("x", 45, trend_label="rising", trend_ratio=1.05)
    assert classify(area).recommendation == "Emerging"
    assert "rising through the year (about 5% a month)" in classify(area).reason_text
    assert "x1.05" not in classify(area).reason_text
    off = classify(area, AreaRules(3, 0.2, 0.05, 5, use_trend=False))
    assert off.recommendation == "None"
    assert off.reasons["rules"]["rising_trend"] == {"fired": False, "label": "rising", "monthly_ratio": 1.05,
                                                    "interval": [None, None], "used": False}


def test_multiple_issues_threshold_comes_from_configuration():
    area = facts("x", 25, top_categories=2)
    assert classify(area).recommendation == "None"
    assert classify(area, AreaRules(2, 0.2, 0.05, 5)).recommendation == "Emerging"


def test_worked_on_areas_with_multiple_issues_but_no_escalation_are_sustaining():
    area = facts("x", 60, top_by_total=True, top_categories=4)
    assert classify(area, earlier=earlier("x", "Emerging")).recommendation == "Sustaining"
    assert classify(area, earlier=earlier("x", "Sustaining")).recommendation == "Sustaining"
    # A Preventing area that now presents multiple issues: prevention did not hold, so Emerging.
    assert classify(area, earlier=earlier("x", "Preventing")).recommendation == "Emerging"


def test_an_earlier_discharged_area_is_not_a_priority_area():
    area = facts("x", 60, top_by_total=True, top_categories=1)
    assert classify(area, earlier=earlier("x", "Discharged")).recommendation == "None"


def test_growth_areas_are_preventing_and_not_discharged():
    growth = {"x": "Area x"}
    quiet = classify(facts("x", 5), growth=growth, earlier=earlier("x", "Preventing"))
    assert (quiet.recommendation, quiet.reasons["class_rule"]) == ("Preventing", "growth_area")
    assert quiet.reasons["rules"]["growth_area"] == {"fired": True, "configured_as": "Area x"}


def test_an_earlier_priority_area_without_current_data_is_carried_forward():
    drafts = {d.subject: d for d in classify_areas(BACKGROUND, RULES, {}, earlier("gone", "Sustaining"),
                                                   {"gone": "Old Area"})}
    assert drafts["gone"].subject_name == "Old Area"
    assert drafts["gone"].recommendation == "Sustaining"
    assert drafts["gone"].reasons["class_rule"] == "no_current_rate"
    assert "no rate per 1,000 residents for this cycle" in drafts["gone"].reason_text


def test_an_area_without_a_rate_fires_no_rate_rule():
    area = facts("x", None, top_by_total=None, top_categories=None, change_label=INC)
    result = classify(area)
    assert result.recommendation == "None"
    assert result.reasons["rules"]["low_base"]["known"] is False
    assert result.score is None


def test_small_counts_withhold_the_rate_in_the_sentence():
    area = facts("x", 3.0, count=3, change_label=INC, change_pct=200.0, change_p=0.04)
    result = classify(area)
    assert "rate withheld (fewer than 5 incidents)" in result.reason_text
    assert "3.0 recorded incidents per 1,000" not in result.reason_text
    assert result.reasons["inputs"]["rate_per_1000"] == 3.0  # the data keep it


def test_growth_areas_match_names_or_codes_in_any_case():
    config = load_partnership(PID)  # configured by code
    known = {"E02003777": "Longstanton, Swavesey & Oakington", "E02006873": "Cambourne"}
    assert resolve_growth_areas(config, known) == {"E02003777": "E02003777", "E02006873": "E02006873"}
    by_name = config.model_copy(update={"growth_areas": ["cambourne", "LONGSTANTON, SWAVESEY & OAKINGTON"]})
    assert resolve_growth_areas(by_name, known) == {"E02006873": "cambourne",
                                                    "E02003777": "LONGSTANTON, SWAVESEY & OAKINGTON"}


def _config_with_growth(tmp_path, growth):
    raw = yaml.safe_load((CONFIG_DIR / f"{PID}.yaml").read_text(encoding="utf-8"))
    raw["growth_areas"] = growth
    path = tmp_path / f"{PID}.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    for shared in CONFIG_DIR.glob("_*.yaml"):
        (tmp_path / shared.name).write_text(shared.read_text(encoding="utf-8"), encoding="utf-8")
    defaults = yaml.safe_load((CONFIG_DIR / "_defaults.yaml").read_text(encoding="utf-8"))
    return load_partnership_file(path, defaults), path


def test_unknown_growth_area_names_file_key_value_and_known_areas(tmp_path):
    config, path = _config_with_growth(tmp_path, ["e02003777", "South Cambridgeshire 03"])
    known = {code: name for code, name in NAMES.items()}
    with pytest.raises(ConfigError) as error:
        resolve_growth_areas(config, known)
    message = str(error.value)
    assert message.startswith(f"{path}: key 'growth_areas': unknown area 'South Cambridgeshire 03'")
    assert "'South Cambridgeshire 003'" in message  # the nearest known names are suggested


def test_unknown_growth_area_fails_the_stage_from_the_store(db_url, tmp_path):
    config, path = _config_with_growth(tmp_path, ["Northstowe"])
    load_cycle(db_url, scenario_config(tmp_path), "2025-26")
    with pytest.raises(ConfigError, match=r"key 'growth_areas': unknown area 'Northstowe'.*known MSOA "
                                          r"areas include 'South Cambridgeshire 001'"):
        draft_areas(db_url, config, "2025-26")
    assert str(path) in str(pytest.raises(ConfigError, draft_areas, db_url, config, "2025-26").value)


def test_missing_cycle_or_metrics_are_named(db_url, tmp_path):
    config = scenario_config(tmp_path)
    with pytest.raises(MissingStageError, match="no cycle '2025-26' stored for partnership"):
        draft_areas(db_url, config, "2025-26")
    load_cycle(db_url, config, "2025-26", areas={})
    with pytest.raises(MissingStageError, match="no area metrics .* run the strategic assessment first"):
        draft_areas(db_url, config, "2025-26")


def test_other_sources_and_monthly_rows_do_not_leak_into_the_area_facts(db_url, tmp_path):
    from csp import metrics as m
    from csp.store.db import ensure_cycle, session_scope
    from tests.test_prioritise_scenario import metric

    config = scenario_config(tmp_path)
    load_cycle(db_url, config, "2025-26")
    with session_scope(db_url) as session:
        cycle_row = ensure_cycle(session, config, "2025-26")
        session.add(metric(cycle_row, m.TOP_RATE_CATEGORIES, 9.0, source="fire", code="E02003781",
                           area_name=NAMES["E02003781"]))
    drafts = {d.subject: d for d in draft_areas(db_url, config, "2025-26")}
    quiet = drafts["E02003781"]
    assert quiet.recommendation == "None"
    assert quiet.reasons["rules"]["multiple_issues"]["top_rate_categories"] == 0
    assert quiet.reasons["inputs"]["count"] == round(AREAS["2025-26"]["E02003781"][0])  # not the monthly


def test_a_rate_the_assessment_marked_suppressed_is_withheld():
    area = facts("x", 40.0, count=400, withheld=True, change_label=INC, change_pct=10.0, change_p=0.01)
    assert "rate withheld" in classify(area).reason_text
    assert "40.0 recorded incidents" not in classify(area).reason_text


def test_areas_without_a_code_are_keyed_by_name(db_url, tmp_path):
    from csp.store.db import ensure_cycle, session_scope
    from tests.test_prioritise_scenario import area_metrics

    config = scenario_config(tmp_path)
    load_cycle(db_url, config, "2025-26")
    with session_scope(db_url) as session:
        cycle_row = ensure_cycle(session, config, "2025-26")
        rows = area_metrics(cycle_row, "unused", "South Cambridgeshire 099", 90.0, True, 5, INC, 50.0,
                            0.001, "stable")
        for row in rows:
            row.area_code = None  # the assessment had a name from the crime rows but no code
        session.add_all(rows)
    drafts = {d.subject: d for d in draft_areas(db_url, config, "2025-26")}
    assert drafts["South Cambridgeshire 099"].recommendation == "Emerging"
    assert drafts["South Cambridgeshire 099"].subject_name == "South Cambridgeshire 099"


def test_a_growth_area_presenting_multiple_issues_is_preventing_not_emerging():
    area = facts("x", 99.7, top_by_total=True, top_categories=9, change_label=INC, change_pct=30.0)
    result = classify(area, growth={"x": "South Cambridgeshire 003"})
    assert (result.recommendation, result.reasons["class_rule"]) == ("Preventing", "growth_area")
    assert result.reasons["rules"]["multiple_issues"]["fired"] is True  # kept on record
    assert "a growth area named in the partnership's configuration" in result.reason_text


def test_a_rise_that_comes_from_new_homes_is_preventing():
    rising = {"change_label": INC, "change_pct": 40.0, "change_ratio": 1.4, "change_low": 1.1,
              "change_high": 1.8}
    homes = classify(facts("x", 45, new_homes_share=0.35, **rising))
    assert (homes.recommendation, homes.reasons["class_rule"]) == ("Preventing", "new_homes")
    assert "35% of residents live in homes built since 2011" in homes.reason_text
    old = classify(facts("x", 45, new_homes_share=0.05, **rising))
    assert (old.recommendation, old.reasons["class_rule"]) == ("Emerging", "escalating")


def test_a_discharged_area_returns_only_on_year_on_year_evidence():
    before = earlier("x", "Discharged")
    trend_only = classify(facts("x", 45, trend_label="rising", trend_ratio=1.05), earlier=before)
    assert (trend_only.recommendation, trend_only.reasons["class_rule"]) == (
        "None", "discharged_needs_year_on_year")
    assert "returns only on a significant rise on last year" in trend_only.reason_text
    busy = classify(facts("x", 60, top_by_total=True, top_categories=4), earlier=before)
    assert busy.recommendation == "None"
    back = classify(facts("x", 45, change_label=INC, change_pct=25.0, change_ratio=1.25, change_low=1.1,
                          change_high=1.4), earlier=before)
    assert (back.recommendation, back.reasons["class_rule"]) == ("Emerging", "escalating")


def test_the_list_is_capped_at_a_fifth_of_the_areas_and_ranked_with_every_rule_on_record():
    assert [RULES.cap(n) for n in (4, 5, 11, 14, 22, 25, 40)] == [0, 1, 2, 2, 4, 5, 5]
    # 12 areas: rates 10..120 (median 65); a04..a11 rise significantly: a04, a05 from below the median
    # (Preventing), a06..a11 above it (Emerging) -> 8 candidates, cap 2.
    areas = {f"a{i:02d}": facts(f"a{i:02d}", 10.0 * (i + 1), top_categories=i % 4,
                                change_label=INC if i >= 4 else "no significant change",
                                change_pct=20.0, change_ratio=1.2, change_low=1.05, change_high=1.4)
             for i in range(12)}
    drafts = {d.subject: d for d in classify_areas(areas, RULES, {}, {}, {})}
    chosen = sorted((d for d in drafts.values() if d.recommendation != "None"), key=lambda d: d.reasons["rank"])
    assert len(chosen) == 2 == RULES.cap(12)
    # the classes take turns: the best Emerging (most categories, 3, then rate), the best Preventing
    assert [(d.subject, d.recommendation) for d in chosen] == [("a11", "Emerging"), ("a05", "Preventing")]
    assert sorted(d.reasons["rank"] for d in drafts.values()) == list(range(1, 13))
    cut = drafts["a10"]
    assert (cut.recommendation, cut.reasons["class_rule"], cut.reasons["would_be"]) == (
        "None", "over_cap", "Emerging")
    assert cut.reasons["rules"]["significant_increase"]["fired"] is True  # its rules stay on record
    assert "but ranks" in cut.reason_text and "capped at 2" in cut.reason_text


def test_reasons_are_in_words_not_scores():
    area = facts("x", 95, top_by_total=True, top_categories=3, change_label=INC, change_pct=18.0,
                 change_ratio=1.18, change_low=1.06, change_high=1.31,
                 top_category_ranks=(("Violence and sexual offences", 1), ("Burglary", 2), ("Drugs", 2)))
    text = classify(area).reason_text
    assert text.startswith("Emerging: highest rate of crime and ASB of the 6 MSOAs in the district")
    assert ("; highest rate of Violence and sexual offences; in the top 20% by rate for 3 categories "
            "(multiple issues); ") in text
    assert "significantly higher than last year (up 18%, 95% interval +6% to +31%)" in text
    quiet = classify(facts("x", 25)).reason_text
    for banned in ("score", " x1.", "for 0 categories", "p = ", "p<"):
        assert banned not in text and banned not in quiet
    assert quiet.startswith("Not a priority area: ")
