"""Charts and maps for the assessment: matplotlib (Agg), greyscale PNG at 200 dpi.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot state), so charts of several
partnerships can be drawn in parallel threads. Every chart is drawn from public values only: a count hidden by suppression is not plotted (bars are
labelled "<5" or "[c]" instead, lines break), and rates, shares and rolling means resting on a hidden
count are left out, so every chart may go in a public paper (``public`` is True). Each carries a
title, axis labels with units, and its source and period in a caption line on the figure and in the
Chart row. Maps are drawn straight from the GeoJSON polygons with a PolyCollection (no geopandas).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from csp import metrics as M
from csp import side_process
from csp.suppression import CONFIDENTIAL
from tasks.assess.analysis import Analysis
from tasks.assess.coverage import CURRENT, PREVIOUS
from tasks.assess.levels import table_name as levels_table
from tasks.assess.naming import DIMENSION, slug, theme_of, theme_of_source
from tasks.assess.params import SOURCE_PUBLISHERS, SOURCE_TITLES
from tasks.assess.places import table_name as places_table
from tasks.assess.rows import ALL
from tasks.assess.series import table_name as series_table

DPI = 200
# zlib level 3, not PIL's 6: a chart is encoded in 33 ms instead of 56 (1600 x 900 pixels) for files a
# fifth larger (83 KB against 68 KB): a national run draws about 3,500 of them.
PNG_OPTIONS = {"compress_level": 3}
WIDE = (8.0, 4.5)  # 1600 x 900 pixels
SQUARE = (7.0, 7.0)  # 1400 x 1400 pixels
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")
GREYS = ("0.25", "0.55", "0.8", "0.4", "0.7", "0.15", "0.6", "0.9")
TOP_AREAS = 10
MAP_CLASSES = 5
HIDDEN_NOTE = ("Counts of 1-4 are shown as <5 and not drawn; [c] marks a count hidden so that a small one "
               "cannot be worked out.")


@dataclass(frozen=True)
class ChartSpec:
    key: str
    theme: str
    title: str
    source_kind: str
    note: str = ""


def caption(a: Analysis, spec: ChartSpec) -> str:
    """The figure's caption, printed once by the paper under the image: what, where, when, notes.

    The source goes in its own line (the Chart row's ``source``), and the image carries no title of
    its own, so a reader sees each caption once.
    """
    illustrative = " Illustrative data." if spec.source_kind in a.coverage and a.coverage[
        spec.source_kind].illustrative else ""
    note = f" {spec.note}" if spec.note else ""
    return f"{spec.title.replace(chr(10), ' ')}, {a.params.area_name}.{illustrative}{note}"


def _finish(fig: Figure, a: Analysis, spec: ChartSpec, folder: Path) -> dict[str, Any]:
    text = caption(a, spec)
    for ax in fig.axes:  # the caption is the paper's, printed once below the figure
        ax.set_title("")
    path = folder / f"{spec.key}.png"
    _save_grey(fig, path)
    publisher = SOURCE_PUBLISHERS.get(spec.source_kind, spec.source_kind)
    return {"key": spec.key, "theme": spec.theme, "path": str(path), "caption": text,
            "source": f"{publisher}; {a.params.period_label}", "public": True,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def _save_grey(fig: Figure, path: Path) -> None:
    """The figure as an 8-bit greyscale PNG at DPI.

    Every chart is drawn in greys only, so one byte a pixel holds all of it: the same pixels as
    matplotlib's colour PNG in half the bytes (in the paper too), and a chart is drawn and written in
    about a quarter less time.
    The figure's own white background makes every pixel opaque, so nothing is lost with the alpha.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    fig.set_dpi(DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    image = Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("L")
    image.save(path, format="png", dpi=(DPI, DPI), **PNG_OPTIONS)


def _public_series(a: Analysis, kind: str, category: str) -> pd.Series:
    """A source's series with hidden and missing months as NaN."""
    series = a.series.sources[kind]
    values = series.frame[category].copy()
    for month in values.index:
        hidden = a.published.hidden((series_table(kind, series.block_of(month)), month, category))
        if hidden or not series.is_published(month, category):
            values[month] = np.nan
    return values


def _short_month(month: str) -> str:
    return pd.Period(month, freq="M").strftime("%b %y")


def _months_label(months: list[str]) -> str:
    first, last = (pd.Period(m, freq="M") for m in (months[0], months[-1]))
    return f"{first.strftime('%B %Y')} to {last.strftime('%B %Y')}"


def monthly_chart(a: Analysis, category: str, folder: Path) -> dict[str, Any]:
    """Monthly counts of the assessment period (the months the caption names). Where the previous
    period is held, last year's months are drawn beside this year's; where more than 24 months are
    held, every month is drawn as one multi-year line."""
    series = a.series.sources["police_uk"]
    values_all = _public_series(a, "police_uk", category)
    current = [m for m in series.blocks.get(CURRENT, []) if m in values_all.index]
    previous = [m for m in series.blocks.get(PREVIOUS, []) if m in values_all.index]
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.09, right=0.98, top=0.95, bottom=0.2)
    what = "All police-recorded crime and ASB" if category == ALL else category
    if len(values_all) > 24:
        months = list(values_all.index)
        x = np.arange(len(months))
        ax.plot(x, values_all.to_numpy(), color="black", marker="o", markersize=2, linewidth=1.2,
                label="Monthly count")
        step = max(len(months) // 12, 1)
        ax.set_xticks(x[::step], [_short_month(m) for m in months[::step]], rotation=45, fontsize=7)
        title = f"{what}, monthly count, {_months_label(months)}"
    else:
        months = current or list(values_all.index)
        x = np.arange(len(months))
        ax.plot(x, values_all.loc[months].to_numpy(), color="black", marker="o", markersize=3, linewidth=1.6,
                label=_months_label(months))
        if len(previous) == len(months):
            ax.plot(x, values_all.loc[previous].to_numpy(), color="0.55", linestyle="--", marker="s",
                    markersize=3, linewidth=1.4, label=_months_label(previous))
            title = f"{what}, monthly count, {_months_label(months)} against the year before"
        else:
            title = f"{what}, monthly count, {_months_label(months)}"
        ax.set_xticks(x, [pd.Period(m, freq="M").strftime("%b") for m in months], fontsize=7)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("Month")
    ax.set_ylabel("Incidents per month (count)")
    ax.legend(fontsize=7, frameon=False)
    ax.grid(axis="y", color="0.85", linewidth=0.5)
    note = "Months with 1-4 incidents are not plotted (small-number suppression)." \
        if values_all.loc[months].isna().any() else ""
    spec = ChartSpec(f"monthly-{slug(what)}", theme_of("police_uk", category) if category != ALL
                     else M.OVERVIEW_THEME, title, "police_uk", note)
    return _finish(fig, a, spec, folder)


def _bars(ax: Axes, labels: list[str], values: list[float], shown: list[str], horizontal: bool) -> None:
    """Bars with hatching; hidden values are drawn as empty bars labelled '<5' or '[c]'."""
    heights = [0.0 if s in (CONFIDENTIAL,) or s.startswith("<") else v for v, s in zip(values, shown, strict=True)]
    positions = np.arange(len(labels))
    draw = ax.barh if horizontal else ax.bar
    bars = draw(positions, heights, color="0.6", edgecolor="black", linewidth=0.6, hatch="//")
    for bar, text in zip(bars, shown, strict=True):
        if horizontal:
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {text}", va="center", fontsize=7)
        else:
            ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), text, ha="center", va="bottom",
                    fontsize=7)
    if horizontal:
        ax.set_yticks(positions, labels, fontsize=7)
        ax.invert_yaxis()
    else:
        ax.set_xticks(positions, labels, fontsize=7, rotation=30, ha="right")


def category_mix_chart(a: Analysis, folder: Path) -> dict[str, Any]:
    table = a.levels.table[a.levels.table["source_kind"] == "police_uk"].sort_values("current", ascending=False)
    name = levels_table("police_uk")
    shown = [a.published.show((name, c, CURRENT), v) for c, v in zip(table["category"], table["current"],
                                                                     strict=True)]
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.3, right=0.95, top=0.9, bottom=0.17)
    _bars(ax, list(table["category"]), list(table["current"]), shown, horizontal=True)
    ax.set_title(f"Police-recorded crime and ASB by category, {a.params.ending_label}", fontsize=10)
    ax.set_xlabel("Incidents in the period (count)")
    ax.set_ylabel("Police.uk category")
    spec = ChartSpec("category-mix", M.OVERVIEW_THEME, "Police-recorded crime and ASB by category",
                     "police_uk", HIDDEN_NOTE)
    return _finish(fig, a, spec, folder)


def top_areas_chart(a: Analysis, folder: Path) -> dict[str, Any] | None:
    unit = a.places.area
    rates = unit.rates[ALL].dropna()
    table = places_table(unit.area_type, CURRENT)
    rates = rates[[not a.published.hidden((table, str(k), ALL)) for k in rates.index]]
    if rates.empty:
        return None
    top = rates.sort_values(ascending=False, kind="mergesort").head(TOP_AREAS)
    labels = [str(unit.areas.at[k, "area_name"]) for k in top.index]
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.22, right=0.95, top=0.9, bottom=0.17)
    _bars(ax, labels, list(top.to_numpy()), [f"{v:,.1f}" for v in top], horizontal=True)
    ax.set_title(f"Highest rates of police-recorded crime and ASB by {a.params.area_label}", fontsize=10)
    ax.set_xlabel(f"Incidents per 1,000 residents (Census {a.params.geography_vintage} population)")
    ax.set_ylabel(a.params.area_label)
    cover = unit.coverage.at[ALL, "pct"]
    spec = ChartSpec("top-areas-rate", M.OVERVIEW_THEME,
                     f"Top {len(top)} {a.params.area_label}s by rate per 1,000 residents", "police_uk",
                     f"Population coverage {cover:.1f}% of incidents.")
    return _finish(fig, a, spec, folder)


def partner_chart(a: Analysis, kind: str, folder: Path) -> dict[str, Any] | None:
    series = a.series.sources.get(kind)
    table = a.levels.table[a.levels.table["source_kind"] == kind]
    if series is None or table.empty:
        return None
    fig = Figure(figsize=WIDE)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.1, right=0.97, top=0.88, bottom=0.3)
    title = SOURCE_TITLES.get(kind, kind)
    title = title[0].upper() + title[1:]
    if len(table) > 1:
        name = levels_table(kind)
        shown = [a.published.show((name, c, CURRENT), v) for c, v in zip(table["category"], table["current"],
                                                                         strict=True)]
        _bars(ax, list(table["category"]), list(table["current"]), shown, horizontal=False)
        dimension = DIMENSION.get(kind, "category")
        ax.set_xlabel(dimension.capitalize())
        heading = f"{title} by {dimension}, {a.params.ending_label}"
        ylabel = "Count in the period"
    else:
        values = _public_series(a, kind, ALL).loc[series.blocks[CURRENT]]
        shown = [a.published.show((series_table(kind, CURRENT), m, ALL), v) if v == v else "n/a"
                 for m, v in series.frame.loc[series.blocks[CURRENT], ALL].items()]
        per = "quarter" if series.period_months > 1 else "month"
        labels = [_short_month(m) for m in values.index]
        _bars(ax, labels, list(values.fillna(0).to_numpy()), shown, horizontal=False)
        ax.set_xlabel(f"{per.capitalize()} (first month)")
        heading = f"{title} per {per}, {a.params.ending_label}"
        ylabel = f"Count per {per}"
    ax.set_ylabel(ylabel)
    ax.set_title(heading, fontsize=10)
    spec = ChartSpec(f"partner-{slug(kind)}", theme_of_source(kind), heading, kind, HIDDEN_NOTE)
    return _finish(fig, a, spec, folder)


# --- Maps -------------------------------------------------------------------------------------

def read_boundaries(path: str) -> dict[str, list[np.ndarray]]:
    """LSOA code -> polygon outer rings (lon, lat) from the GeoJSON (Polygon and MultiPolygon)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    rings: dict[str, list[np.ndarray]] = {}
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        code = props.get("LSOA11CD") or props.get("LSOA21CD") or props.get("lsoa_code")
        geometry = feature.get("geometry") or {}
        polygons = ([geometry.get("coordinates", [])] if geometry.get("type") == "Polygon"
                    else geometry.get("coordinates", []) if geometry.get("type") == "MultiPolygon" else [])
        if code:
            rings[code] = [np.asarray(p[0], dtype=float)[:, :2] for p in polygons if p]
    return rings


def _classes(values: pd.Series) -> np.ndarray:
    """Quantile class breaks (at most MAP_CLASSES classes, fewer when values repeat)."""
    return np.unique(np.quantile(values.to_numpy(), np.linspace(0, 1, MAP_CLASSES + 1)))


def outline(rings: list[np.ndarray]) -> list[np.ndarray]:
    """The partnership's boundary: polygon edges that belong to one ring only (shared edges cancel)."""
    seen: dict[tuple, int] = {}
    for ring in rings:
        points = [tuple(np.round(p, 6)) for p in ring]
        for start, end in zip(points, points[1:], strict=False):
            key = (start, end) if start <= end else (end, start)
            seen[key] = seen.get(key, 0) + 1
    return [np.array(edge) for edge, n in seen.items() if n == 1]


def _north_and_scale(ax: Axes, xy: np.ndarray) -> None:
    """A north arrow and a scale bar (kilometres at the map's latitude), so the map reads without axes."""
    x0, x1 = xy[:, 0].min(), xy[:, 0].max()
    y0, y1 = xy[:, 1].min(), xy[:, 1].max()
    ax.annotate("N", xy=(x1, y1), xytext=(x1, y1 - 0.12 * (y1 - y0)), ha="center", fontsize=10,
                fontweight="bold", arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.5})
    km_per_degree = 111.32 * math.cos(math.radians(float(xy[:, 1].mean())))
    width_km = (x1 - x0) * km_per_degree
    bar_km = next((k for k in (0.5, 1, 2, 5, 10, 20, 50) if k >= width_km / 5), 50)
    bar = bar_km / km_per_degree
    ax.plot([x0, x0 + bar], [y0, y0], color="black", linewidth=3, solid_capstyle="butt")
    ax.text(x0 + bar / 2, y0 + 0.015 * (y1 - y0), f"{bar_km:g} km", ha="center", va="bottom", fontsize=7)


def area_labels(rings: dict[str, list[np.ndarray]], members: dict[str, list[str]]) -> dict[str, tuple[float, float]]:
    """Where to write each named area: the middle of its LSOAs' outlines."""
    labels = {}
    for name, codes in members.items():
        points = [r for c in codes for r in rings.get(c, [])]
        if points:
            xy = np.vstack(points)
            labels[name] = (float(np.median(xy[:, 0])), float(np.median(xy[:, 1])))
    return labels


def choropleth(a: Analysis, rings: dict[str, list[np.ndarray]], rate_of: Callable[[str], float | None],
               codes: list[str], spec: ChartSpec, unit_label: str, folder: Path,
               labels: dict[str, tuple[float, float]] | None = None) -> dict[str, Any] | None:
    drawn = [c for c in codes if c in rings]
    if not drawn:
        return None
    rates = pd.Series({c: rate_of(c) for c in drawn}, dtype=float)
    known = rates.dropna()
    breaks = _classes(known) if len(known) else np.array([0.0, 1.0])
    cmap = colormaps["Greys"]
    shades = [cmap(0.15 + 0.75 * i / max(len(breaks) - 2, 1)) for i in range(max(len(breaks) - 1, 1))]
    fig = Figure(figsize=SQUARE)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.14, right=0.72, top=0.9, bottom=0.14)
    for with_rate in (True, False):
        polys, faces = [], []
        for code in drawn:
            rate = rates[code]
            if (not math.isnan(rate)) != with_rate:
                continue
            k = min(int(np.searchsorted(breaks, rate, side="right")) - 1, len(shades) - 1) if with_rate else 0
            for ring in rings[code]:
                polys.append(ring)
                faces.append(shades[max(k, 0)] if with_rate else "white")
        if polys:
            ax.add_collection(PolyCollection(polys, facecolors=faces, edgecolors="0.3", linewidths=0.3,
                                             hatch=None if with_rate else "////"))
    all_xy = np.vstack([r for c in drawn for r in rings[c]])
    ax.add_collection(LineCollection(outline([r for c in drawn for r in rings[c]]), colors="black",
                                     linewidths=1.6))
    pad = 0.04 * (all_xy[:, 0].max() - all_xy[:, 0].min())
    ax.set_xlim(all_xy[:, 0].min() - pad, all_xy[:, 0].max() + pad)
    ax.set_ylim(all_xy[:, 1].min() - pad, all_xy[:, 1].max() + pad)
    ax.set_aspect(1 / math.cos(math.radians(float(all_xy[:, 1].mean()))))
    ax.set_axis_off()  # a map for residents: no degree axes
    for name, (x, y) in (labels or {}).items():
        ax.text(x, y, name, fontsize=7, ha="center", va="center", color="black",
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "0.3", "alpha": 0.9})
    _north_and_scale(ax, all_xy)
    handles = [Patch(facecolor=shades[i], edgecolor="0.3", label=f"{breaks[i]:,.1f} to {breaks[i + 1]:,.1f}")
               for i in range(len(breaks) - 1)]
    handles.append(Patch(facecolor="white", edgecolor="0.3", hatch="////", label="No rate (see notes)"))
    ax.legend(handles=handles, title=f"{unit_label}: incidents\nper 1,000 residents", fontsize=7,
              title_fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=True)
    return _finish(fig, a, spec, folder)


def maps(a: Analysis, folder: Path) -> tuple[list[dict[str, Any]], list[str]]:
    path = a.params.boundaries_path
    if not path or not Path(path).is_file():
        return [], [f"no map drawn: boundaries file {path or '(not configured)'} not found"]
    rings = read_boundaries(path)
    places = a.places
    lsoa_codes = sorted(places.lsoa_area.index)
    hidden_area = {k for k in places.area.areas.index
                   if a.published.hidden((places_table(M.AREA, CURRENT), str(k), ALL))}
    hidden_lsoa = {k for k in places.lsoa.areas.index
                   if a.published.hidden((places_table(M.LSOA, CURRENT), str(k), ALL))}

    def area_rate(code: str) -> float | None:
        key = places.lsoa_area.get(code)
        if key is None or key in hidden_area or key not in places.area.rates.index:
            return None
        return places.area.rates.at[key, ALL]

    def lsoa_rate(code: str) -> float | None:
        if code in hidden_lsoa or code not in places.lsoa.rates.index:
            return None
        return places.lsoa.rates.at[code, ALL]

    note = ("Darker shading: higher rate. The thick line is the partnership's boundary; the areas with the "
            "five highest rates are named. Hatched: no rate (no population, too small a population, no "
            "matching police rows, or a hidden small count). Contains OS data (c) Crown copyright.")
    label = a.params.area_label
    rates = places.area.rates[ALL].dropna() if ALL in places.area.rates else pd.Series(dtype=float)
    top = [k for k in rates.sort_values(ascending=False).index if k not in hidden_area][:5]
    members = {str(places.area.areas.at[k, "area_name"]): [c for c, key in places.lsoa_area.items() if key == k]
               for k in top}
    named = area_labels(rings, members)
    out = []
    for key, rate_of, unit in (("map-area-rate", area_rate, label), ("map-lsoa-rate", lsoa_rate, "LSOA")):
        title = f"Police-recorded crime and ASB per 1,000 residents by {unit}, {a.params.ending_label}"
        spec = ChartSpec(key, M.OVERVIEW_THEME, title, "police_uk", note)
        chart = choropleth(a, rings, rate_of, lsoa_codes, spec, unit, folder, named)
        if chart:
            out.append(chart)
    missing = [] if out else [f"no map drawn: none of the partnership's LSOAs is in {path}"]
    return out, missing


ChartJob = tuple[str, tuple[Any, ...]]  # what to draw and its arguments beyond the analysis and folder


def chart_jobs(a: Analysis) -> tuple[list[ChartJob], list[str]]:
    """The charts of an assessment, in the order they are stored and shown, and the notes on those
    that cannot be drawn."""
    jobs: list[ChartJob] = []
    notes: list[str] = []
    police = a.coverage.get("police_uk")
    if police is not None and police.present and "police_uk" in a.series.sources:
        jobs.append(("monthly", (ALL,)))
        table = a.levels.table[a.levels.table["source_kind"] == "police_uk"]
        shown = a.series.sources["police_uk"].published.get(CURRENT, [])
        table = table[table["category"].isin(shown) & (table["current"] > 0)]
        main = table.sort_values("current", ascending=False).head(a.params.main_categories)["category"]
        jobs += [("monthly", (category,)) for category in main]
        jobs.append(("mix", ()))
        if a.places is not None:
            jobs += [("top areas", ()), ("maps", ())]
    else:
        notes.append("no police charts: no police-recorded data in the assessment period")
    jobs += [("partner", (kind,)) for kind, cov in a.coverage.items() if kind != "police_uk" and cov.present]
    return jobs, notes


_DRAWERS: dict[str, Callable[..., dict[str, Any] | None]] = {
    "monthly": monthly_chart, "mix": category_mix_chart, "top areas": top_areas_chart, "partner": partner_chart}


def _draw(a: Analysis, folder: Path, job: ChartJob) -> tuple[list[dict[str, Any]], list[str]]:
    name, args = job
    if name == "maps":
        return maps(a, folder)
    chart = _DRAWERS[name](a, *args, folder)
    return ([chart] if chart else []), []


def draw_jobs(a: Analysis, folder: Path, jobs: list[ChartJob]) -> list[tuple[list[dict[str, Any]], list[str]]]:
    """Draw ``jobs`` into the existing ``folder``: each job's Chart rows and notes (also run on the side
    process)."""
    return [_draw(a, folder, job) for job in jobs]


# The charts drawn on the side process when it is on (csp/side_process.py): the maps and the partners'
# charts take about as long as the monthly charts, the mix and the top areas together.
SIDE_JOBS = ("maps", "partner")


def draw_charts(a: Analysis, folder: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Draw every chart into ``folder``; returns Chart rows (without cycle and run) and notes.

    With the side process on, about half the charts are drawn there meanwhile (the same files: they
    depend on nothing else); if it fails, they are drawn here."""
    folder.mkdir(parents=True, exist_ok=True)
    jobs, notes = chart_jobs(a)
    there = [i for i, job in enumerate(jobs) if job[0] in SIDE_JOBS]
    future = (side_process.submit(draw_jobs, a, folder, [jobs[i] for i in there])
              if there and len(there) < len(jobs) else None)
    here = [i for i in range(len(jobs)) if future is None or i not in there]
    drawn = dict(zip(here, draw_jobs(a, folder, [jobs[i] for i in here]), strict=True))
    if future is not None:
        try:
            drawn.update(zip(there, side_process.result(future), strict=True))
        except Exception:  # noqa: BLE001 - whatever failed there is drawn here
            drawn.update(zip(there, draw_jobs(a, folder, [jobs[i] for i in there]), strict=True))
    charts = [chart for i in range(len(jobs)) for chart in drawn[i][0]]
    return charts, notes + [note for i in range(len(jobs)) for note in drawn[i][1]]
