"""The faster ingest paths give what the slower ones gave: the vectorised field count agrees with the
csv module's line-by-line check, and the LSOA lookups derived once per process give the same codes."""

from __future__ import annotations

import csv
import io
import random

import pytest

from tasks.ingest import area, readers
from tasks.ingest.errors import IngestError
from tasks.ingest.files import SourceFile, sha256


def _source(text: str | bytes) -> SourceFile:
    data = text.encode() if isinstance(text, str) else text
    return SourceFile("t.csv", "t.csv", data, sha256(data), len(data))


def _csv_says_fine(text: str) -> bool:
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if not header:
        return False
    counts = [len(r) for r in rows if r]
    return bool(counts) and all(c == len(header) for c in counts)


CASES = [
    "a,b,c\n1,2,3\n", "a,b,c\r\n1,2,3\r\n4,5,6", "a,b,c\n1,2\n", "a,b,c\n1,2,3,4\n", "a,b,c\n1,2,3\n\n4,5,6\n",
    "a,b,c\n1,2,3\n   \n", 'a,b,c\n"x,y",2,3\n', 'a,b,c\n"x\ny",2,3\n', 'a,b,c\n"x""y",2,3\n',
    'a,b,c\nx"y,z"w,3\n', 'a,b,c\nx"y,z"w,3,4\n', 'a,b,c\n"x"y,2,3\n', 'a,b,c\n"",2,3\n', 'a,b,c\n"x,2,3\n',
    "\ufeffa,b,c\n1,2,3\n", "a,b,c\n", "a,b,c\n\n\n", 'a,"b,c"\n1,2\n', 'a,"b,c"\n1,2,3\n',
    "a,b,c\n1,2,3\n4,5,6", "a,b,c\n1,2,3\n4,5",
]


@pytest.mark.parametrize("text", CASES)
def test_vectorised_field_count_never_passes_what_the_csv_module_refuses(text: str) -> None:
    width = len(next(csv.reader(io.StringIO(text.lstrip("\ufeff")))))
    if readers._field_counts_fine(text.encode(), width):
        assert _csv_says_fine(text.lstrip("\ufeff"))


def test_vectorised_field_count_on_random_files() -> None:
    rng = random.Random(7)
    cells = ["", "x", "1.5", '"q,u"', '"a""b"', '"l\nm"', "é", " ", 'p"q']
    for _ in range(2000):
        width = rng.randint(1, 4)
        lines = [",".join(rng.choice(cells) for _ in range(rng.choice([width, width, width, width - 1, width + 1])))
                 for _ in range(rng.randint(1, 5))]
        text = ",".join(f"h{i}" for i in range(width)) + "\n" + rng.choice(["\n", "\r\n"]).join(lines) \
            + rng.choice(["", "\n"])
        if readers._field_counts_fine(text.encode(), width):
            assert _csv_says_fine(text), text


def test_errors_still_name_the_line() -> None:
    with pytest.raises(IngestError, match="line 3: a line has 2 fields where the header has 3"):
        readers.read_csv_strings(_source("a,b,c\n1,2,3\n4,5\n6,7,8\n"))
    with pytest.raises(IngestError, match="line 3: truncated: the last line has 2 fields"):
        readers.read_csv_strings(_source("a,b,c\n1,2,3\n4,5"))
    with pytest.raises(IngestError, match="header only"):
        readers.read_csv_strings(_source("a,b,c\n"))


def test_bundled_files_take_the_fast_path() -> None:
    from pathlib import Path

    from tasks.ingest.files import discover

    root = Path(__file__).resolve().parent.parent / "data" / "raw"
    files, _ = discover(root / "police_uk" / "cambridgeshire")
    files += discover(root / "reference" / "census2021_ts001_usual_residents_ew.csv.gz")[0]
    for source in files[:4] + files[-1:]:
        width = len(readers._header(source, readers.decode_text(source)))
        assert readers._field_counts_fine(source.content, width), source.label


def _expected_largest_part(changes, persons) -> dict:  # noqa: ANN001 - an oracle in plain Python
    """For each 2011 code, its 2021 part with most residents (ties: lowest code); a code with several
    parts is a split ('S') or irregular ('X') whatever its own flag says."""
    parts: dict[str, list[tuple[str, str]]] = {}
    for old, new, flag in zip(changes["lsoa11_code"], changes["lsoa21_code"], changes["change_code"], strict=True):
        parts.setdefault(old, []).append((new, flag))
    expected = {}
    for old, rows in parts.items():
        new, flag = min(rows, key=lambda row: (-persons.get(row[0], -1), row[0]))
        if len({n for n, _ in rows}) > 1:
            flag = {"U": "S", "M": "X"}.get(flag, flag)
        expected[old] = (new, flag)
    return expected


def test_placement_lookups_are_computed_once_and_unchanged() -> None:
    from csp.config import load_partnership

    ref = area.reference(load_partnership("cambridge"))
    again = area.reference(load_partnership("cambridge"))
    first = area._largest_part(ref.changes, ref.lsoas)
    assert area._largest_part(again.changes, again.lsoas) is first  # once per process
    got = {old: (row.lsoa21_code, row.change_code) for old, row in first.iterrows()}
    assert got == _expected_largest_part(ref.changes, ref.lsoas["persons"].to_dict())
    assert area._multi_msoa(ref.changes, ref.lsoas) is area._multi_msoa(again.changes, again.lsoas)
    codes = area.lsoa_changes(ref)
    codes.iloc[:] = "changed by a caller"
    assert (area.lsoa_changes(ref) != "changed by a caller").all()  # callers get a copy


def test_a_gzip_file_is_expanded_once_per_process_and_a_refusal_is_never_remembered(tmp_path, monkeypatch) -> None:
    import gzip

    from csp.settings import input_limits
    from tasks.ingest import files

    monkeypatch.setattr(files, "_EXPANDED", type(files._EXPANDED)())
    calls = []
    real = files._gunzip
    monkeypatch.setattr(files, "_gunzip", lambda *args: calls.append(args[0]) or real(*args))
    good = tmp_path / "2025-01-x-street.csv.gz"
    good.write_bytes(gzip.compress(b"a,b\n1,2\n" * 1000))
    first, _ = files.discover(good)
    again, _ = files.discover(good)
    assert first == again and first[0].content == b"a,b\n1,2\n" * 1000
    assert calls == [good.name]  # the second listing reused the expanded bytes

    smaller = files._Budget(files.InputLimits(**{**vars(input_limits()), "max_file_bytes": 100}))
    with pytest.raises(IngestError, match="CSP_MAX_FILE_MB"):  # other limits: decided afresh
        files.discover(good, budget=smaller)
    bad = tmp_path / "2025-02-x-street.csv.gz"
    bad.write_bytes(b"not gzip at all, not at all")
    for _ in range(2):
        with pytest.raises(IngestError, match="not a valid gzip file"):
            files.discover(bad)
    assert calls == [good.name, good.name, bad.name, bad.name]

    files._EXPANDED.clear()
    monkeypatch.setenv("CSP_GUNZIP_CACHE_MB", "0")  # nothing kept beyond the bound
    files.discover(good)
    assert len(files._EXPANDED) == 0
