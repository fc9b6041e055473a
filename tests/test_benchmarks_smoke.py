"""Every benchmark runs in its --smoke mode (tiny generated data), so none of them rots.

No timing is asserted: the point is that each command still runs end to end, prints its table, and
that the data stages' numbers still match the pandas floor (floor.py compares the stored counts).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def smoke_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny generated data set for the four benchmarks (made by the first that needs it)."""
    return tmp_path_factory.mktemp("bench") / "smoke-data"


@pytest.mark.parametrize("script, expected", [
    ("cycle.py", "| peak memory (MiB) |"),
    ("floor.py", "| yes |"),
    ("national.py", "| smoke | 2 |"),
    ("growth.py", "| 12 | all (2) |"),
])
def test_benchmark_smoke_mode_runs_and_prints_its_table(script, expected, smoke_data):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--smoke"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "CSP_BENCH_SMOKE_DATA": str(smoke_data)})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert expected in done.stdout, done.stdout[-2000:]
    assert "Machine: " in done.stdout
