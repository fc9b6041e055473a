"""The assessment's arithmetic as one plain function of the stored inputs and the parameters.

``analyse`` chains the steps (coverage -> levels -> series -> places -> change (steps, tests) -> concentration ->
suppression) and returns everything later steps need: findings, charts and storage read this value
and compute nothing of their own. The Prefect tasks in ``tasks.assess.tasks`` call the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tasks.assess.change import Changes, compute_changes
from tasks.assess.concentration import Concentration, compute_concentration
from tasks.assess.coverage import SourceCoverage, assign_periods, source_coverage
from tasks.assess.levels import Levels, compute_levels
from tasks.assess.load import StoreInputs
from tasks.assess.params import AssessParams
from tasks.assess.places import PartnerAreas, Places, compute_partner_areas, compute_places
from tasks.assess.publish import Published, publish
from tasks.assess.rows import CountTable, MetricRow
from tasks.assess.series import Series, compute_series


@dataclass(frozen=True)
class Analysis:
    """Every computed number of one partnership's assessment, with suppression applied."""

    params: AssessParams
    coverage: dict[str, SourceCoverage]
    levels: Levels
    series: Series
    changes: Changes
    places: Places | None
    concentration: Concentration | None
    partner_areas: PartnerAreas
    published: Published
    population_file_ids: tuple[int, ...] = ()

    @property
    def metric_rows(self) -> list[MetricRow]:
        rows = list(self.levels.metrics) + list(self.series.metrics) + list(self.changes.metrics)
        rows += list(self.partner_areas.metrics)
        if self.places is not None:
            rows += list(self.places.metrics)
        if self.concentration is not None:
            rows += list(self.concentration.metrics)
        return rows

    def metric_records(self) -> list[dict[str, Any]]:
        """Rows for the metric table, each flagged ``suppressed`` where it must not be published."""
        return [row.as_record(self.published.flag(row)) for row in self.metric_rows]

    def police_categories(self) -> list[str]:
        return police_categories(self.levels)


def police_categories(levels: Levels) -> list[str]:
    """The police.uk categories of the assessment (all 14, plus any unexpected ones seen)."""
    return list(levels.table.loc[levels.table["source_kind"] == "police_uk", "category"])


def count_tables(levels: Levels, series: Series, partner_areas: PartnerAreas,
                 places: Places | None) -> list[CountTable]:
    """Every published count table, for suppression."""
    return [*levels.tables, *series.tables, *partner_areas.tables, *(places.tables if places else ())]


def population_ids(inputs: StoreInputs) -> tuple[int, ...]:
    return tuple(int(i) for i in inputs.files.loc[inputs.files["source_kind"] == "population", "id"])


def analyse(inputs: StoreInputs, params: AssessParams) -> Analysis:
    """All the assessment's numbers for one partnership and cycle."""
    events = assign_periods(inputs.events, params)
    coverage = source_coverage(inputs, params)
    levels = compute_levels(events, coverage, params)
    series = compute_series(events, coverage, levels.table, params)
    categories = police_categories(levels)
    places = compute_places(events, inputs, coverage, categories, params)
    changes = compute_changes(levels.table, series, coverage, params, events, inputs, places)
    concentration = compute_concentration(events, coverage, categories, params)
    partner_areas = compute_partner_areas(events, coverage, params)
    published = publish(count_tables(levels, series, partner_areas, places), params.suppression_min)
    return Analysis(params, coverage, levels, series, changes, places, concentration, partner_areas,
                    published, population_ids(inputs))
