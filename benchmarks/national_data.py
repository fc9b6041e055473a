"""National benchmark input: police.uk-shaped monthly files for every force in England and Wales.

For benchmarks only, never for tests of truth. Rows are the real bundled police.uk rows
(Cambridgeshire and Gwent) resampled onto the real 2021 LSOAs of each force's authorities:

- LSOAs and residents: Census 2021 TS001 (output areas summed to their 2021 LSOA);
- force of an English LSOA: its 2011 LSOA's force (lsoa2011_police_force_ew) through the 2011->2021
  exact-fit lookup (the most common force of its 2011 parts); Welsh LSOAs: the four Welsh forces by
  authority;
- rows per force and month: ``rows_per_month`` (default 500,000 nationally) shared by residents;
  each row's LSOA drawn with probability proportional to residents; category, outcome, context,
  location and coordinates come with the resampled real row (coordinates stay where the real row was:
  placement is by LSOA, and the points stay on land).

Partnerships: one per local authority (2022 authorities of the lookup), written as YAML to a folder
meant for CSP_CONFIG_DIR; population is the real Census 2021 TS001 file, as for every partnership.
Seeded: the same arguments give the same bytes.

Run: .venv/bin/python benchmarks/national_data.py --months 12 --out var/national [--scale 0.1]
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "data" / "raw" / "reference"
POLICE = ROOT / "data" / "raw" / "police_uk"
CYCLE = "2025-26"
LAST_MONTH = pd.Period("2025-09", freq="M")
WELSH_FORCES = {
    "Dyfed-Powys Police": ("Carmarthenshire", "Ceredigion", "Pembrokeshire", "Powys"),
    "Gwent Police": ("Blaenau Gwent", "Caerphilly", "Monmouthshire", "Newport", "Torfaen"),
    "North Wales Police": ("Conwy", "Denbighshire", "Flintshire", "Gwynedd", "Isle of Anglesey", "Wrexham"),
    "South Wales Police": ("Bridgend", "Cardiff", "Merthyr Tydfil", "Neath Port Talbot", "Rhondda Cynon Taf",
                           "Swansea", "Vale of Glamorgan"),
}


@dataclass(frozen=True)
class National:
    """Every 2021 LSOA with its residents, authority and force."""

    lsoas: pd.DataFrame  # lsoa21_code, lsoa21_name, ltla22_code, ltla22_name, force, persons


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _force_name(name: str) -> str:
    """'Cambridgeshire' -> 'Cambridgeshire Constabulary'-like labels are not needed: a plain name."""
    return name if name.endswith(("Police", "Constabulary")) else f"{name} Police"


def load_national() -> National:
    census = pd.read_csv(REFERENCE / "census2021_ts001_usual_residents_ew.csv.gz",
                         usecols=["Parent area code", "Total"])
    persons = census.groupby("Parent area code")["Total"].sum().rename("persons")
    fit = pd.read_csv(REFERENCE / "lsoa2011_lsoa2021_exact_fit_ew.csv.gz", dtype=str)
    forces = pd.read_csv(REFERENCE / "lsoa2011_police_force_ew.csv.gz", dtype=str,
                         usecols=["LSOA Code", "Police_force"])
    fit = fit.merge(forces, left_on="lsoa11_code", right_on="LSOA Code", how="left")
    welsh = {la: force for force, las in WELSH_FORCES.items() for la in las}
    fit["force"] = fit["Police_force"].map(_force_name, na_action="ignore")
    fit["force"] = fit["force"].fillna(fit["ltla22_name"].map(welsh))
    lsoas = (fit.dropna(subset=["force"])
             .groupby(["lsoa21_code", "lsoa21_name", "ltla22_code", "ltla22_name"])["force"]
             .agg(lambda s: s.mode().iloc[0]).reset_index())
    lsoas = lsoas.merge(persons, left_on="lsoa21_code", right_index=True, how="inner")
    return National(lsoas.sort_values("lsoa21_code").reset_index(drop=True))


def real_rows() -> pd.DataFrame:
    """The pool resampled from: every bundled police.uk row."""
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(POLICE.glob("*/*.csv.gz"))]
    return pd.concat(frames, ignore_index=True)


def months(count: int) -> list[pd.Period]:
    return list(pd.period_range(end=LAST_MONTH, periods=count, freq="M"))


def _force_month(pool: pd.DataFrame, lsoas: pd.DataFrame, force: str, month: pd.Period, rows: int,
                 rng: np.random.Generator) -> pd.DataFrame:
    picked = pool.iloc[rng.integers(0, len(pool), rows)].reset_index(drop=True)
    weights = lsoas["persons"].to_numpy(dtype=float)
    where = rng.choice(len(lsoas), size=rows, p=weights / weights.sum())
    located = picked["LSOA code"] != ""  # the real share of rows without a location stays without one
    picked.loc[located, "LSOA code"] = lsoas["lsoa21_code"].to_numpy()[where][located.to_numpy()]
    picked.loc[located, "LSOA name"] = lsoas["lsoa21_name"].to_numpy()[where][located.to_numpy()]
    picked["Month"] = str(month)
    picked["Reported by"] = force
    picked["Falls within"] = force
    has_id = picked["Crime ID"] != ""
    ids = [f"{x:016x}{y:016x}" for x, y in rng.integers(0, 2**62, size=(int(has_id.sum()), 2))]
    picked.loc[has_id, "Crime ID"] = ids
    return picked


def write_police(national: National, pool: pd.DataFrame, out: Path, month_count: int, rows_per_month: int,
                 seed: int, forces: list[str] | None = None) -> dict[str, Path]:
    """One folder per force, one gzip CSV per month; returns force -> folder."""
    lsoas = national.lsoas
    total = lsoas["persons"].sum()
    folders = {}
    written = 0
    for force, group in lsoas.groupby("force"):
        if forces and force not in forces:
            continue
        folder = out / "police_uk" / slug(force)
        folder.mkdir(parents=True, exist_ok=True)
        rows = max(1, round(rows_per_month * group["persons"].sum() / total))
        for month in months(month_count):
            rng = np.random.default_rng([seed, int(month.ordinal), sum(map(ord, force))])
            frame = _force_month(pool, group.reset_index(drop=True), force, month, rows, rng)
            path = folder / f"{month}-{slug(force)}-street.csv.gz"
            with gzip.open(path, "wt", compresslevel=1, newline="", encoding="utf-8") as handle:
                frame.to_csv(handle, index=False)
            written += len(frame)
        folders[force] = folder
    (out / "rows.txt").write_text(f"{written}\n", encoding="utf-8")
    return folders


def write_config(national: National, out: Path, folders: dict[str, Path]) -> Path:
    """One partnership per authority in the generated forces; returns the folder for CSP_CONFIG_DIR."""
    config_dir = out / "partnerships"
    config_dir.mkdir(parents=True, exist_ok=True)
    defaults = yaml.safe_load((ROOT / "data" / "partnerships" / "_defaults.yaml").read_text(encoding="utf-8"))
    population = defaults["sources"]["population"]  # the real Census 2021 TS001 file, as for every partnership
    population["path"] = str((ROOT / "data" / population["path"]).resolve())
    defaults["sources"] = {"population": population}
    (config_dir / "_defaults.yaml").write_text(yaml.safe_dump(defaults, sort_keys=False), encoding="utf-8")
    authorities = national.lsoas.drop_duplicates("ltla22_code")
    for row in authorities.itertuples():
        if row.force not in folders:
            continue
        names = national.lsoas.loc[national.lsoas["ltla22_code"] == row.ltla22_code, "lsoa21_name"]
        prefix = names.str.replace(r"\s+\d{3}[A-Z]$", "", regex=True).mode().iloc[0]
        pid = slug(row.ltla22_name)
        config = {
            "id": pid, "name": f"{row.ltla22_name} Community Safety Partnership",
            "short_name": f"{row.ltla22_name} CSP", "police_force": row.force,
            "local_authority": {"name": row.ltla22_name, "code": row.ltla22_code,
                                **({"lsoa_prefix": prefix} if prefix != row.ltla22_name else {})},
            "sources": {"police_uk": {"path": str(folders[row.force].resolve()), "required": True,
                                      "description": f"police.uk-shaped benchmark rows, {row.force}"}},
            "meetings": [{"id": "board-2026-02", "title": f"{row.ltla22_name} CSP Board",
                          "date": "2026-02-10", "start_time": "10:00", "venue": "To be confirmed",
                          "cycle": CYCLE}],
            "priorities": [],
            "board": [{"name": "Chair (to be confirmed)", "organisation": f"{row.ltla22_name} Council",
                       "role": "Chair"}],
            "contact": {"officer": "Partnership Support Officer"},
        }
        (config_dir / f"{pid}.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return config_dir


def generate(out: Path, month_count: int = 12, rows_per_month: int = 500_000, seed: int = 2026,
             forces: list[str] | None = None) -> Path:
    """Write the files and the configuration; returns the configuration folder."""
    national = load_national()
    folders = write_police(national, real_rows(), out, month_count, rows_per_month, seed, forces)
    return write_config(national, out, folders)


def smoke_data(work: Path) -> tuple[Path, list[str]]:
    """Tiny data for the benchmarks' --smoke modes: Gwent, 12 months, a few hundred rows a month, and
    the first two of its partnerships. With CSP_BENCH_SMOKE_DATA the files are made once in that
    folder and reused (the smoke test runs four benchmarks on the same files)."""
    import os

    shared = os.environ.get("CSP_BENCH_SMOKE_DATA")
    out = Path(shared) if shared else work / "smoke-data"
    if not (out / "rows.txt").exists():
        generate(out, 12, 20_000, forces=["Gwent Police"])
    config_dir = out / "partnerships"
    return config_dir, sorted(p.stem for p in config_dir.glob("[!_]*.yaml"))[:2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "national")
    parser.add_argument("--months", type=int, default=12, choices=(12, 24))
    parser.add_argument("--rows-per-month", type=int, default=500_000, help="national rows a month")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--force", action="append", help="only this force (repeatable), e.g. 'Gwent Police'")
    args = parser.parse_args()
    config_dir = generate(args.out, args.months, args.rows_per_month, args.seed, args.force)
    print(f"wrote {args.out}; partnerships in {config_dir} (set CSP_CONFIG_DIR={config_dir})", file=sys.stderr)


if __name__ == "__main__":
    main()
