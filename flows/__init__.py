"""Prefect flows: the annual cycle and one flow per stage (orchestration only).

Flow modules do not use ``from __future__ import annotations``: Prefect builds each flow's parameter
model from its annotations, and in a Dask worker string annotations such as ``dt.date | None`` cannot
be resolved (found by tests/test_national_run.py).
"""
