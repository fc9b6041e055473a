"""Priority-area rules one at a time, growth-area configuration errors, and missing inputs."""

from __future__ import annotations

import shutil

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
    assert "a significant increase on the previous year (+80.0%, p = 0.010)" in low.reason_text


def test_a_rising_trend_counts_as_escalating_unless_switched_off():
    area = facts("x", 45, trend_label="rising", trend_ratio=1.05)
    assert classify(area).recommendation == "Emerging"
    assert "a rising trend within the year (x1.050 a month)" in classify(area).reason_text
    off = classify(area, AreaRules(3, 0.2, 0.05, 5, use_trend=False))
    assert off.recommendation == "None"
    assert off.reasons["rules"]["rising_trend"] == {"fired": False, "label": "rising", "monthly_ratio": 1.05,
                                                    "used": False}


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
    config = load_partnership(PID)
    # shipped as MSOA codes (the Library's place names may change; codes do not)
    known = {"E02003777": "Longstanton, Swavesey & Oakington", "E02006873": "Cambourne"}
    assert resolve_growth_areas(config, known) == {"E02003777": "E02003777", "E02006873": "E02006873"}


def _config_with_growth(tmp_path, growth):
    raw = yaml.safe_load((CONFIG_DIR / f"{PID}.yaml").read_text(encoding="utf-8"))
    raw["growth_areas"] = growth
    path = tmp_path / f"{PID}.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    shutil.copy(CONFIG_DIR / raw["inherits"], tmp_path / raw["inherits"])  # the force file it inherits
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


def test_a_growth_area_presenting_multiple_issues_is_emerging_and_says_it_is_a_growth_area():
    area = facts("x", 99.7, top_by_total=True, top_categories=9)
    result = classify(area, growth={"x": "South Cambridgeshire 003"})
    assert (result.recommendation, result.reasons["class_rule"]) == ("Emerging", "multiple_issues")
    assert result.reasons["rules"]["growth_area"]["fired"] is True
    assert "also a growth area in the partnership's configuration" in result.reason_text
