"""Run the hostile-input catalogue, a crash and two concurrent writers against a store, and count
what happened: the engine of ``csp selfcheck`` and of tests/test_hostile_inputs.py."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from csp.config import ConfigError, Partnership, load_partnership
from csp.store import models
from csp.store.db import ensure_cycle, migrate, session_scope, table_digests
from tasks.selfcheck.cases import CASES, GOOD_NAME, Case, csv_bytes, police_rows

CYCLE = "2025-26"
TODAY = dt.date(2026, 11, 23)
TRACEBACK = "Traceback (most recent call last)"


@dataclass(frozen=True)
class Outcome:
    case: str
    message: str
    handled: bool  # refused (or handled as documented) with a message holding every expected phrase
    store_changed: bool
    peak_bytes: int = 0
    seconds: float = 0.0


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def prepare_store(url: str, folder: Path, config: Partnership | None = None) -> None:
    """A migrated store holding one good police.uk month and a recommendation to decide on."""
    from tasks.ingest.pipeline import ingest_source

    config = config or load_partnership("cambridge")
    migrate(url)
    good = folder / "good" / GOOD_NAME
    good.parent.mkdir(parents=True, exist_ok=True)
    good.write_bytes(csv_bytes(police_rows()))
    [report] = ingest_source(url, config, CYCLE, "police_uk", path=good, today=TODAY)
    if report.status not in ("stored", "unchanged"):
        raise RuntimeError(f"the good file was not stored: {report.message}")
    with session_scope(url) as session:
        cycle = ensure_cycle(session, config, CYCLE)
        if not session.query(models.Recommendation).filter_by(cycle_id=cycle.id).count():
            session.add(models.Recommendation(cycle_id=cycle.id, kind="theme", subject="asb",
                                              subject_name="Anti-social behaviour", recommendation="retain",
                                              reason_text="a priority last year", reasons={}))


def _attempt(case: Case, url: str, path: Path, config: Partnership) -> str:
    """Give the input to its reader; return what a person would be told."""
    from tasks.ingest.errors import IngestError
    from tasks.ingest.pipeline import ingest_source
    from tasks.prioritise.decisions import DecisionError, import_decisions

    try:
        if case.reader == "config":  # beside the shipped defaults, as a new partnership file would be
            shutil.copy(Path(config.config_file).parent / "_defaults.yaml", path.parent / "_defaults.yaml")
            load_partnership(path.stem, path.parent)
            return "ACCEPTED"
        if case.reader == "decisions":
            import_decisions(url, config, CYCLE, path)
            return "ACCEPTED"
        if case.reader == "actions":  # the action register (CSV, XLSX or Word minutes)
            from tasks.actions.transfer import import_actions

            import_actions(url, config, path)
            return "ACCEPTED"
        if case.reader == "budget":
            from tasks.finance.load import import_budget

            import_budget(url, config, [path])
            return "ACCEPTED"
        reports = ingest_source(url, config, CYCLE, case.reader, path=path, today=TODAY)
    except (IngestError, ConfigError, DecisionError) as exc:
        return str(exc)
    except ValueError as exc:  # the sheet readers' errors (SheetError, MoneyError, ActionError)
        return str(exc)
    except MemoryError:
        return "MemoryError"
    except Exception as exc:  # noqa: BLE001 - an unexpected type is itself a finding
        return f"UNEXPECTED {type(exc).__name__}: {exc}"
    if any(r.status != "failed" for r in reports):
        return "ACCEPTED: " + "; ".join(f"{r.label} {r.status} {r.message}" for r in reports)
    return "\n".join(r.message for r in reports)


def run_case(case: Case, url: str, folder: Path, config: Partnership | None = None) -> Outcome:
    config = config or load_partnership("cambridge")
    with environment(case.env):
        path = case.build(folder)
        before = table_digests(url)
        tracemalloc.start()
        started = time.perf_counter()
        try:
            message = _attempt(case, url, path, config)
        finally:
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    changed = table_digests(url) != before
    lowered = message.lower()
    handled = (not message.startswith(("ACCEPTED", "UNEXPECTED", "MemoryError")) and TRACEBACK not in message
               and all(phrase.lower() in lowered for phrase in case.expect) and len(message) < 4000)
    return Outcome(case.name, message, handled, changed, peak, seconds)


def run_catalogue(url: str, folder: Path, echo: Callable[[str], None] = lambda _: None) -> list[Outcome]:
    config = load_partnership("cambridge")
    outcomes = []
    for index, case in enumerate(CASES):
        outcome = run_case(case, url, folder / f"case{index:02d}", config)
        mark = "ok " if outcome.handled and not outcome.store_changed else "BAD"
        echo(f"  {mark} {case.reader:<10} {case.name:<40} {outcome.message.splitlines()[0][:90]}")
        outcomes.append(outcome)
    return outcomes


def scratch_sqlite() -> tuple[str, Path]:
    folder = Path(tempfile.mkdtemp(prefix="csp-selfcheck-"))
    return f"sqlite:///{folder / 'selfcheck.db'}", folder
