"""A stage flow run from a task keeps its tasks' results out of the task's transaction.

Without it, every result of the stage (rendered papers, assessment tables) is staged in the outer
task's transaction and stays reachable after the partnership has finished: a national run's worker
grew by about 30 MB a partnership."""

from __future__ import annotations

from uuid import uuid4

import pytest
from prefect import flow, task
from prefect.transactions import get_transaction

from csp.orchestration import own_transactions


class Payload:
    """Stands in for a large result (a rendered paper)."""


@task(persist_result=False)
def _inner() -> Payload:
    return Payload()


@flow(persist_result=False)
def _stage() -> str:
    _inner()
    return "done"


def _outer(detached: bool) -> int:
    """Run the stage inside a transaction, as a task's body is; how many results it was left holding."""
    from prefect.transactions import transaction

    with transaction() as outer:
        if detached:
            with own_transactions():
                _stage()
        else:
            _stage()
        assert get_transaction() is outer  # the outer transaction is back in place afterwards
        return len(outer.children)


@pytest.mark.usefixtures("prefect_harness")
def test_a_detached_stage_leaves_nothing_in_the_outer_transaction():
    assert _outer(detached=True) == 0


@pytest.mark.usefixtures("prefect_harness")
def test_without_detaching_the_outer_transaction_holds_the_stage_results():
    """The control: shows the first test measures what it claims to."""
    assert _outer(detached=False) >= 1


@pytest.mark.usefixtures("prefect_harness")
def test_the_cycle_stage_task_runs_its_flow_detached(monkeypatch):
    """The cycle's stage task (flows/cycle_stages.py): the stage's tasks commit on their own."""
    from flows import cycle_stages

    parents: list[object] = []

    @task(persist_result=False)
    def probe() -> None:
        parents.append(get_transaction().get_parent())

    @flow(persist_result=False)
    def stage() -> str:
        probe()
        return "done"

    @flow(persist_result=False)
    def cycle() -> str:
        return cycle_stages.StageLog(run_key=uuid4().hex).run("probe")  # a new run: nothing cached

    monkeypatch.setattr(cycle_stages, "stage_flows", lambda: {"probe": stage})
    assert cycle() == "done"
    assert parents == [None]


@pytest.mark.usefixtures("prefect_harness")
def test_a_failed_stage_keeps_the_cached_results_of_the_tasks_that_finished():
    """Fix the template, run again: the papers rendered before the failure are not rendered again."""
    from prefect.cache_policies import INPUTS

    calls: list[str] = []

    @task(cache_policy=INPUTS, persist_result=True)
    def finished(key: str) -> str:
        calls.append(key)
        return key

    @flow(persist_result=False)
    def stage(key: str, fail: bool) -> str:
        finished(key)
        if fail:
            raise ValueError("a broken template")
        return "done"

    @task(persist_result=False)
    def stage_task(key: str, fail: bool) -> str:
        with own_transactions():
            return stage(key, fail)

    @flow(persist_result=False)
    def cycle(key: str, fail: bool) -> str:
        return stage_task(key, fail)

    key = uuid4().hex
    with pytest.raises(ValueError, match="a broken template"):
        cycle(key, True)
    assert cycle(key, False) == "done"
    assert calls == [key]  # the second attempt took the first one's result from the cache
