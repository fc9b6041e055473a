"""Draft one paper of the pack: build its versions' contexts, decide whether the restricted version
adds anything, and render what is kept (or take it from the render memo).

One paper is one unit of work, so the stage's flow runs one task per paper rather than one task per
context and one per render: each Prefect task run is a round of calls to its server, and a national
run drafts thirteen files for each of hundreds of partnerships.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from csp import side_process
from csp.config import Partnership
from tasks.papers import render_memo
from tasks.papers.common import Built
from tasks.papers.context import build_context
from tasks.papers.pack import keep_jobs
from tasks.papers.registry import PaperJob
from tasks.papers.render import Rendered, render_job
from tasks.papers.reuse import DROPPED

_RENDER_LOCK = threading.Lock()
_SIDE_SLOT = threading.Lock()  # one paper at a time on the side process


@dataclass(frozen=True)
class Drafted:
    """One file of the pack as drafted: rendered (or DROPPED), its render key, and whether the render
    came from the memo."""

    result: Rendered | str
    key: str | None = None
    from_memo: bool = False


def draft_paper(url: str, config: Partnership, cycle: str, meeting: str, jobs: tuple[PaperJob, ...],
                pack: dict[str, int], author: str, when: Any, code: str) -> list[Drafted]:
    """Every version (``jobs``) of one paper, in order. A context that cannot be built (no assessment,
    say) raises here, before anything of this paper is rendered."""
    contexts = [build_context(url, config, cycle, meeting, job.kind, job.version, pack) for job in jobs]
    kept = set(keep_jobs(jobs, contexts))
    where = render_memo.folder(config.id, cycle, meeting)
    out = []
    for index, (job, built) in enumerate(zip(jobs, contexts, strict=True)):
        if index not in kept:
            out.append(Drafted(DROPPED))
            continue
        key = render_memo.render_key(job, built, author, when, code)
        found = render_memo.recall(where, key, job, built)
        if found is None:
            rendered = render_one_at_a_time(job, built, author, when)
            render_memo.keep(where, key, rendered)
            out.append(Drafted(rendered, key))
        else:
            out.append(Drafted(found, key, from_memo=True))
    return out


def render_one_at_a_time(job: PaperJob, built: Built, author: str, when: Any) -> Rendered:
    """One render at a time per process: two docxtpl renders in threads at once were seen to produce a
    document whose parts do not re-open (a benchmark run, "Namespace prefix ContentType ... not
    defined"), and rendering holds the GIL anyway. A plain module function, so that Dask pickles the
    task by reference and never tries to pickle the lock.

    With the side process on (csp/side_process.py), one paper at a time is rendered there while the
    others are rendered here, one after another: the same bytes (rendering depends only on the job and
    its context); a paper that fails there is rendered here, where its error is raised as before."""
    if _SIDE_SLOT.acquire(blocking=False):
        try:
            future = side_process.submit(render_job, job, built, author, when)
            if future is not None:
                try:
                    return side_process.result(future)
                except Exception:  # noqa: BLE001, S110 - rendered again here, raising its own error
                    pass
        finally:
            _SIDE_SLOT.release()
    with _RENDER_LOCK:
        return render_job(job, built, author, when)
