"""A second process for pure computations, so a partnership's run uses the machine's second core.

A cycle is mostly one thread of Python: the Prefect server idles after it starts, and the other core
with it. Reading and validating a police force's year (parsing, then Great Expectations) depends only
on the files, so it can go on there while this process stores the reference data.

The worker is forked from this process by ``start`` (see there for where), so it starts at once with
pandas and Great Expectations already imported (a fresh interpreter would spend three or four seconds
importing them).
Only pure functions of their arguments run in it (parsing, validating, drawing charts into a folder
the caller names): no store and no Prefect, so the threads and connections this process holds are
never touched by the fork. What it returns is what the caller would have computed: when it fails, or
is off, the caller computes the same thing itself.

Off with ``CSP_SIDE_PROCESS=0``; off by itself on a one-core machine, inside a Dask worker (the
cluster already uses the cores), where ``fork`` is not available, and while several partnerships run
in threads of this process (``off()``: a fork taken while other threads are mid-work could copy a lock
one of them holds, and the cores are busy anyway). A result that has not come after
``CSP_SIDE_PROCESS_TIMEOUT`` seconds (default 300) is computed here, and the side process is stopped
and not used again by this process.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from csp.engines import in_dask_worker

_EXECUTOR: list[ProcessPoolExecutor] = []
_LOCK = threading.Lock()
_OFF = {"holders": 0, "timed_out": False}


def enabled() -> bool:
    """Whether work may go to the side process here (see the module docstring)."""
    setting = os.environ.get("CSP_SIDE_PROCESS", "auto").strip().lower()
    if setting in ("0", "false", "no", "off"):
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if setting == "auto" and (os.cpu_count() or 1) < 2:
        return False
    return not (_OFF["holders"] or _OFF["timed_out"] or in_dask_worker())


@contextmanager
def off() -> Iterator[None]:
    """No side process while the block runs (several partnerships in threads of this process)."""
    with _LOCK:
        _OFF["holders"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _OFF["holders"] -= 1


def result(future: Future) -> Any:
    """The side process's result; raises (the caller computes it here) on its failure or time-out."""
    timeout = float(os.environ.get("CSP_SIDE_PROCESS_TIMEOUT", "300"))
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        _stop_stuck()
        raise


def _exit_with_parent(parent: int) -> None:
    """In the side process: end when the run that forked it is gone (killed, say), not linger idle."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="csp-side-watch", daemon=True).start()


def start() -> bool:
    """Fork the side process now, unless it is off or already running; True when it is there.

    Call it only where no other thread of the run is at work (a flow's own thread, before it submits
    tasks): a fork copies only the calling thread, and a lock another thread holds at that moment
    (in lxml, say, rendering a paper) stays locked in the copy for ever. ``submit`` never forks.
    """
    if not enabled():
        return False
    with _LOCK:
        if _EXECUTOR:
            try:
                _EXECUTOR[0].submit(int)  # still alive?
                return True
            except (BrokenProcessPool, RuntimeError):  # it died: a new one below
                _EXECUTOR.pop().shutdown(wait=False, cancel_futures=True)
        executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_exit_with_parent, initargs=(os.getpid(),))
        executor.submit(int)  # the fork happens here, in this thread
        _EXECUTOR.append(executor)
        # A flow run started by a Prefect worker or `serve` is itself a multiprocessing child: at its
        # end multiprocessing joins its children before any atexit hook could stop this one, and would
        # wait for ever. A finalizer with a priority runs before that join, and with one above the
        # executor's own queue's (10), while that queue can still send "stop".
        multiprocessing.util.Finalize(None, shutdown, exitpriority=100)
        return True


def submit(function: Callable[..., Any], *args: Any) -> Future | None:
    """Run ``function(*args)`` in the side process begun by ``start``; None when there is none (it is
    off, was never started, or died): the caller computes it here."""
    if not enabled():
        return None
    with _LOCK:
        if not _EXECUTOR:
            return None
        try:
            return _EXECUTOR[0].submit(function, *args)
        except (BrokenProcessPool, RuntimeError):
            _EXECUTOR.pop().shutdown(wait=False, cancel_futures=True)
            return None


def _stop_stuck() -> None:
    """A side process that did not answer in time is killed and not used again here."""
    with _LOCK:
        _OFF["timed_out"] = True
        while _EXECUTOR:
            executor = _EXECUTOR.pop()
            for process in list(getattr(executor, "_processes", {}).values()):  # no public way in 3.11
                process.kill()
            executor.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """Stop the side process (tests; it also stops by itself when this process exits)."""
    with _LOCK:
        _OFF["timed_out"] = False
        while _EXECUTOR:
            _EXECUTOR.pop().shutdown(wait=True, cancel_futures=True)
