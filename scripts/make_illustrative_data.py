"""Write the small ILLUSTRATIVE partner files shipped in data/partners/ (seeded, so reproducible).

There is no public incident-level data for fire, ambulance, A&E, council ASB or hate crime reports, so
the project ships made-up monthly tables in the partners' published shapes, sized from the figures in
the Cambridge 2020/21 strategic assessment (seed 004): 177 fires in 11 months, 24% deliberate, 63%
accidental, 13% cause unknown; ambulance call-outs led by Market (30.5%), Arbury (11.6%) and King's Hedges
(9.7%) wards; 'nuisance' 83% of ASB. Every file name says 'illustrative' and every paper that uses them
says so. The IDVA table for 2019-21 is real (transcribed from seed 004) and is not generated here.

Run: .venv/bin/python scripts/make_illustrative_data.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent / "data" / "partners"
MONTHS = [str(p) for p in pd.period_range("2024-09", "2025-09", freq="M")]

CAMBRIDGE_WARDS = {
    "Market": 30.5, "Arbury": 11.6, "King's Hedges": 9.7, "Abbey": 6.5, "Romsey": 5.8,
    "Petersfield": 5.6, "East Chesterton": 5.0, "Trumpington": 4.4, "Cherry Hinton": 4.2,
    "Coleridge": 4.0, "West Chesterton": 3.6, "Castle": 3.4, "Queen Edith's": 3.0, "Newnham": 2.8,
}
SOUTH_CAMBS_WARDS = {
    "Cambourne": 14.0, "Sawston": 10.0, "Histon & Impington": 9.0, "Milton & Waterbeach": 9.0,
    "Longstanton": 8.0, "Gamlingay": 6.0, "Linton": 6.0, "Bassingbourn": 6.0, "Willingham": 6.0,
    "Cottenham": 6.0, "Melbourn": 5.0, "Fulbourn": 5.0, "Duxford": 5.0, "Papworth & Swavesey": 5.0,
}
PARTNERSHIPS = {
    # id: (district name, fires a month, ambulance, A&E, council ASB, hate crime, wards, hospital)
    "cambridge": ("Cambridge", 16, 55, 62, 85, 24, CAMBRIDGE_WARDS, "Addenbrooke's Hospital"),
    "south-cambridgeshire": ("South Cambridgeshire", 14, 20, 22, 40, 9, SOUTH_CAMBS_WARDS,
                             "Addenbrooke's Hospital"),
}
FIRE_SHARES = {"Deliberate primary": 0.07, "Deliberate secondary": 0.17, "Accidental primary": 0.38,
               "Accidental secondary": 0.25, "Cause not known": 0.13}
ASB_SHARES = {"Nuisance": 0.83, "Personal": 0.10, "Environmental": 0.07}
HATE_SHARES = {"Race": 0.70, "Sexual orientation": 0.12, "Religion": 0.08, "Disability": 0.06,
               "Transgender": 0.04}
IDVA_QUARTERLY = {"Cambridge": 55, "East Cambridgeshire": 21, "Fenland": 46, "Huntingdonshire": 66,
                  "South Cambridgeshire": 39, "Peterborough": 104}


def _monthly(rng: np.random.Generator, district: str, total: float, shares: dict[str, float],
             column: str = "category", **fixed: str) -> pd.DataFrame:
    rows = []
    weights = np.array(list(shares.values()), dtype=float)
    weights /= weights.sum()
    for month in MONTHS:
        for name, share in zip(shares, weights, strict=True):
            rows.append({"month": month, "district": district, column: name,
                         "count": int(rng.poisson(total * share)), **fixed})
    return pd.DataFrame(rows)


def write_partnership(pid: str, rng: np.random.Generator) -> None:
    district, fires, amb, ae, asb, hate, wards, hospital = PARTNERSHIPS[pid]
    folder = ROOT / pid
    folder.mkdir(parents=True, exist_ok=True)
    _monthly(rng, district, fires, FIRE_SHARES).to_csv(folder / "fire_incidents_illustrative.csv", index=False)
    callouts = _monthly(rng, district, amb, wards, column="area_name",
                        category="Assault-related call-out")
    callouts[["month", "district", "category", "area_name", "count"]].to_csv(
        folder / "ambulance_assault_callouts_illustrative.csv", index=False)
    _monthly(rng, district, ae, {"Assault attendance": 1.0}, subcategory=hospital).to_csv(
        folder / "ae_assault_attendances_illustrative.csv", index=False)
    _monthly(rng, district, asb, ASB_SHARES).to_csv(folder / "council_asb_reports_illustrative.csv", index=False)
    _monthly(rng, district, hate, HATE_SHARES).to_csv(folder / "hate_crime_reports_illustrative.csv", index=False)


def write_idva(rng: np.random.Generator) -> None:
    rows = []
    for year, quarters in (("2024-25", (1, 2, 3, 4)), ("2025-26", (1, 2))):
        for quarter in quarters:
            for district, mean in IDVA_QUARTERLY.items():
                rows.append({"district": district, "financial_year": year, "quarter": quarter,
                             "referrals": int(rng.poisson(mean))})
    folder = ROOT / "county" / "idva"
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(folder / "idva_referrals_2024-26_illustrative.csv", index=False)


def main() -> None:
    rng = np.random.default_rng(20251)
    for pid in PARTNERSHIPS:
        write_partnership(pid, rng)
    write_idva(rng)


if __name__ == "__main__":
    main()
