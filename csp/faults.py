"""Fault injection for the crash tests and ``csp selfcheck``: a named point where the process kills
itself with SIGKILL (no cleanup, no rollback, exactly like the kernel's OOM killer or ``kill -9``).

Only active when ``CSP_CRASH_AT`` names the point; otherwise a dictionary lookup and nothing more.
Points: ``ingest.store`` (a file's rows inserted, not committed), ``assess.store`` (the assessment's
rows replaced, not committed), ``papers.write`` (the first paper written, the rest not).
"""

from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    if os.environ.get("CSP_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
