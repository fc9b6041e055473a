"""Every benchmark runs in its --smoke mode (tiny generated data), so none of them rots.

No timing is asserted: the point is that each command still runs end to end, prints its table, and
that the data stages' numbers still match the pandas floor (floor.py compares the stored counts).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("script, expected", [
    ("cycle.py", "| peak memory (MiB) |"),
    ("floor.py", "| yes |"),
    ("national.py", "| smoke | 5 |"),
    ("growth.py", "| 12 | all (5) |"),
])
def test_benchmark_smoke_mode_runs_and_prints_its_table(script, expected, tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--smoke"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert expected in done.stdout, done.stdout[-2000:]
    assert "Machine: " in done.stdout
