"""Charts and maps: files exist, have the promised pixel size, are greyscale, and hide small numbers."""

import dataclasses
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from csp.store import models
from csp.store.db import session_scope
from tasks.assess.analysis import analyse
from tasks.assess.charts import _public_series, draw_charts
from tasks.assess.load import load_inputs
from tasks.assess.params import params_from_config
from tasks.assess.run import assess_partnership, charts_folder
from tests.assess_helpers import CYCLE, LSOAS, build_store

WIDE = (1600, 900)  # 8 x 4.5 inches at 200 dpi
SQUARE = (1400, 1400)  # 7 x 7 inches at 200 dpi


def _square(lon: float, lat: float) -> list:
    return [[[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]]


def boundaries(path):
    """A GeoJSON with a small square for each fixture LSOA (one as a MultiPolygon)."""
    features = []
    for i, (code, (name, *_)) in enumerate(sorted(LSOAS.items())):
        geometry = ({"type": "MultiPolygon", "coordinates": [_square(0.1 + 0.01 * i, 52.2)]} if i == 0
                    else {"type": "Polygon", "coordinates": _square(0.1 + 0.01 * i, 52.2)})
        features.append({"type": "Feature", "properties": {"LSOA11CD": code, "LSOA11NM": name},
                         "geometry": geometry})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture
def analysis(sqlite_url, tmp_path):
    config = build_store(sqlite_url)
    params = params_from_config(config, CYCLE)
    params = dataclasses.replace(params, boundaries_path=str(boundaries(tmp_path / "lsoa.geojson")))
    return analyse(load_inputs(sqlite_url, params), params)


def test_every_chart_is_a_png_of_the_expected_size_in_greys(analysis, tmp_path):
    charts, notes = draw_charts(analysis, tmp_path / "charts")
    by_key = {c["key"]: c for c in charts}
    assert notes == []
    assert {"monthly-all-police-recorded-crime-and-asb", "category-mix",
            "top-areas-rate", "map-area-rate", "map-lsoa-rate", "partner-fire", "partner-idva"} == set(by_key)
    for key, chart in by_key.items():
        with Image.open(chart["path"]) as image:
            assert image.format == "PNG"
            assert image.mode == "L", key  # greys only: one byte a pixel
            assert image.size == (SQUARE if key.startswith("map-") else WIDE), key
            rgb = np.asarray(image.convert("RGB")).astype(int)
        spread = rgb.max(axis=2) - rgb.min(axis=2)
        assert spread.max() <= 2, f"{key} is not greyscale"
        assert chart["sha256"] == hashlib.sha256(Path(chart["path"]).read_bytes()).hexdigest()
        assert "Source:" not in chart["caption"]  # the source has its own line: each caption printed once
        assert "October 2024 to September 2025" in chart["source"]
        assert chart["public"] is True
    monthly = by_key["monthly-all-police-recorded-crime-and-asb"]["caption"]
    assert monthly.startswith("All police-recorded crime and ASB, monthly count, October 2024 to September 2025")
    assert "Illustrative data." in by_key["partner-fire"]["caption"]


def test_charts_do_not_plot_suppressed_counts(analysis):
    values = _public_series(analysis, "police_uk", "All")
    # All is 2 in September 2025 (primary) and 7 in April 2025 (hidden to protect it)
    assert math.isnan(values["2025-09"]) and math.isnan(values["2025-04"])
    assert values["2024-10"] == 18 and values["2025-03"] == 0
    # Vehicle crime's months (1-2 a month) are never published
    assert values.notna().sum() > 0 and _public_series(analysis, "police_uk", "Vehicle crime").isna().all()


def test_missing_boundaries_file_means_no_map_and_a_note(analysis, tmp_path):
    missing = dataclasses.replace(analysis, params=dataclasses.replace(
        analysis.params, boundaries_path=str(tmp_path / "nowhere.geojson")))
    charts, notes = draw_charts(missing, tmp_path / "charts")
    assert not any(c["key"].startswith("map-") for c in charts)
    assert notes and "nowhere.geojson" in notes[0]


def test_assess_stores_chart_rows_and_files(sqlite_url, tmp_path):
    config = build_store(sqlite_url)
    assess_partnership(sqlite_url, config, CYCLE, output_dir=tmp_path)
    folder = charts_folder("cambridge", CYCLE, tmp_path)
    assert folder == tmp_path / "cambridge" / CYCLE / "charts"
    with session_scope(sqlite_url) as session:
        rows = session.scalars(select(models.Chart)).all()
        stored = {r.key: (r.path, r.sha256, r.theme, r.source) for r in rows}
    assert "category-mix" in stored and "partner-idva" in stored
    for path, sha, theme, source in stored.values():
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha
        assert theme and source
    assert sorted(p.name for p in folder.glob("*.png")) == sorted(f"{k}.png" for k in stored)


def test_the_partnership_outline_keeps_only_edges_no_neighbour_shares():
    from tasks.assess.charts import outline

    left = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)
    right = np.array([[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]], dtype=float)
    edges = outline([left, right])
    assert len(edges) == 6  # the shared edge x=1 is inside the partnership
    assert not any(set(map(tuple, e)) == {(1.0, 0.0), (1.0, 1.0)} for e in edges)



def _drawn(analysis, folder):
    charts, notes = draw_charts(analysis, folder)
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.png")}
    return [{k: v for k, v in c.items() if k != "path"} for c in charts], notes, files


def test_charts_drawn_partly_on_the_side_process_are_the_same_rows_and_bytes(analysis, tmp_path, monkeypatch):
    """The maps and partner charts go to the side process (csp/side_process.py); the rows come back in
    the same order and the files are byte for byte those drawn here, also when the side process fails."""
    from concurrent.futures import Future

    from csp import side_process

    monkeypatch.setenv("CSP_SIDE_PROCESS", "0")
    here = _drawn(analysis, tmp_path / "here")
    assert len(here[0]) == len(here[2]) > 3
    monkeypatch.setenv("CSP_SIDE_PROCESS", "1")
    assert side_process.start()
    sent = []
    real_submit = side_process.submit
    monkeypatch.setattr(side_process, "submit", lambda *args: sent.append(args[3]) or real_submit(*args))
    assert _drawn(analysis, tmp_path / "side") == here
    assert {name for name, _ in sent[0]} == {"maps", "partner"}

    def failed(*_args):
        future = Future()
        future.set_exception(RuntimeError("the side process failed"))
        return future

    monkeypatch.setattr(side_process, "submit", failed)
    assert _drawn(analysis, tmp_path / "failed") == here
