"""Parse partner files into the normalised frames of ``csp.frames``.

Parsing problems that make a whole file unusable (missing columns, no rows, a truncated last line)
raise IngestError naming the file, line and column; a value that cannot be converted becomes a
RowProblem for that row only, so one bad cell never costs the other rows.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from csp.frames import FRAME_COLUMNS, POLICE_UK_COLUMNS, RowProblem
from tasks.ingest.errors import IngestError
from tasks.ingest.files import SourceFile, check_workbook, decode_text, discover

POLICE_REQUIRED = ("Crime ID", "Month", "Longitude", "Latitude", "LSOA code", "LSOA name", "Crime type")
PARTNER_REQUIRED = ("month", "category", "count")
PARTNER_OPTIONAL = ("subcategory", "area_code", "area_name", "district")
IDVA_REQUIRED = ("district", "financial_year", "quarter", "referrals")
POPULATION_COLUMNS = {
    "Local authority code": "la_code",
    "Local authority name": "la_name",
    "MSOA Code": "msoa_code",
    "MSOA Name": "msoa_name",
    "LSOA Code": "lsoa_code",
    "LSOA Name": "lsoa_name",
    "Persons": "persons",
    "Households": "households",
}
HEADER_SEARCH_ROWS = 10


_QUOTE, _COMMA, _LF, _CR = 0x22, 0x2C, 0x0A, 0x0D
_FIELD_EDGE = np.array([_COMMA, _LF, _CR, _QUOTE], dtype=np.uint8)


def _field_counts_fine(data: bytes, width: int) -> bool:
    """True when every record of the file has ``width`` fields, decided on the bytes in one vectorised pass.

    Only for plainly quoted files (every quote opens at the start of a field and closes at its end, lines
    end in LF or CRLF): there a comma or line break separates exactly when an even number of quotes
    precedes it, as the csv module reads it. False means "not sure or not fine": the caller then checks
    line by line with the csv module, which names the line. UTF-8 continuation bytes are never
    ASCII, so counting bytes counts characters.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data or b"\x00" in data or data.count(b"\r") != data.count(b"\r\n"):
        return False
    buf = np.frombuffer(data, dtype=np.uint8)
    breaks, commas = np.flatnonzero(buf == _LF), np.flatnonzero(buf == _COMMA)
    quotes = np.flatnonzero(buf == _QUOTE)
    if len(quotes):
        if len(quotes) % 2:
            return False  # a quoted field never closed
        opening, closing = quotes[0::2], quotes[1::2]  # quotes alternate: open, close (or "" inside)
        before = buf[np.maximum(opening - 1, 0)]
        after = buf[np.minimum(closing + 1, len(buf) - 1)]
        opens_field = np.isin(before, _FIELD_EDGE) | (opening == 0)
        closes_field = np.isin(after, _FIELD_EDGE) | (closing == len(buf) - 1)
        if not (opens_field.all() and closes_field.all()):
            return False
        # a separator counts when an even number of quotes comes before it
        breaks = breaks[np.searchsorted(quotes, breaks) % 2 == 0]
        commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(buf)]))
    if starts[-1] == len(buf):  # the text ends with a line break: no record after it
        starts, ends = starts[:-1], ends[:-1]
    length = ends - starts - (buf[np.maximum(ends - 1, 0)] == _CR)
    fields = np.searchsorted(commas, ends) - np.searchsorted(commas, starts) + 1
    if len(fields) < 2 or fields[0] != width:
        return False
    data_fields, blank = fields[1:], length[1:] <= 0
    return bool((~blank).any() and (data_fields[~blank] == width).all())


def _header(source: SourceFile, text: str) -> list[str]:
    """The first record as the csv module reads it, from the start of the text only."""
    size = 1 << 16
    while True:
        rows = csv.reader(io.StringIO(text[:size]))
        header = next(rows, None)
        if size >= len(text) or next(rows, None) is not None:  # the next record began: the header is whole
            break
        size *= 16
    if not header or all(not cell.strip() for cell in header):
        raise IngestError(f"{source.label}: the file is empty (no header line)")
    return header


def _check_field_counts(source: SourceFile, text: str, width: int) -> None:
    """Every line must have the header's number of fields; a short last line means truncation."""
    if _field_counts_fine(source.content, width):
        return
    rows = csv.reader(io.StringIO(text))
    next(rows)
    last_line = 1
    for line_number, row in enumerate(rows, start=2):
        last_line = line_number
        if row and len(row) != width:
            truncated = not text.endswith(("\n", "\r"))
            what = "truncated: the last line" if truncated else "a line"
            raise IngestError(
                f"{source.label}: line {line_number}: {what} has {len(row)} fields where the header "
                f"has {width}; the file looks {'incomplete — download it again' if truncated else 'malformed'}"
            )
    if last_line == 1:
        raise IngestError(f"{source.label}: header only: the file has no data rows")


def read_csv_strings(source: SourceFile, keep: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A CSV as strings, exactly as written (no NA guessing), after structural checks.

    With ``keep``, a file whose header has every one of those columns is read for them alone: the
    Census file is eleven columns wide and the population reader uses six, and turning the other
    cells into strings was a third of its reading time. Every line is still checked for its width.
    """
    text = decode_text(source)  # refuses what is not UTF-8 text, naming the line
    header = [cell.strip() for cell in _header(source, text)]
    _check_field_counts(source, text, len(header))
    wanted = set(keep) if keep and set(keep) <= set(header) else None
    try:  # from the bytes, now known to be UTF-8: pandas re-encodes text it is given, a third more time
        frame = pd.read_csv(io.BytesIO(source.content), dtype=str, keep_default_na=False, encoding="utf-8",
                            usecols=(lambda name: name.strip() in wanted) if wanted else None)
    except (pd.errors.ParserError, ValueError) as exc:
        raise IngestError(f"{source.label}: not a readable CSV file ({exc})") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.insert(0, "row_number", range(2, len(frame) + 2))
    return frame


KNOWN_COLUMNS = {*POLICE_REQUIRED, *POLICE_UK_COLUMNS, *PARTNER_REQUIRED, *PARTNER_OPTIONAL,
                 *IDVA_REQUIRED, *POPULATION_COLUMNS}


def _require(source: SourceFile, columns: list[str], required: tuple[str, ...]) -> None:
    columns = [c for c in columns if c != "row_number"]  # our own line counter, not the file's
    missing = [name for name in required if name not in columns]
    if not missing:
        return
    # A renamed column can only be one the file has that we do not already recognise.
    unknown = [c for c in columns if c not in KNOWN_COLUMNS]
    hints = []
    for name in missing:
        same = [c for c in unknown if c.strip().casefold() == name.casefold()]
        close = same or difflib.get_close_matches(name, unknown, n=1, cutoff=0.6)
        hints.append(f"'{name}'" + (f" (found '{close[0]}': renamed?)" if close else ""))
    shown = ", ".join(repr(c[:60]) for c in columns[:15]) + (f" and {len(columns) - 15} more"
                                                            if len(columns) > 15 else "")
    raise IngestError(
        f"{source.label}: line 1: missing required column(s) {', '.join(hints)}; "
        f"the file has: {shown}. Restore the column names of the published file and ingest it again"
    )


def _numeric(frame: pd.DataFrame, column: str, label: str, problems: list[RowProblem],
             integer: bool = False) -> pd.Series:
    """Convert a text column to numbers; unconvertible non-empty cells become row problems.

    A column whose every non-empty cell is a plain number (a police file's coordinates) is converted
    as it is; only a column with something else in it (spaces, thousands separators, text) is
    stripped and cleaned first, cell by cell, which was a quarter of reading a police file."""
    plain = pd.to_numeric(frame[column], errors="coerce")
    unreadable = plain.isna() & (frame[column] != "")
    if integer:
        unreadable |= plain.notna() & (plain % 1 != 0)
    if not unreadable.any():
        return plain
    text = frame[column].astype(str).str.strip()
    values = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    bad = values.isna() & (text != "")
    if integer:
        bad |= values.notna() & (values % 1 != 0)
    for row_number, value in zip(frame.loc[bad, "row_number"], text[bad], strict=True):
        kind = "a whole number" if integer else "a number"
        problems.append(RowProblem(int(row_number), column, "type",
                                   f"{label} row {row_number}: {column} {value!r} is not {kind}"))
    return values.where(~bad)


def _blank_to_none(series: pd.Series) -> pd.Series:
    """Text stripped, blank text missing (NaN, as pandas' own ``where`` gave); done once per distinct
    value (a month of a force's rows repeats a few hundred locations, codes and outcomes tens of
    thousands of times)."""
    codes, uniques = pd.factorize(series.astype(str), use_na_sentinel=True)
    cleaned = np.array([value.strip() or np.nan for value in uniques] + [np.nan], dtype=object)
    return pd.Series(cleaned[codes], index=series.index, name=series.name, dtype=object)


def parse_police_uk(source: SourceFile) -> tuple[pd.DataFrame, list[RowProblem]]:
    """A data.police.uk street-level file as a normalised 'police_uk' frame."""
    raw = read_csv_strings(source)
    _require(source, list(raw.columns), POLICE_REQUIRED)
    for original in POLICE_UK_COLUMNS:
        if original not in raw.columns:
            raw[original] = ""
    frame = raw.rename(columns=POLICE_UK_COLUMNS)
    problems: list[RowProblem] = []
    for column in ("longitude", "latitude"):
        frame[column] = _numeric(frame, column, source.label, problems).astype(float)
    for column in ("crime_id", "location", "lsoa_code", "lsoa_name", "outcome", "context",
                   "reported_by", "falls_within"):
        frame[column] = _blank_to_none(frame[column])
    frame["month"] = frame["month"].astype(str).str.strip()
    frame["category"] = frame["category"].astype(str).str.strip()
    return frame[["row_number", *FRAME_COLUMNS["police_uk"]]], problems


def _snake(name: object) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def _xlsx_frame(source: SourceFile, required: tuple[str, ...]) -> pd.DataFrame:
    """An XLSX sheet as strings, finding the header row below any title rows."""
    check_workbook(source)
    try:
        grid = pd.read_excel(io.BytesIO(source.content), header=None, dtype=str)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise IngestError(f"{source.label}: not a readable XLSX workbook ({exc})") from exc
    grid = grid.fillna("")
    for index in range(min(HEADER_SEARCH_ROWS, len(grid))):
        names = [_snake(v) for v in grid.iloc[index]]
        if set(required) <= set(names):
            body = grid.iloc[index + 1 :].copy()
            body.columns = names
            body = body[[c for c in body.columns if c]]
            body = body[(body != "").any(axis=1)]
            if body.empty:
                raise IngestError(f"{source.label}: header only: the sheet has no data rows")
            body.insert(0, "row_number", [int(i) + 1 for i in body.index])
            return body.reset_index(drop=True)
    raise IngestError(
        f"{source.label}: no header row with columns {', '.join(required)} in the first "
        f"{HEADER_SEARCH_ROWS} rows of the first sheet"
    )


def read_table(source: SourceFile, required: tuple[str, ...]) -> pd.DataFrame:
    """A partner table (CSV or XLSX) with snake_case column names and a row_number column."""
    if source.is_xlsx:
        frame = _xlsx_frame(source, required)
    else:
        frame = read_csv_strings(source)
        frame.columns = ["row_number", *[_snake(c) for c in frame.columns[1:]]]
    _require(source, list(frame.columns), required)
    return frame


def _month_text(series: pd.Series) -> pd.Series:
    """Months as 'YYYY-MM' whether written so or as dates (Excel); other text is left for validation."""
    text = series.astype(str).str.strip()
    parsed = pd.to_datetime(text.where(~text.str.fullmatch(r"\d{4}-\d{2}")), errors="coerce",
                            format="mixed")
    return text.where(parsed.isna(), parsed.dt.strftime("%Y-%m"))


def parse_partner(source: SourceFile, kind: str) -> tuple[pd.DataFrame, list[RowProblem]]:
    """A monthly partner table (fire, ambulance, A&E, council ASB, hate crime)."""
    frame = read_table(source, PARTNER_REQUIRED)
    for column in PARTNER_OPTIONAL:
        if column not in frame.columns:
            frame[column] = ""
    problems: list[RowProblem] = []
    frame["count"] = _numeric(frame, "count", source.label, problems, integer=True)
    frame["month"] = _month_text(frame["month"])
    for column in ("category", "subcategory", "area_code", "area_name", "district"):
        frame[column] = _blank_to_none(frame[column])
    return frame[["row_number", *FRAME_COLUMNS[kind], "district"]], problems


_QUARTER_START = {1: 4, 2: 7, 3: 10, 4: 1}


def parse_idva(source: SourceFile) -> tuple[pd.DataFrame, list[RowProblem]]:
    """IDVA referrals by district, financial year and quarter (Q1 = April-June)."""
    frame = read_table(source, IDVA_REQUIRED)
    problems: list[RowProblem] = []
    referrals = _numeric(frame, "referrals", source.label, problems, integer=True)
    quarter = _numeric(frame, "quarter", source.label, problems, integer=True)
    year = frame["financial_year"].astype(str).str.extract(r"^(\d{4})-\d{2}$")[0]
    months = []
    for row_number, first_year, q in zip(frame["row_number"], year, quarter, strict=True):
        if pd.isna(first_year) or q not in _QUARTER_START:
            problems.append(RowProblem(int(row_number), "financial_year", "period",
                                       f"{source.label} row {row_number}: financial year and quarter "
                                       "must look like 2024-25 and 1-4"))
            months.append("")
            continue
        start = _QUARTER_START[int(q)]
        months.append(f"{int(first_year) + (1 if start == 1 else 0)}-{start:02d}")
    out = pd.DataFrame({
        "row_number": frame["row_number"],
        "month": months,
        "period_months": 3,
        "category": "IDVA referrals",
        "subcategory": None,
        "area_code": None,
        "area_name": _blank_to_none(frame["district"]),
        "count": referrals,
        "district": _blank_to_none(frame["district"]),
    })
    return out, problems


CENSUS2021_COLUMNS = ("Geography code", "Geography label", "Geography area type", "Parent area code",
                      "Parent area type", "Total")
EXACT_FIT_COLUMNS = ("lsoa11_code", "change_code", "lsoa21_code")
MSOA_NAME_COLUMNS = ("msoa21cd", "msoa21nm", "msoa21hclnm", "msoa21hclnmw")
WARD_COLUMNS = ("lsoa21_code", "ward24_code", "ward24_name")


# The census file is both a source (ingested) and the 2021 reference (placing rows): parsed once for both.
_LAST_POPULATION: dict[tuple[str, str], tuple[pd.DataFrame, list[RowProblem]]] = {}


def parse_population(source: SourceFile) -> tuple[pd.DataFrame, list[RowProblem]]:
    """A population file by LSOA: Census 2021 TS001 (every geography level) or the Census 2011 table.

    The same bytes under the same label give the same (shared, never modified) result.
    """
    key = (source.label, source.raw_sha256)
    if key in _LAST_POPULATION:
        return _LAST_POPULATION[key]
    raw = read_csv_strings(source, keep=CENSUS2021_COLUMNS)
    result = _census2021_lsoas(source, raw) if "Geography area type" in raw.columns \
        else _census2011_lsoas(source, raw)
    _LAST_POPULATION.clear()
    _LAST_POPULATION[key] = result
    return result


def _census2011_lsoas(source: SourceFile, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[RowProblem]]:
    """The Census 2011 LSOA population file: the first 'Persons' column is all usual residents."""
    _require(source, list(raw.columns), tuple(POPULATION_COLUMNS))
    frame = raw.rename(columns=POPULATION_COLUMNS)  # duplicates 'Persons.1' etc. are left alone
    problems: list[RowProblem] = []
    frame["persons"] = _numeric(frame, "persons", source.label, problems, integer=True)
    frame["households"] = _numeric(frame, "households", source.label, problems, integer=True)
    return frame[["row_number", *FRAME_COLUMNS["population"]]].assign(census_year=2011), problems


def _census2021_lsoas(source: SourceFile, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[RowProblem]]:
    """ONS Census 2021 TS001: one row per output area, LSOA, MSOA and authority, each naming its parent.

    An LSOA's parent is its MSOA and an MSOA's parent its local authority, so the LSOA rows joined to
    the MSOA rows give LSOA -> MSOA -> authority with the usual residents ('Total'). Households are not
    in TS001 (it counts residents living in households), so that column is left empty.
    """
    _require(source, list(raw.columns), CENSUS2021_COLUMNS)
    kind = raw["Geography area type"].str.strip()
    lsoas, msoas = raw[kind == "LSOA"], raw[kind == "MSOA"]
    authorities = raw[kind == "Local Authority"].set_index("Geography code")["Geography label"]
    if lsoas.empty:
        raise IngestError(f"{source.label}: column 'Geography area type': no 'LSOA' rows; expected the "
                          "Census 2021 TS001 file with LSOA, MSOA and Local Authority rows")
    msoa_parent = msoas.set_index("Geography code")["Parent area code"]
    frame = pd.DataFrame({
        "row_number": lsoas["row_number"],
        "lsoa_code": lsoas["Geography code"].str.strip(),
        "lsoa_name": lsoas["Geography label"].str.strip(),
        "msoa_code": lsoas["Parent area code"].str.strip(),
        "msoa_name": lsoas["Parent area type"].str.strip(),  # TS001 puts the parent's name here
    })
    frame["la_code"] = frame["msoa_code"].map(msoa_parent).astype(object)
    frame["la_name"] = frame["la_code"].map(authorities).astype(object)
    problems: list[RowProblem] = []
    frame["persons"] = _numeric(lsoas, "Total", source.label, problems, integer=True)
    frame["households"] = None
    frame["census_year"] = 2021
    orphans = frame["la_code"].isna()
    for row_number, code in zip(frame.loc[orphans, "row_number"], frame.loc[orphans, "msoa_code"], strict=True):
        problems.append(RowProblem(int(row_number), "Parent area code", "lookup",
                                   f"{source.label} row {row_number}: MSOA {code!r} has no MSOA row "
                                   "naming its local authority"))
    return frame.reset_index(drop=True), problems


# --- reference lookups: one reader per file, cached on the file's path, size and modification time ---


class ReferenceFileError(IngestError):
    """A reference file (census, lookup, names) that is missing or not in the expected shape."""


def _reference_table(path: Path, required: tuple[str, ...], what: str) -> pd.DataFrame:
    """A reference CSV (gzipped or not) as strings; errors name the file and the columns it lacks."""
    if not path.exists():
        raise ReferenceFileError(f"{path}: no such file ({what}); check the path under 'geography' in the "
                             "partnership's configuration (or its force or shared defaults file)")
    files, _ = discover(path)
    if not files:
        raise ReferenceFileError(f"{path}: not a CSV or CSV.GZ file ({what})")
    frame = read_csv_strings(files[0])
    frame.columns = [c.lstrip("\ufeff") for c in frame.columns]
    _require(files[0], list(frame.columns), required)
    return frame


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat() if path.exists() else None
    return str(path), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0


@lru_cache(maxsize=4)
def _census2021_cached(stamp: tuple[str, int, int]) -> pd.DataFrame:
    path = Path(stamp[0])
    if not path.exists():
        raise ReferenceFileError(f"{path}: no such file (Census 2021 TS001 population); check sources.population")
    files, _ = discover(path)
    frame, _problems = parse_population(files[0])
    if frame["census_year"].iloc[0] != 2021:
        raise ReferenceFileError(f"{path}: not the Census 2021 TS001 file (no 'Geography area type' column)")
    return frame.drop(columns=["row_number"]).set_index("lsoa_code", drop=False)


def census2021_lsoas(path: Path) -> pd.DataFrame:
    """Every 2021 LSOA of England and Wales: lsoa_code (index), names, msoa_code, la_code, persons."""
    return _census2021_cached(_stamp(path))


@lru_cache(maxsize=4)
def _exact_fit_cached(stamp: tuple[str, int, int]) -> pd.DataFrame:
    frame = _reference_table(Path(stamp[0]), EXACT_FIT_COLUMNS, "LSOA 2011 -> 2021 exact-fit lookup")
    frame = frame[list(EXACT_FIT_COLUMNS)].apply(lambda s: s.str.strip())
    bad = ~frame["change_code"].isin(("U", "S", "M", "X"))
    if bad.any():
        row = int(frame.index[bad][0]) + 2
        raise ReferenceFileError(f"{stamp[0]}: row {row}: column 'change_code' is "
                             f"{frame.loc[bad, 'change_code'].iloc[0]!r}; expected U, S, M or X")
    return frame.drop_duplicates().reset_index(drop=True)


def lsoa_2011_to_2021(path: Path) -> pd.DataFrame:
    """The ONS exact-fit lookup: lsoa11_code, change_code (U/S/M/X), lsoa21_code; one row per pair."""
    return _exact_fit_cached(_stamp(path))


@lru_cache(maxsize=4)
def _msoa_names_cached(stamp: tuple[str, int, int]) -> pd.DataFrame:
    frame = _reference_table(Path(stamp[0]), MSOA_NAME_COLUMNS, "House of Commons Library MSOA names")
    return frame[list(MSOA_NAME_COLUMNS)].apply(lambda s: s.str.strip()).set_index("msoa21cd")


def msoa_place_names(path: Path) -> pd.DataFrame:
    """MSOA 2021 code (index) -> ONS name, the Library's place name (English) and its Welsh name."""
    return _msoa_names_cached(_stamp(path))


@lru_cache(maxsize=4)
def _wards_cached(stamp: tuple[str, int, int]) -> pd.DataFrame:
    frame = _reference_table(Path(stamp[0]), WARD_COLUMNS, "LSOA 2021 -> ward lookup")
    return frame[list(WARD_COLUMNS)].apply(lambda s: s.str.strip()).drop_duplicates("lsoa21_code") \
        .set_index("lsoa21_code")


def lsoa_wards(path: Path) -> pd.DataFrame:
    """LSOA 2021 code (index) -> ward24_code, ward24_name (each LSOA lies in one ward)."""
    return _wards_cached(_stamp(path))
