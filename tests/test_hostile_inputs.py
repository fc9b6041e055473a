"""Hostile inputs against every reader, on SQLite and PostgreSQL (tasks/selfcheck/cases.py).

Each case must be refused with one paragraph holding its expected phrases (what, where, why) and no
traceback, and leave every table's full contents unchanged (a checksum of each table's rows). One
store per engine is prepared once (a good police.uk month and a recommendation); since no case may
change it, the cases share it, and each compares the store before and after itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from csp.store.db import table_digests
from tasks.selfcheck.cases import CASES, GOOD_ROWS
from tasks.selfcheck.run import prepare_store, run_case
from tests.conftest import _reset_postgres


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hostile_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                  postgres_url: str | None) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp(f"hostile-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'csp.db'}"
    else:
        assert postgres_url, "PostgreSQL is needed (CSP_TEST_POSTGRES_URL)"
        url = postgres_url
        _reset_postgres(url)
    prepare_store(url, folder)
    yield url, folder


def test_the_catalogue_is_broad():
    readers = {case.reader for case in CASES}
    assert len({case.name for case in CASES}) == len(CASES) >= 50
    assert {"police_uk", "fire", "idva", "population", "config", "decisions", "actions", "budget"} <= readers


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input_is_refused_and_changes_nothing(hostile_store, case, tmp_path):
    url, _ = hostile_store
    outcome = run_case(case, url, tmp_path)
    assert not outcome.store_changed, f"{case.name}: the store changed"
    missing = [phrase for phrase in case.expect if phrase.lower() not in outcome.message.lower()]
    assert outcome.handled, f"{case.name}: {outcome.message[:800]!r} lacks {missing}"
    assert "Traceback" not in outcome.message


def test_the_good_month_survives_every_attack(hostile_store):
    """After the whole catalogue ran (module order), the good month is still the only one stored."""
    url, _ = hostile_store
    digests = table_digests(url)
    assert digests["input_file"].startswith("1:")
    assert digests["crime_record"].startswith(f"{GOOD_ROWS}:")


def test_the_1gib_zip_bomb_is_refused_from_its_directory_quickly(hostile_store, tmp_path):
    url, _ = hostile_store
    [bomb] = [c for c in CASES if c.name == "zip bomb 1 GiB declared"]
    outcome = run_case(bomb, url, tmp_path)
    assert outcome.handled and outcome.seconds < 5
    assert outcome.peak_bytes < 64 * (1 << 20)  # never expanded: far below the 1 GiB it declares
