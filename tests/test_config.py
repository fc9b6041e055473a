"""Configuration: the six shipped partnerships load, and bad files get errors naming file and key."""

from pathlib import Path

import pandas as pd
import pytest

from csp.config import ConfigError, load_all, load_partnership, load_partnership_file
from csp.cycle import CycleNameError, parse_cycle

EXPECTED_IDS = {
    "cambridge": "E07000008",
    "south-cambridgeshire": "E07000012",
    "east-cambridgeshire": "E07000009",
    "fenland": "E07000010",
    "huntingdonshire": "E07000011",
    "peterborough": "E06000031",
    "newport": "W06000022",
    "caerphilly": "W06000018",
    "torfaen": "W06000020",
    "blaenau-gwent": "W06000019",
    "monmouthshire": "W06000021",
}


def test_all_eleven_partnerships_load_with_their_local_authority_codes():
    loaded = {p.id: p.local_authority.code for p in load_all()}
    assert loaded == EXPECTED_IDS


def test_defaults_are_merged_under_each_partnership():
    cambridge = load_partnership("cambridge")
    assert cambridge.thresholds.top_rate_share == 0.2
    assert cambridge.sources["police_uk"].required is True
    assert cambridge.sources["fire"].illustrative is True


def test_cycle_2025_26_assesses_twelve_months_to_september_2025():
    period = load_partnership("cambridge").cycle("2025-26")
    assert (str(period.start), str(period.end)) == ("2024-10", "2025-09")
    assert len(period.months) == 12
    assert period.ending_label == "12 months to September 2025"
    assert period.priorities_year == "2026-27"
    assert period.previous_cycle() == "2024-25"


@pytest.mark.parametrize("name", ["2025", "2025-27", "25-26", ""])
def test_bad_cycle_names_are_refused(name):
    with pytest.raises(CycleNameError, match="expected"):
        parse_cycle(name)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = """id: demo
name: Demo CSP
short_name: Demo
police_force: Demo Police
local_authority: {name: Demo, code: E07000008}
sources: {police_uk: {path: raw/police_uk}}
"""


def test_invalid_value_names_file_key_and_expectation(tmp_path):
    path = _write(tmp_path, "demo", BASE + "assessment: {period_end_month: 13}\n")
    with pytest.raises(ConfigError) as error:
        load_partnership_file(path)
    message = str(error.value)
    assert str(path) in message
    assert "assessment.period_end_month" in message
    assert "less than or equal to 12" in message and "13" in message


def test_bad_authority_code_is_refused(tmp_path):
    text = BASE.replace("E07000008", "Cambridge")
    with pytest.raises(ConfigError, match=r"local_authority\.code"):
        load_partnership_file(_write(tmp_path, "demo", text))


def test_unknown_source_kind_is_refused(tmp_path):
    text = BASE.replace("police_uk: {path: raw/police_uk}", "police: {path: x}")
    with pytest.raises(ConfigError, match="unknown source kind"):
        load_partnership_file(_write(tmp_path, "demo", text))


def test_unknown_key_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="thresholdz"):
        load_partnership_file(_write(tmp_path, "demo", BASE + "thresholdz: {}\n"))


def test_id_must_match_file_name(tmp_path):
    with pytest.raises(ConfigError, match="key 'id'"):
        load_partnership_file(_write(tmp_path, "other", BASE))


def test_unknown_partnership_lists_the_configured_ones():
    with pytest.raises(ConfigError, match="cambridge"):
        load_partnership("nowhere")


def test_meeting_lookup_names_known_meetings():
    cambridge = load_partnership("cambridge")
    assert cambridge.meeting("board-2026-02").date.isoformat() == "2026-02-10"
    with pytest.raises(ConfigError, match="board-2026-02"):
        cambridge.meeting("board-1999-01")


@pytest.mark.parametrize(("today", "latest", "in_progress"), [
    ("2025-11-15", "2025-26", "2026-27"),  # September 2025 has ended: 2025-26 is complete
    ("2026-01-01", "2025-26", "2026-27"),  # quarterly monitoring in January looks at Oct-Dec 2025
    ("2025-09-10", "2024-25", "2025-26"),  # August 2025 is in the 2025-26 period, still running
])
def test_scheduled_runs_choose_their_cycle(today, latest, in_progress):
    import datetime as dt

    from csp.cycle import cycle_in_progress, latest_cycle

    day = dt.date.fromisoformat(today)
    assert latest_cycle(day) == latest
    assert cycle_in_progress(day) == in_progress
    assert parse_cycle(in_progress).start <= pd.Period(day, freq="M") - 1 <= parse_cycle(in_progress).end


def test_a_file_edited_between_loads_is_read_afresh_and_copies_are_independent(tmp_path):
    """Configuration is parsed once per process for the same bytes: an edit must still be seen, and a
    caller changing what it got must not change what the next caller gets."""
    folder = tmp_path / "config"
    folder.mkdir()
    source = Path(__file__).resolve().parent.parent / "data" / "partnerships"
    for name in ("_defaults.yaml", "_force_cambridgeshire.yaml", "cambridge.yaml"):
        (folder / name).write_text((source / name).read_text())
    first = load_partnership("cambridge", folder)
    first.sources.clear()
    again = load_partnership("cambridge", folder)
    assert again.sources and again.name == first.name
    text = (folder / "cambridge.yaml").read_text()
    (folder / "cambridge.yaml").write_text(text.replace(f"name: {first.name}", "name: Renamed CSP", 1))
    assert load_partnership("cambridge", folder).name == "Renamed CSP"
