"""Benchmark (1): one partnership's whole cycle from the command line, stage by stage, cold and again.

Three runs of ``csp cycle run -p <partnership> -c 2025-26``, each a fresh process with a temporary
Prefect server, on one store and output folder made for the benchmark:

- cold: empty store, empty output, a new Prefect home whose database is made first (as setup.sh
  does once; its time is printed below the table, not in it);
- re-run: nothing changed;
- after a papers failure: the pack folder is replaced by a file, so writing the pack fails (the
  earlier stages complete); the file is removed and the cycle run again. The last run is the one
  timed: what an analyst pays after fixing the cause.

Stage times come from the cycle flow's own log lines (each stage's "started" to its "ran");
"work" is the process's wall time less its start-up (imports and the temporary server, to the first
flow line). Peak memory is the process's own (the server is a separate process).

    .venv/bin/python benchmarks/cycle.py [-p cambridge]
    .venv/bin/python benchmarks/cycle.py --smoke     # tiny generated data, data stages without Prefect
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CYCLE, PYTHON, ROOT, Measured, bench_env, child_json, measure, table  # noqa: E402

STAGES = ("ingest", "assessment", "recommendations", "board pack")  # as the cycle's log names them
NOT_RUN = "up to date"
START_UP = "start-up: imports and the temporary server, to the first flow line"
LINE = re.compile(r"^(\d\d:\d\d:\d\d\.\d{3}) \| \w+ +\| (.*)$")
STAGE_LINE = re.compile(r"^Flow run '[^']*' - stage (.+?): (started|ran|unchanged|reused|failed)\b")


def _seconds(stamp: str) -> float:
    t = dt.datetime.strptime(stamp, "%H:%M:%S.%f")
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


def _clock(epoch: float) -> float:
    """Seconds since local midnight, as Prefect's log lines stamp them."""
    t = dt.datetime.fromtimestamp(epoch)
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


def stage_times(run: Measured) -> dict[str, float]:
    """Seconds per stage from the cycle's own log lines ("stage X: started" to "stage X: ran"), the
    start-up before the first flow line, and what follows the last line (reporting, exit). A stage
    whose stored result still stood ("unchanged") or came from an earlier attempt ("reused") is left
    out: its check is in the work row."""
    times: dict[str, float] = {}
    began: dict[str, float] = {}
    first = last = None
    for line in run.output.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        when, text = _seconds(match.group(1)), match.group(2)
        if text.startswith("Flow run '"):
            first = when if first is None else first
            last = when
        stage = STAGE_LINE.match(text)
        name = next((n for n in STAGES if stage and stage.group(1).startswith(n)), None)
        if name is None:
            continue
        if stage.group(2) == "started":
            began[name] = when
        elif stage.group(2) in ("ran", "failed") and name in began:
            times[name] = when - began.pop(name)
    if first is not None:
        times[START_UP] = first - _clock(run.started)
        times["after the last flow line: report, exit"] = _clock(run.started) + run.wall_s - last
    return times


def cli_runs(partnership: str, work: Path) -> list[tuple[str, Measured, dict[str, float]]]:
    env = bench_env(work)
    # `python -m cli.app` from the project folder is `csp`, with this checkout's code whatever the
    # editable install points at
    command = [PYTHON, "-m", "cli.app", "cycle", "run", "-p", partnership, "-c", CYCLE]
    prefect = str(Path(PYTHON).parent / "prefect")
    database = measure([prefect, "server", "database", "upgrade", "-y"], env)  # what setup.sh does once
    runs = []
    for label in ("cold", "re-run, nothing changed"):
        run = measure(command, env)
        runs.append((label, run, stage_times(run)))
    meeting_folders = [p for p in (work / "output" / partnership / CYCLE).iterdir()
                       if (p / "manifest.json").exists()]
    folder = meeting_folders[0]
    shutil.rmtree(folder)
    folder.write_text("in the way: the pack cannot be written\n")
    try:
        measure(command, env)
        raise SystemExit("the papers stage was expected to fail")
    except RuntimeError:
        pass
    folder.unlink()
    run = measure(command, env)
    runs.append(("after a papers failure", run, stage_times(run)))
    return runs, database.wall_s


def smoke_runs(work: Path) -> list[tuple[str, Measured, dict[str, float]]]:
    from benchmarks.national_data import smoke_data

    config_dir, ids = smoke_data(work)
    env = bench_env(work, config_dir)
    runs = []
    for label in ("cold", "re-run, nothing changed"):
        run = measure([PYTHON, str(ROOT / "benchmarks" / "stages.py"), *ids, "--charts"], env)
        runs.append((label, run, child_json(run.output)["seconds"]))
    return runs, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-p", "--partnership", default="cambridge")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs, database = smoke_runs(Path(tmp)) if args.smoke else cli_runs(args.partnership, Path(tmp))
    stages = list(dict.fromkeys(name for _, _, times in runs for name in times))
    # a stage whose stored result still stood did not run: no time of its own
    rows = [(name, *(times.get(name, NOT_RUN) for _, _, times in runs)) for name in stages]
    start_up = [times.get(START_UP, 0.0) for _, _, times in runs]
    rows.append(("whole process (wall)", *(run.wall_s for _, run, _ in runs)))
    rows.append(("work (wall less start-up)", *(run.wall_s - s for (_, run, _), s in zip(runs, start_up, strict=True))))
    rows.append(("CPU of the process and its server (s)", *(run.cpu_s for _, run, _ in runs)))
    rows.append(("peak memory (MiB)", *(run.peak_mib for _, run, _ in runs)))
    work_row = rows[-3]
    cold_work = work_row[1]
    notes = [f"Re-run work as a fraction of cold work: {', '.join(f'{label} {r / cold_work:.0%}' for (label, _, _), r in zip(runs[1:], work_row[2:], strict=True))}."]
    if any(NOT_RUN in row for row in rows):
        notes.append(f"'{NOT_RUN}': the cycle found the stage's stored result still standing and did not run "
                     "it (flows/cycle_stages.py); its check is in the work row.")
    if database is not None:
        notes.append(f"Not in the table: Prefect's own database for the temporary server, created once by "
                     f"scripts/setup.sh (`prefect server database upgrade`): {database:.1f} s.")
    if args.smoke:
        notes.append("Smoke: tiny generated data, data stages in one process without Prefect (stages.py).")
    table("cycle" + ("-smoke" if args.smoke else ""),
          f"One partnership's cycle ({'smoke' if args.smoke else args.partnership}, {CYCLE}), seconds",
          ["stage", *(label for label, _, _ in runs)], rows, notes, write=not args.smoke)


if __name__ == "__main__":
    main()
