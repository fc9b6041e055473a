"""Builders for small partner files used by the ingestion tests."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select

from csp.settings import PROJECT_ROOT
from csp.store.db import session_scope

POLICE_DIR = PROJECT_ROOT / "data" / "raw" / "police_uk" / "cambridgeshire"
HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
          "LSOA name,Crime type,Last outcome category,Context")


def real_month(month: str = "2025-09") -> pd.DataFrame:
    """One bundled police.uk month as published (all strings)."""
    with gzip.open(POLICE_DIR / f"{month}-cambridgeshire-street.csv.gz", "rt", encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False)


def cambridge_rows(n: int, month: str = "2025-09") -> pd.DataFrame:
    frame = real_month(month)
    inside = frame[frame["LSOA name"].str.match(r"^Cambridge \d{3}[A-Z]$")]
    return inside.head(n).reset_index(drop=True)


def write_csv(path: Path, frame: pd.DataFrame, encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def count(url: str, model: type) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(model))


def store_counts(url: str) -> dict[str, str]:
    """Per table of the store, a checksum of its full contents (see csp.store.db.table_digests):
    equal before and after a refused file means nothing at all changed, not only the row counts."""
    from csp.store.db import table_digests

    return table_digests(url)
