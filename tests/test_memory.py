"""A long-lived process keeps to a few malloc arenas, and the processes it starts do too."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from csp.memory import limit_malloc_arenas

GLIBC = platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="MALLOC_ARENA_MAX is glibc's")
def test_arenas_are_limited_here_and_in_children(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas() == 2
    assert os.environ["MALLOC_ARENA_MAX"] == "2"
    seen = subprocess.run([sys.executable, "-c", "import os; print(os.environ['MALLOC_ARENA_MAX'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert seen == "2"  # a Dask worker or any other child starts with it


@pytest.mark.skipif(not GLIBC, reason="MALLOC_ARENA_MAX is glibc's")
def test_an_operators_setting_is_kept_and_a_bad_one_ignored(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() == 4 and os.environ["MALLOC_ARENA_MAX"] == "4"
    monkeypatch.setenv("MALLOC_ARENA_MAX", "many")
    assert limit_malloc_arenas() is None


def test_the_task_runner_sets_it_before_any_cluster_starts(monkeypatch):
    from csp.engines import task_runner

    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    task_runner()
    assert os.environ["MALLOC_ARENA_MAX"] == "2"


KEY = "distributed.worker.profile.enabled"


def test_dask_workers_of_a_local_cluster_run_without_the_profiler(monkeypatch):
    """Dask's profiler kept a growing call tree in every worker (csp/engines.py: quiet_dask_workers)."""
    import dask
    from dask.distributed import Client, LocalCluster

    from csp.engines import PROFILER_ENV, quiet_dask_workers

    monkeypatch.delenv(PROFILER_ENV, raising=False)
    before = dask.config.get(KEY)
    try:
        quiet_dask_workers()
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            seen = client.run(lambda: dask.config.get(KEY))
    finally:
        dask.config.set({KEY: before})  # this process's setting as it was
    assert list(seen.values()) == [False]


def test_an_operators_profiler_setting_is_kept(monkeypatch):
    import dask

    from csp.engines import PROFILER_ENV, quiet_dask_workers

    monkeypatch.setenv(PROFILER_ENV, "True")
    with dask.config.set({KEY: True}):
        quiet_dask_workers()
        assert dask.config.get(KEY) is True
