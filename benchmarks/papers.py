"""Benchmark: seconds to draft each board paper (context from the store + render) and the whole pack.

Run: .venv/bin/python benchmarks/papers.py [--repeat 3]
      .venv/bin/python benchmarks/papers.py --database-url sqlite:///var/csp.db --partnership cambridge \
          --cycle 2025-26 --meeting board-2026-02      # an assessed store instead of the test fixture

Without --database-url it drafts the tests' fixture store (tests/papers_fixtures.py) in a temporary
SQLite database; output goes to a temporary folder either way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from csp.config import load_partnership
from csp.settings import PROJECT_ROOT
from csp.store.db import migrate
from tasks.papers.context import build_context
from tasks.papers.pack import check_pack_templates, plan_pack, write_pack
from tasks.papers.render import render_job


def draft_timed(url: str, partnership: str, cycle: str, meeting: str) -> tuple[dict[str, float], float]:
    """Seconds per file of the pack (context + render) and for the whole pack (checks and writing too)."""
    config = load_partnership(partnership)
    start = time.perf_counter()
    plan = plan_pack(config, cycle, meeting)
    check_pack_templates(plan)
    per_paper, rendered = {}, []
    for job in plan.jobs:
        began = time.perf_counter()
        built = build_context(url, config, cycle, meeting, job.kind, job.version, plan.pack)
        rendered.append(render_job(job, built, config.name, plan.meeting_date))
        per_paper[job.file_name] = time.perf_counter() - began
    write_pack(url, config, plan, rendered, {"flow_run_id": "benchmark"})
    return per_paper, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--partnership", default="cambridge")
    parser.add_argument("--cycle", default="2025-26")
    parser.add_argument("--meeting", default="board-2026-02")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CSP_OUTPUT_DIR"] = str(Path(tmp) / "output")
        url = args.database_url
        if url is None:
            sys.path.insert(0, str(PROJECT_ROOT))  # the fixture lives with the tests
            from tests.papers_fixtures import populate

            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            migrate(url)
            populate(url, Path(tmp) / "charts")
        runs = [draft_timed(url, args.partnership, args.cycle, args.meeting) for _ in range(args.repeat)]
    print(f"{args.partnership} {args.cycle} {args.meeting}: median of {args.repeat} run(s)")
    for name in runs[0][0]:
        print(f"  {statistics.median(r[0][name] for r in runs):6.3f} s  {name}")
    print(f"  {statistics.median(r[1] for r in runs):6.3f} s  whole pack ({len(runs[0][0])} files, with "
          "template checks, publication checks, manifest and zip)")


if __name__ == "__main__":
    main()
