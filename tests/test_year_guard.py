"""One cycle per partnership at a time, partnerships side by side: two partnerships hold their cycles
at once, while a second run of the first is refused with a message naming the run that holds it."""

from __future__ import annotations

import threading

import pytest
from prefect import flow

from csp.config import load_partnership
from tasks.year.guard import CycleBusyError, cycle_guard, limit_name

HELD = threading.Event()
RELEASE = threading.Event()


@flow(name="guard-holder")
def hold(partnership: str, url: str) -> str:
    with cycle_guard(url, load_partnership(partnership), "2025-26", f"holder run of {partnership}"):
        HELD.set()
        RELEASE.wait(120)
    return "held"


@flow(name="guard-visitor")
def visit(partnership: str, url: str) -> str:
    with cycle_guard(url, load_partnership(partnership), "2025-26", f"second run of {partnership}"):
        return "ran"


@pytest.mark.usefixtures("prefect_harness", "csp_env")
def test_partnerships_run_side_by_side_and_a_second_run_is_refused(db_url):
    from prefect.client.orchestration import get_client

    HELD.clear()
    RELEASE.clear()
    results: dict[str, str] = {}
    holder = threading.Thread(target=lambda: results.update(cambridge=hold("cambridge", db_url)))
    holder.start()
    try:
        assert HELD.wait(120)
        assert visit("south-cambridgeshire", db_url) == "ran"  # another partnership: side by side
        with pytest.raises(CycleBusyError, match="holder run of cambridge") as refused:
            visit("cambridge", db_url)
        assert "second run of cambridge: refused" in str(refused.value)
        with get_client(sync_client=True) as client:
            limit = client.read_global_concurrency_limit_by_name(limit_name("cambridge"))
        assert limit.limit == 1 and limit.active_slots == 1  # still held by the first run
    finally:
        RELEASE.set()
        holder.join(120)
    assert results == {"cambridge": "held"}
    assert visit("cambridge", db_url) == "ran"  # released when the first run ended
