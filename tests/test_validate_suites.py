"""The suite JSON files: complete, consistent with the frame contracts, and loadable by GX."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from csp.frames import FRAME_COLUMNS, PARTNER_CATEGORIES, POLICE_UK_CATEGORIES
from tasks.validate.geo import inside_polygons, load_outline
from tasks.validate.suites import SUITE_DIR, SuiteError, build_suite, load_suite_json, suite_kinds


@pytest.mark.parametrize("kind", suite_kinds())
def test_every_expectation_carries_severity_and_rule(kind):
    data = json.loads((SUITE_DIR / f"{kind}.json").read_text())
    assert data["name"] == kind
    for item in data["expectations"]:
        assert item["meta"]["severity"] in ("blocking", "warning"), item
        assert item["meta"]["rule"].strip(), item


@pytest.mark.parametrize("kind", suite_kinds())
def test_every_frame_column_is_required_and_blocking(kind):
    data = load_suite_json(kind)
    required = {e["kwargs"]["column"] for e in data["expectations"]
                if e["type"] == "expect_column_to_exist" and e["meta"]["severity"] == "blocking"}
    assert required == set(FRAME_COLUMNS[kind])


@pytest.mark.parametrize("kind", suite_kinds())
def test_gx_builds_every_expectation_of_the_file(kind):
    assert len(build_suite(kind).expectations) == len(load_suite_json(kind)["expectations"])


def _category_set(kind):
    data = load_suite_json(kind)
    return next(tuple(e["kwargs"]["value_set"]) for e in data["expectations"]
                if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == "category")


def test_category_sets_match_the_frame_contract():
    assert _category_set("police_uk") == POLICE_UK_CATEGORIES
    for kind, categories in PARTNER_CATEGORIES.items():
        assert _category_set(kind) == categories


def _outline():
    data = load_suite_json("police_uk")
    name = next(e["kwargs"]["outline"] for e in data["expectations"]
                if e["type"] == "expect_column_pair_values_to_be_inside_polygons")
    return load_outline(name).polygons


def test_gb_outline_keeps_coastal_towns_and_islands_and_drops_the_sea():
    towns = [(0.12, 52.2), (-3.04, 53.83), (-0.24, 52.57), (1.75, 52.47), (-5.54, 50.12), (-4.63, 53.31),
             (-5.27, 51.88), (1.38, 51.39), (-1.29, 50.70), (-3.19, 55.95), (-6.39, 58.21), (-1.15, 60.15),
             (-6.31, 49.91), (-3.09, 58.44), (-1.78, 57.51), (-5.12, 54.84)]
    sea = [(-6.0, 50.0), (1.5, 55.0), (2.0, 52.0), (-3.0, 50.3), (-5.0, 53.5), (-4.5, 54.2), (0.5, 50.5),
           (1.7, 51.2)]
    xs, ys = zip(*towns, strict=True)
    assert inside_polygons(xs, ys, _outline()).all()
    xs, ys = zip(*sea, strict=True)
    assert not inside_polygons(xs, ys, _outline()).any()


def test_a_suite_without_meta_is_refused(tmp_path):
    bad = {"name": "fire", "expectations": [{"type": "expect_column_to_exist", "kwargs": {"column": "x"}}]}
    (tmp_path / "fire.json").write_text(json.dumps(bad))
    with pytest.raises(SuiteError, match="meta.severity"):
        load_suite_json("fire", tmp_path)


def test_an_expectation_gx_cannot_build_is_not_silently_dropped(tmp_path):
    bad = {"name": "fire", "expectations": [
        {"type": "expect_column_to_exist", "kwargs": {"column": "x"}, "meta": {"severity": "warning", "rule": "r"}},
        {"type": "expect_no_such_thing", "kwargs": {}, "meta": {"severity": "warning", "rule": "r"}}]}
    (tmp_path / "fire.json").write_text(json.dumps(bad))
    with pytest.raises(SuiteError, match="only 1 of 2"):
        build_suite("fire", tmp_path)


def test_an_unknown_outline_is_named_in_the_error():
    with pytest.raises(ValueError, match="no outline 'atlantis'"):
        load_outline("atlantis")


def test_every_located_row_of_the_bundled_police_data_is_on_land():
    from csp.settings import PROJECT_ROOT

    folder = PROJECT_ROOT / "data" / "raw" / "police_uk" / "cambridgeshire"
    points = pd.concat(pd.read_csv(path, usecols=["Longitude", "Latitude"]).dropna()
                       for path in sorted(folder.glob("*.csv.gz")))
    assert len(points) > 80_000
    assert inside_polygons(points["Longitude"], points["Latitude"], _outline()).all()
