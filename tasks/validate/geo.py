"""A Great Expectations expectation of our own: coordinate pairs inside a land outline.

GX has no point-in-polygon check in its core set, and a bounding box alone passes points in the sea
(the box around Great Britain is mostly water). The outline is data, not code: a JSON file in
``expectations/outlines/`` that the suite names (``"outline": "great_britain"``). Naming it rather than
inlining the vertices keeps the suite readable and GX fast (GX copies every expectation's arguments
many times while planning a validation). Importing this module registers the expectation with GX; the
suite loader does so before reading any suite.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnPairMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnPairMapMetricProvider,
    column_pair_condition_partial,
)
from great_expectations.render import LegacyRendererType, RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer
from matplotlib.path import Path

from tasks.validate.suites import SUITE_DIR

Polygon = list[list[float]]
OUTLINE_DIR = SUITE_DIR / "outlines"


@dataclass(frozen=True)
class Outline:
    name: str
    title: str
    polygons: list[Polygon]

    @property
    def vertices(self) -> int:
        return sum(len(p) for p in self.polygons)


@lru_cache(maxsize=8)
def load_outline(name: str) -> Outline:
    """An outline by name from expectations/outlines/<name>.json; a clear error if it is not there."""
    path = OUTLINE_DIR / f"{name}.json"
    if not path.exists():
        known = sorted(p.stem for p in OUTLINE_DIR.glob("*.json"))
        raise ValueError(f"{path}: no outline {name!r}; expected one of {known}")
    data = json.loads(path.read_text(encoding="utf-8"))
    return Outline(name, data.get("title", name), data["polygons"])


def inside_polygons(x: pd.Series | np.ndarray, y: pd.Series | np.ndarray,
                    polygons: list[Polygon]) -> np.ndarray:
    """True where the point (x, y) lies inside any of the polygons (matplotlib does the geometry)."""
    points = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
    inside = np.zeros(len(points), dtype=bool)
    for polygon in polygons:
        inside |= Path(np.asarray(polygon, dtype=float)).contains_points(points)
    return inside


class ColumnPairValuesInsidePolygons(ColumnPairMapMetricProvider):
    """Row-level condition metric: is the (column_A, column_B) point inside one of the polygons?"""

    condition_metric_name = "column_pair_values.inside_polygons"
    condition_domain_keys = (
        "batch_id", "table", "column_A", "column_B", "row_condition", "condition_parser", "ignore_row_if",
    )
    condition_value_keys = ("outline",)

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A: pd.Series, column_B: pd.Series, outline: str,  # noqa: N803, N805
                **kwargs: Any) -> pd.Series:
        polygons = load_outline(outline).polygons
        return pd.Series(inside_polygons(column_A, column_B, polygons), index=column_A.index)


class ExpectColumnPairValuesToBeInsidePolygons(ColumnPairMapExpectation):
    """Expect each (x, y) pair, e.g. (longitude, latitude), to lie inside one of a named outline's polygons.

    Rows where either value is missing are not checked (data.police.uk rows without a location).
    """

    outline: str
    ignore_row_if: Literal["both_values_are_missing", "either_value_is_missing", "neither"] = (
        "either_value_is_missing"
    )

    map_metric = "column_pair_values.inside_polygons"
    success_keys = ("column_A", "column_B", "outline", "ignore_row_if", "mostly")
    args_keys = ("column_A", "column_B")
    library_metadata: ClassVar[dict[str, Any]] = {"maturity": "experimental", "tags": ["geospatial"]}

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None,  # noqa: ANN001
                               **kwargs: Any) -> list[RenderedStringTemplateContent]:
        """Data Docs show the outline's title and size, not hundreds of coordinates."""
        params = dict(configuration.kwargs if configuration else {})
        outline = load_outline(params["outline"])
        params.update(title=outline.title, parts=len(outline.polygons), vertices=outline.vertices)
        template = ("($column_A, $column_B) must lie inside $title ($parts parts, $vertices vertices, "
                    "expectations/outlines/$outline.json); rows missing either value are not checked.")
        return [RenderedStringTemplateContent(
            content_block_type="string_template",
            string_template={"template": template, "params": params,
                             "styling": (runtime_configuration or {}).get("styling")},
        )]
