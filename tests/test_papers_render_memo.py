"""The render memo (tasks/papers/render_memo.py): a render is reused only for the very same job,
context and code, a damaged file is never served, and pruning keeps what the last pack used."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tasks.papers import render_memo
from tasks.papers.common import Built, ImageRef
from tasks.papers.registry import PaperJob
from tasks.papers.render import Rendered

JOB = PaperJob("agenda", "public", 1, "Agenda", "10 February 2026", "templates/agenda.docx", "ab" * 32)
BUILT = Built({"title": "Agenda", "items": [{"n": 1, "text": "Welcome"}], "when": dt.date(2026, 2, 10),
               "chart": ImageRef("/tmp/x.png", "cd" * 32)}, (3, 4), ("run-1",))


def _rendered(data: bytes) -> Rendered:
    import hashlib

    return Rendered(JOB.kind, JOB.version, JOB.file_name, JOB.title, data, hashlib.sha256(data).hexdigest(),
                    JOB.template, JOB.template_sha256, BUILT.input_file_ids, BUILT.source_runs)


def test_the_key_follows_the_context_the_job_and_the_code():
    key = render_memo.render_key(JOB, BUILT, "Cambridge CSP", dt.date(2026, 2, 10), "code-1")
    assert key == render_memo.render_key(JOB, Built(dict(BUILT.context), (3, 4), ("run-1",)),
                                         "Cambridge CSP", dt.date(2026, 2, 10), "code-1")
    changed = Built({**BUILT.context, "items": [{"n": 1, "text": "Welcome and apologies"}]}, (3, 4), ("run-1",))
    other_chart = Built({**BUILT.context, "chart": ImageRef("/tmp/x.png", "ef" * 32)}, (3, 4), ("run-1",))
    restricted = PaperJob(**{**JOB.__dict__, "version": "restricted"})
    others = {render_memo.render_key(JOB, changed, "Cambridge CSP", dt.date(2026, 2, 10), "code-1"),
              render_memo.render_key(JOB, other_chart, "Cambridge CSP", dt.date(2026, 2, 10), "code-1"),
              render_memo.render_key(restricted, BUILT, "Cambridge CSP", dt.date(2026, 2, 10), "code-1"),
              render_memo.render_key(JOB, BUILT, "Cambridge CSP", dt.date(2026, 2, 10), "code-2")}
    assert key not in others and len(others) == 4


def test_a_kept_render_comes_back_and_a_damaged_one_does_not(tmp_path: Path):
    rendered = _rendered(b"PK the document")
    render_memo.keep(tmp_path, "k1", rendered)
    assert render_memo.recall(tmp_path, "k1", JOB, BUILT) == rendered
    assert render_memo.recall(tmp_path, "k2", JOB, BUILT) is None
    (tmp_path / "k1.docx").write_bytes(b"PK the docume")  # cut short on disk
    assert render_memo.recall(tmp_path, "k1", JOB, BUILT) is None


def test_pruning_keeps_the_entries_the_pack_used(tmp_path: Path):
    for key in ("used", "stale"):
        render_memo.keep(tmp_path, key, _rendered(key.encode()))
    (tmp_path / ".used.docx.123.tmp").write_bytes(b"half")
    render_memo.prune(tmp_path, {"used"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["used.docx", "used.sha256"]
