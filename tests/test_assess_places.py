"""Places with a configured lookup (kind: lookup) instead of MSOAs, and lookup files that are wrong."""

import pytest

from csp import metrics as M
from csp.config import AreaUnit
from tasks.assess.analysis import analyse
from tasks.assess.load import AreaLookupError, load_inputs
from tasks.assess.params import params_from_config
from tests.assess_helpers import CYCLE, build_store

LOOKUP = """lsoa_code,area_code,area_name
E01000001,W1,North
E01000002,W1,North
E01000003,W2,South
E01000005,W2,South
E01000004,W3,Tiny
E01000006,W3,Tiny
"""


def _assess(url, tmp_path, text):
    path = tmp_path / "wards.csv"
    path.write_text(text)
    config = build_store(url).model_copy(update={"area_unit": AreaUnit(kind="lookup", label="Ward",
                                                                       lookup=str(path))})
    params = params_from_config(config, CYCLE)
    return analyse(load_inputs(url, params), params)


def test_lookup_places_rows_and_population_in_the_configured_areas(sqlite_url, tmp_path):
    a = _assess(sqlite_url, tmp_path, LOOKUP)
    unit = a.places.area
    assert unit.areas["area_name"].to_dict() == {"W1": "North", "W2": "South", "W3": "Tiny"}
    assert unit.areas["population"].to_dict() == {"W1": 2500, "W2": 2000, "W3": 60}
    # South holds Vehicle crime (12) and the Drugs rows of the 2021-only LSOA (3)
    assert unit.counts["current"].at["W2", "All"] == 15
    assert unit.rates.at["W1", "All"] == pytest.approx(85 / 2500 * 1000)
    assert unit.rates.at["W2", "All"] == pytest.approx(15 / 2000 * 1000)
    assert unit.areas.at["W3", "reason"] == "population below threshold"
    assert unit.coverage.at["All", "pct"] == pytest.approx(100 * 100 / 106)
    rows = [r for r in a.metric_rows if r.metric == M.RATE_PER_1000 and r.area_type == M.AREA
            and r.category == "All"]
    assert {(r.area_code, r.area_name, r.label) for r in rows if r.value is None} == {("W3", "Tiny",
                                                                                         "population below threshold")}


@pytest.mark.parametrize(("text", "message"), [
    ("lsoa,area_code,area_name\nE01000001,W1,North\n", "column(s) ['lsoa_code'] missing"),
    ("lsoa_code,area_code,area_name\nE01000001,W1,North\nE01000001,W2,South\n", "row 3: lsoa_code 'E01000001'"),
    ("lsoa_code,area_code,area_name\nE01000001,,North\n", "row 2: column 'area_code' is empty"),
])
def test_a_bad_lookup_file_is_refused_naming_file_row_and_column(sqlite_url, tmp_path, text, message):
    with pytest.raises(AreaLookupError, match="wards.csv") as error:
        _assess(sqlite_url, tmp_path, text)
    assert message in str(error.value)
