"""What the benchmarks share: the machine, child processes measured for wall time and peak memory,
the data stages run without Prefect, and tables printed and written to benchmarks/results/."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.constants import CYCLE, TODAY  # noqa: F401 - re-exported for the benchmarks

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable


def machine() -> str:
    """One line naming the machine, for every table."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        memory = float("nan")
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def speed_probe(loops: int = 3_000_000) -> float:
    """Seconds for a fixed loop of plain Python: how fast this machine is at this moment.

    The machines these benchmarks run on are shared, and their speed drifts by half within an hour
    (a loop of plain Python took 3.4 s early in one session and 4.3-5.2 s an hour later), so every
    table carries the probe taken when the benchmark began and when its table was written: compare
    runs through it."""
    start = time.perf_counter()
    total = 0
    for i in range(loops):
        total += i
    return time.perf_counter() - start


PROBE_AT_START = speed_probe()


@dataclass(frozen=True)
class Measured:
    wall_s: float
    peak_mib: float
    output: str
    cpu_s: float = 0.0  # user + system of the process and the children it waited for
    started: float = 0.0  # epoch seconds when the child was started (log lines are compared with it)
    tree_peak_mib: float = 0.0  # the most the child and all its descendants held at once (sampled)
    tree_cpu_s: float = 0.0  # user + system of the child and all its descendants (sampled)
    machine_cpu_s: float = 0.0  # the whole machine's busy CPU over the run (/proc/stat)


class TreeMemory:
    """Samples, twice a second, the resident memory of a process and every process below it (the
    temporary Prefect server, Dask's workers), and keeps the largest sum seen. wait4 only reports the
    largest single process; a run's footprint on the machine is the sum.

    It also keeps the CPU seconds each of those processes was last seen to have used: wait4 counts a
    descendant only when every parent between waited for it, which Dask's workers are only when the
    cluster's shutdown reaps them so (in one national run of the twelfth round wait4 left about 500 s
    uncounted; in the next it agreed with this sum)."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        import threading

        self.pid, self.interval, self.peak = pid, interval, 0
        self.cpu: dict[tuple[int, float], float] = {}  # (pid, start time) -> user + system seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(self.interval):
            try:
                root = psutil.Process(self.pid)
                processes = [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
            total = 0
            for process in processes:
                with contextlib.suppress(psutil.Error):  # it ended between listing and asking
                    total += process.memory_info().rss
                    times = process.cpu_times()
                    self.cpu[(process.pid, process.create_time())] = times.user + times.system
            self.peak = max(self.peak, total)

    def stop(self) -> float:
        """The peak in MiB."""
        self._stop.set()
        self._thread.join()
        return self.peak / 1024 / 1024

    def cpu_s(self) -> float:
        """CPU seconds of every process of the tree, as last sampled (a process's last half second,
        and any process that lived less than that, are not seen)."""
        return sum(self.cpu.values())


def machine_cpu() -> float:
    """The machine's busy CPU seconds so far (user, nice, system, interrupts; not idle, I/O wait or
    time the hypervisor gave elsewhere), from /proc/stat (Linux; 0 elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq = [int(v) for v in fields[:7]]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def measure(args: Sequence[str], env: dict[str, str] | None = None) -> Measured:
    """Run a child process; its wall time, peak resident memory (the largest single process, read with
    wait4) and the peak of the child's whole process tree together (sampled)."""
    with tempfile.TemporaryFile("w+") as log:
        started = time.time()
        start = time.perf_counter()
        child = subprocess.Popen(list(args), cwd=ROOT, env={**os.environ, **(env or {})},
                                 stdout=log, stderr=subprocess.STDOUT, text=True)
        tree = TreeMemory(child.pid)
        busy = machine_cpu()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        busy_after = machine_cpu()
        tree_peak = tree.stop()
        child.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    if child.returncode:
        raise RuntimeError(f"{' '.join(args)} exited {child.returncode}:\n{output[-3000:]}")
    waited = usage.ru_utime + usage.ru_stime
    return Measured(wall, usage.ru_maxrss / 1024, output, waited, started, max(tree_peak, usage.ru_maxrss / 1024),
                    max(tree.cpu_s(), waited), busy_after - busy)


def child_json(output: str) -> dict:
    """The last line of a child's output that is a JSON object (children print their timings so)."""
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError(f"no JSON line in the child's output:\n{output[-2000:]}")


def table(name: str, title: str, header: Sequence[str], rows: Sequence[Sequence[object]],
          notes: Sequence[str] = (), write: bool = True) -> str:
    """A markdown table with the machine; printed, and written to benchmarks/results/<name>.md."""
    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
        return str(value)

    probe = f"speed probe {PROBE_AT_START:.2f} s at the start, {speed_probe():.2f} s now (lower is faster)"
    lines = [f"## {title}", "", f"Machine: {machine()}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {probe}", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    lines += ["", *notes] if notes else []
    text = "\n".join(lines) + "\n"
    print(text)
    if write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{name}.md").write_text(text, encoding="utf-8")
    return text


def bench_env(work: Path, config_dir: Path | None = None, database_url: str | None = None) -> dict[str, str]:
    """Environment for a child: its own store, output, var and Prefect home under ``work``."""
    for name in ("var", "output", "prefect"):
        (work / name).mkdir(parents=True, exist_ok=True)
    env = {"PYTHONPATH": str(ROOT),  # this checkout's code, in the child and in any Dask worker it starts
           "CSP_VAR_DIR": str(work / "var"), "CSP_OUTPUT_DIR": str(work / "output"),
           "PREFECT_HOME": str(work / "prefect"),
           "CSP_DATABASE_URL": database_url or f"sqlite:///{work / 'bench.db'}"}
    if config_dir:
        env["CSP_CONFIG_DIR"] = str(config_dir)
    return env
