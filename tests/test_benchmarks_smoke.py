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


def test_the_cycle_benchmark_times_each_stage_from_the_cycles_own_log_lines():
    """Stages run inside the cycle's flow run (csp.engines.stages_inline): their times come from the
    cycle's "stage X: started" and "stage X: ran" lines; a stage that still stood has no time."""
    import datetime as dt
    from types import SimpleNamespace

    sys.path.insert(0, str(ROOT))
    from benchmarks.cycle import START_UP, stage_times

    log = "\n".join([
        "10:00:05.000 | INFO    | Flow run 'annual-cycle cambridge 2025-26' - Beginning flow run",
        "10:00:05.100 | INFO    | Flow run 'annual-cycle cambridge 2025-26' - stage ingest: started",
        "10:00:07.600 | INFO    | Task run 'ingest' - Finished in state Completed()",
        "10:00:07.700 | INFO    | Flow run 'annual-cycle cambridge 2025-26' - stage ingest: ran",
        "10:00:07.700 | INFO    | Flow run 'annual-cycle cambridge 2025-26' - stage assessment: started",
        "10:00:07.750 | INFO    | Flow run 'annual-cycle cambridge 2025-26' - stage assessment: unchanged (stands)",
        "10:00:07.800 | INFO    | Flow run 'annual-cycle cambridge 2025-26' - stage board pack board-2026-02: started",
        "10:00:09.300 | INFO    | Flow run 'annual-cycle cambridge 2025-26' - stage board pack board-2026-02: ran",
        "10:00:09.400 | INFO    | Flow run 'annual-cycle cambridge 2025-26' - Finished in state Completed()",
    ])
    started = dt.datetime.combine(dt.date.today(), dt.time(10, 0, 1)).timestamp()
    times = stage_times(SimpleNamespace(output=log, started=started, wall_s=9.0))
    assert times["ingest"] == pytest.approx(2.6)
    assert times["board pack"] == pytest.approx(1.5)
    assert "assessment" not in times  # still stood: no time of its own
    assert times[START_UP] == pytest.approx(4.0)
