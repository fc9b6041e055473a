"""One in-memory Great Expectations context per process, with its suites, built on first use.

Importing GX costs about two seconds and building a context and suites a little more, so a run that
checks thirteen files pays it once. GX contexts are not safe to share between threads, and Prefect's
thread runner may check several files at once, so validation runs under a lock: the checks are fast,
the contention negligible.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tasks.validate.suites import build_suite, suite_kinds

GX_LOCK = threading.RLock()  # GX is not thread-safe; the Data Docs build takes it too


def quiet_logs() -> None:
    """GX announces every temporary folder and store at INFO; Prefect would forward it all to the run log.

    Some GX modules set their own logger to INFO when imported, so every GX logger is turned down,
    just before a context is made (after those imports).
    """
    import great_expectations.data_context.types.base  # noqa: F401 - one of the modules that sets INFO

    for name in [n for n in logging.root.manager.loggerDict if n.startswith("great_expectations")]:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


def quiet_context(context: Any) -> Any:
    """No progress bars: they would flood Prefect's logs and the command line."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@dataclass
class _Runtime:
    context: Any
    batches: dict[str, Any] = field(default_factory=dict)
    suites: dict[str, Any] = field(default_factory=dict)


_RUNTIME: _Runtime | None = None


def _runtime() -> _Runtime:
    global _RUNTIME
    if _RUNTIME is None:
        import great_expectations as gx

        quiet_logs()
        context = quiet_context(gx.get_context(mode="ephemeral"))
        source = context.data_sources.add_pandas("frames")
        runtime = _Runtime(context)
        for kind in suite_kinds():
            asset = source.add_dataframe_asset(kind)
            runtime.batches[kind] = asset.add_batch_definition_whole_dataframe("whole frame")
            runtime.suites[kind] = context.suites.add(build_suite(kind))
        _RUNTIME = runtime
    return _RUNTIME


def warm() -> None:
    """Import GX and build the context now: a start-up cost, paid before the first file is checked
    (benchmarks/stages.py counts it with the other imports)."""
    with GX_LOCK:
        _runtime()


def reset() -> None:
    """Forget the cached context (tests that edit a suite file call this)."""
    global _RUNTIME
    with GX_LOCK:
        _RUNTIME = None


def run_suite(kind: str, frame: pd.DataFrame, index_column: str = "row_number",
              values: bool = True) -> list[Any]:
    """Validate a prepared frame against the kind's suite; every unexpected row listed by index column.

    ``values=False`` asks GX for the index column alone (``{index_column: [...]}``, one entry per
    result), not a dict of every domain value per row: GX builds those one cell at a time, which on a
    force's year of rows with thousands of repeated ASB rows cost fifteen seconds. The column is made
    the frame's index for that call, because GX reads a plain column's keys with one ``.at`` lookup
    (and a column-name check) per unexpected row, and a named index's in one pass.
    """
    result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": [index_column],
                     "exclude_unexpected_values": not values}
    if not values:  # the key as the frame's named index: GX then lists it as it is, not cell by cell
        frame = frame.set_index(index_column)
    with GX_LOCK, _no_batch_fingerprint(), _configurations_built_once():
        runtime = _runtime()
        batch = runtime.batches[kind].get_batch(batch_parameters={"dataframe": frame})
        return list(batch.validate(runtime.suites[kind], result_format=result_format).results)


@contextlib.contextmanager
def _no_batch_fingerprint() -> Iterator[None]:
    """GX fingerprints a batch by hashing every value (an md5 of pandas' row hashes, kept as a "batch
    marker" that nothing here reads): half a second for a force's year. Off while our batches are made
    (the Data Docs' file project, tasks/validate/docs.py, keeps it)."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    threshold = engine.HASH_THRESHOLD
    engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = threshold


@contextlib.contextmanager
def _configurations_built_once() -> Iterator[None]:
    """GX turns an expectation's configuration into an expectation object, and the object back into a
    configuration (a pydantic dump and a class-name conversion), each time it reads one argument of a
    rule: dozens of times per rule per call, about two fifths of a small source's validation time (profiled
    with py-spy). While our batch is validated each conversion is made once per object and reused.
    The objects are GX's own copies for this call (made from the suite's configurations) and are only
    read during it, so the answers are the same; the memo holds the objects themselves, so a reused
    ``id`` cannot alias, and it is dropped when the call ends.
    """
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    to_configuration = Expectation.__dict__["configuration"]
    to_expectation = ExpectationConfiguration.__dict__["to_domain_obj"]
    made: dict[tuple[str, int], tuple[Any, Any]] = {}

    def once(what: str, build: Any) -> Any:
        def cached(self: Any) -> Any:
            found = made.get((what, id(self)))
            if found is None or found[0] is not self:
                found = made[(what, id(self))] = (self, build(self))
            return found[1]
        return cached

    Expectation.configuration = property(once("configuration", to_configuration.fget), doc=to_configuration.__doc__)
    ExpectationConfiguration.to_domain_obj = once("expectation", to_expectation)
    try:
        yield
    finally:
        Expectation.configuration = to_configuration
        ExpectationConfiguration.to_domain_obj = to_expectation
