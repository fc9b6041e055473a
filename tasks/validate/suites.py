"""The expectation suites: JSON files in ``expectations/`` are the source of truth.

Each file is a Great Expectations 1.x suite (name, meta, expectations with type, kwargs and meta). Every
expectation's meta says how serious a failure is (``severity``: blocking or warning) and names the rule
in words an analyst recognises (``rule``), which is what every message quotes.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from csp.frames import FRAME_COLUMNS
from csp.settings import PROJECT_ROOT

SUITE_DIR = PROJECT_ROOT / "expectations"
SEVERITIES = ("blocking", "warning")


class SuiteError(ValueError):
    """A suite file that cannot be used; the message names the file and the expectation."""


def suite_path(kind: str, suite_dir: Path | None = None) -> Path:
    return (suite_dir or SUITE_DIR) / f"{kind}.json"


def suite_kinds() -> tuple[str, ...]:
    """Every input kind with a normalised frame has a suite of the same name."""
    return tuple(FRAME_COLUMNS)


def _check_expectation(path: Path, index: int, item: Any) -> None:
    where = f"{path}: expectation {index}"
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        raise SuiteError(f"{where}: expected an object with a 'type'")
    meta = item.get("meta") or {}
    if meta.get("severity") not in SEVERITIES:
        raise SuiteError(f"{where} ({item['type']}): meta.severity must be one of {SEVERITIES}")
    if not str(meta.get("rule") or "").strip():
        raise SuiteError(f"{where} ({item['type']}): meta.rule must name the rule")


@lru_cache(maxsize=32)
def _read(path: Path, mtime: float) -> str:
    return path.read_text(encoding="utf-8")


def load_suite_json(kind: str, suite_dir: Path | None = None) -> dict[str, Any]:
    """The suite as plain data, checked for the meta every message relies on."""
    path = suite_path(kind, suite_dir)
    if not path.exists():
        raise SuiteError(f"{path}: no expectation suite for input kind {kind!r}")
    try:
        data = json.loads(_read(path, path.stat().st_mtime))
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON ({exc})") from exc
    if data.get("name") != kind:
        raise SuiteError(f"{path}: 'name' must be {kind!r} (the file name)")
    items = data.get("expectations")
    if not isinstance(items, list) or not items:
        raise SuiteError(f"{path}: 'expectations' must be a non-empty list")
    for index, item in enumerate(items):
        _check_expectation(path, index, item)
    return data


def build_suite(kind: str, suite_dir: Path | None = None):  # noqa: ANN201 - gx.ExpectationSuite, imported lazily
    """A fresh GX ExpectationSuite from the JSON; refuses to lose an expectation silently.

    GX logs and skips an expectation it cannot build, which would quietly weaken a check, so the count
    is compared with the file.
    """
    import great_expectations as gx

    from tasks.validate import geo  # noqa: F401 - registers the polygon expectation

    data = load_suite_json(kind, suite_dir)
    suite = gx.ExpectationSuite(name=data["name"], expectations=data["expectations"],
                                meta=dict(data.get("meta") or {}))
    if len(suite.expectations) != len(data["expectations"]):
        raise SuiteError(
            f"{suite_path(kind, suite_dir)}: only {len(suite.expectations)} of "
            f"{len(data['expectations'])} expectations could be built by Great Expectations"
        )
    return suite
