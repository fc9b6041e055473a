"""A recording step in the stored data: flagged for data quality, kept out of change, until accepted.

The two-year fixture (tests/assess_helpers.py) plus one more police file: criminal damage and arson in
Cambridge 002A, 3 a month from October 2023 to March 2024, then 40 a month from April 2024 to
September 2025 (a thirteen-fold step that stays). Previous period 6 x 3 + 6 x 40 = 258, current
12 x 40 = 480; the rest of the fixture is unchanged (all other incidents 106 against 77).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from csp import metrics as M
from csp.config import AcceptedRecordingChange
from csp.store import models
from csp.store.db import session_scope
from tasks.assess.run import assess_partnership
from tests.assess_helpers import CURRENT, CYCLE, PREVIOUS, add_crimes, add_file, build_store
from tests.test_assess_store import metric

CD = "Criminal damage and arson"
STEPPED = {**{m: 3 for m in PREVIOUS[:6]}, **{m: 40 for m in PREVIOUS[6:] + CURRENT}}


@pytest.fixture
def stepped(db_url, tmp_path):
    config = build_store(db_url)
    with session_scope(db_url) as session:
        file_id = add_file(session, "police_uk", "police_criminal_damage.csv", PREVIOUS + CURRENT)
        add_crimes(session, file_id, [(CD, "E01000003", STEPPED)])
    return db_url, config, tmp_path


def _findings(url: str) -> list[str]:
    with session_scope(url) as session:
        return list(session.scalars(select(models.Finding.text).order_by(models.Finding.position)))


def test_a_step_is_flagged_and_kept_out_of_change(stepped):
    url, config, tmp_path = stepped
    assess_partnership(url, config, CYCLE, output_dir=tmp_path, charts=False)
    step = metric(url, M.RECORDING_STEP, CD, period="2024-04")
    assert step.label == "not accepted" and step.value == pytest.approx(40 / 3)
    assert metric(url, M.CHANGE, CD).label == "recording change"
    assert metric(url, M.CHANGE_P_VALUE, CD).value is None
    assert metric(url, M.TREND_RATIO, CD).label == "recording change"
    # the total is compared without the stepped category: 106 against 77
    assert metric(url, M.CHANGE_COUNT).value == 106 - 77
    assert metric(url, M.CHANGE_PCT).value == pytest.approx(100 * 29 / 77)
    ratio = metric(url, M.CHANGE_RATIO)
    assert ratio.value == pytest.approx(106 / 77) and ratio.label == f"excluding {CD}"
    area = metric(url, M.CHANGE_RATIO, area_type=M.AREA, area_name="Cambridge 002")  # 12 vs 22 without CD
    assert area.value == pytest.approx(12 / 22) and area.label == f"excluding {CD}"
    texts = _findings(url)
    flagged = [t for t in texts if t.startswith("Recording change.")]
    assert len(flagged) == 1 and "from April 2024" in flagged[0] and "about 3 to about 40" in flagged[0]
    with session_scope(url) as session:  # 3 a month is a small number: the public text gives no levels
        public = session.scalar(select(models.Finding.public_text).where(
            models.Finding.text == flagged[0]))
    assert "changed level from April 2024 and stayed there (13.3 times)" in public and "about 3" not in public
    line = next(t for t in texts if t.startswith(f"{CD}: 480"))
    assert "not compared with last year: the way this is recorded changed from April 2024" in line
    total = next(t for t in texts if t.startswith("All police-recorded crime and ASB: 586"))
    assert f"leaving out {CD} (a recording change)" in total


def test_an_accepted_step_is_compared_as_usual(stepped):
    url, config, tmp_path = stepped
    accepted = AcceptedRecordingChange.model_validate({"category": CD, "from": "2024-03",
                                                       "reason": "online reporting form"})
    config = config.model_copy(update={"accepted_recording_changes": [accepted]})
    from tasks.assess.params import params_from_config

    assert params_from_config(config, CYCLE).accepted_recording_changes == (("police_uk", CD, "2024-03"),)
    assess_partnership(url, config, CYCLE, output_dir=tmp_path, charts=False)
    assert metric(url, M.RECORDING_STEP, CD, period="2024-04").label == "accepted"
    # tested as usual: 480 against 258 (half the months of last year were already at the new level, so
    # the months disagree and the over-dispersed test need not call it significant)
    assert metric(url, M.CHANGE, CD).label in ("significant increase", "no significant change")
    assert metric(url, M.CHANGE_P_VALUE, CD).value is not None
    assert metric(url, M.CHANGE_METHOD, CD).label == "quasi_poisson_glm_year"
    assert metric(url, M.CHANGE_RATIO, CD).value == pytest.approx(480 / 258)
    assert metric(url, M.CHANGE_RATIO).label is None
    assert any(t.startswith("Recording change.") and "An analyst has accepted this" in t for t in _findings(url))
