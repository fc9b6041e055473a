"""Force-level defaults: a partnership file inherits a force file over the shared defaults, may switch
an inherited source off, and a changed period end month moves the cycle's stored dates."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from csp.config import ConfigError, load_all, load_partnership
from csp.settings import PROJECT_ROOT
from csp.store.db import ensure_cycle, session_scope

CONFIG = PROJECT_ROOT / "data" / "partnerships"
GWENT = {"newport": "W06000022", "caerphilly": "W06000018", "torfaen": "W06000020",
         "blaenau-gwent": "W06000019", "monmouthshire": "W06000021"}


def test_the_five_gwent_partnerships_inherit_the_force_file():
    for pid, code in GWENT.items():
        config = load_partnership(pid)
        assert config.local_authority.code == code
        assert config.police_force == "Gwent Police"
        assert config.sources["police_uk"].path == "raw/police_uk/gwent"
        assert config.sources["boundaries"].path == f"raw/reference/lsoa2021_boundaries/{code}.geojson"
        assert config.sources["population"].path.endswith("census2021_ts001_usual_residents_ew.csv.gz")
        assert "idva" not in config.sources  # a Cambridgeshire service, not inherited in Gwent
        period = config.cycle("2024-25")
        assert (str(period.start), str(period.end)) == ("2023-07", "2024-06")
        assert (str(period.previous_start), str(period.previous_end)) == ("2022-07", "2023-06")
        assert {m.cycle for m in config.meetings if m.kind == "board"} == {"2024-25", "2025-26"}


def test_the_six_cambridgeshire_partnerships_keep_their_force_settings():
    ids = {p.id for p in load_all() if p.police_force == "Cambridgeshire Constabulary"}
    assert ids == {"cambridge", "south-cambridgeshire", "east-cambridgeshire", "fenland", "huntingdonshire",
                   "peterborough"}
    for pid in ids:
        config = load_partnership(pid)
        assert config.assessment.period_end_month == 9
        assert config.sources["idva"].path == "partners/county/idva"
        assert config.geography.vintage == 2021


def _folder(tmp_path: Path, partnership: str) -> Path:
    for name in ("_defaults.yaml", "_force_gwent.yaml"):
        shutil.copy(CONFIG / name, tmp_path / name)
    (tmp_path / "demo.yaml").write_text(partnership, encoding="utf-8")
    return tmp_path


DEMO = """inherits: _force_gwent.yaml
id: demo
name: Demo CSP
short_name: Demo
local_authority: {name: Newport, code: W06000022}
"""


def test_an_inherited_source_can_be_switched_off_and_a_key_overridden(tmp_path):
    text = DEMO + "sources:\n  police_uk: {enabled: false}\nassessment: {period_months: 6}\n"
    config = load_partnership("demo", _folder(tmp_path, text))
    assert "police_uk" not in config.sources
    assert config.assessment.period_end_month == 6  # from the force file
    assert len(config.cycle("2024-25").months) == 6
    assert config.cycle("2024-25").ending_label == "6 months to June 2024"
    with pytest.raises(ConfigError, match=r"sources\.police_uk.*enabled: false"):
        config.source_path("police_uk")


def test_a_missing_or_looping_parent_names_the_file_and_key(tmp_path):
    folder = _folder(tmp_path, DEMO.replace("_force_gwent.yaml", "_force_nowhere.yaml"))
    with pytest.raises(ConfigError, match=r"demo\.yaml: key 'inherits': no such file .*_force_nowhere"):
        load_partnership("demo", folder)
    (tmp_path / "_force_gwent.yaml").write_text("inherits: _force_loop.yaml\n", encoding="utf-8")
    (tmp_path / "_force_loop.yaml").write_text("inherits: _force_gwent.yaml\n", encoding="utf-8")
    (tmp_path / "demo.yaml").write_text(DEMO, encoding="utf-8")
    with pytest.raises(ConfigError, match="the chain loops"):
        load_partnership("demo", folder)


def test_a_missing_optional_source_is_a_note_and_the_rest_goes_in(tmp_path, sqlite_url, csp_env):
    from tasks.ingest.pipeline import ingest_partnership

    text = DEMO + "sources:\n  fire: {path: partners/demo/fire_missing.csv}\n"
    config = load_partnership("demo", _folder(tmp_path, text))
    reports = ingest_partnership(sqlite_url, config, "2024-25", kinds=["population", "fire"],
                                 today=dt.date(2024, 12, 1))
    fire = next(r for r in reports if r.kind == "fire")
    assert fire.status == "skipped"
    assert "optional source 'fire' not found" in fire.message and "enabled: false" in fire.message
    assert next(r for r in reports if r.kind == "population").status == "stored"


def test_changing_the_period_end_month_moves_the_cycle_dates(tmp_path, db_url):
    folder = _folder(tmp_path, DEMO)
    with session_scope(db_url) as session:
        cycle = ensure_cycle(session, load_partnership("demo", folder), "2024-25")
        assert (cycle.period_start, cycle.period_end) == (dt.date(2023, 7, 1), dt.date(2024, 6, 30))
    (folder / "demo.yaml").write_text(DEMO + "assessment: {period_end_month: 3}\n", encoding="utf-8")
    with session_scope(db_url) as session:
        cycle = ensure_cycle(session, load_partnership("demo", folder), "2024-25")
    with session_scope(db_url) as session:
        cycle = ensure_cycle(session, load_partnership("demo", folder), "2024-25")
        assert (cycle.period_start, cycle.period_end) == (dt.date(2023, 4, 1), dt.date(2024, 3, 31))
