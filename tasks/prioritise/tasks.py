"""The work of the priorities stage as plain functions, and thin Prefect task wrappers around them.

The drafting tasks are cached on their inputs and source (``INPUTS + TASK_SOURCE``) with persisted
results. Their inputs include a fingerprint of the stored metrics and earlier decisions and a hash of
this package's code, so new data or a changed rule recomputes while an unchanged store reuses the
result. Tasks that write (saving, stage runs, the artifact) are never cached.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import INPUTS, NO_CACHE, TASK_SOURCE

from csp import metrics as m
from csp.config import Partnership
from csp.orchestration import package_sources, source_digest
from csp.store.db import MissingStageError
from tasks.prioritise import store
from tasks.prioritise.common import AREA, THEME, Draft
from tasks.prioritise.rules import AreaRules, classify_areas, collect_facts, known_areas, resolve_growth_areas
from tasks.prioritise.themes import ThemeScoring, recommend_themes

PACKAGE_DIR = Path(__file__).resolve().parent


def code_version() -> str:
    """A hash of this package's source (and the tests of change and theme list it uses): the rules live
    outside the task functions Prefect hashes."""
    root = PACKAGE_DIR.parents[1]
    shared = [root / "tasks" / "assess" / "stats.py", root / "csp" / "themes.py"]
    return source_digest([*package_sources(PACKAGE_DIR), *shared])


def draft_areas(url: str, config: Partnership, cycle: str, use_trend: bool = True,
                source_kind: str = "police_uk") -> list[Draft]:
    """Classify every area of the cycle (see rules.py)."""
    frame = store.load_metrics(url, config.id, cycle)
    facts = collect_facts(frame, source_kind)
    if not facts:
        raise MissingStageError(
            f"no area metrics (area_type {m.AREA!r}, source {source_kind!r}) stored for "
            f"{config.id} {cycle}: run the strategic assessment first "
            f"(csp assess -p {config.id} -c {cycle})")
    population = store.known_population_areas(url, config.id) if config.area_unit.kind == "msoa" else {}
    known = known_areas(frame, population)
    growth = resolve_growth_areas(config, known)
    earlier = store.earlier_adoptions(url, config.id, cycle, AREA)
    return classify_areas(facts, AreaRules.from_config(config, use_trend, source_kind), growth,
                          earlier, known)


def draft_themes(url: str, config: Partnership, cycle: str, scoring: ThemeScoring) -> list[Draft]:
    """Score every theme and recommend retain, add or retire (see themes.py)."""
    frame = store.load_metrics(url, config.id, cycle)
    if frame.empty:
        raise MissingStageError(
            f"no metrics stored for {config.id} {cycle}: run the strategic assessment first")
    earlier = store.earlier_adoptions(url, config.id, cycle, THEME)
    t = config.thresholds
    period = config.cycle(cycle)
    periods = ([str(p) for p in period.months], [str(p) for p in period.previous_months])
    return recommend_themes(frame, cycle, list(config.priorities), dict(config.harm_weights), earlier,
                            scoring, t.significance, t.suppression_min,
                            store.load_monthly(url, config.id, cycle), periods)


def artifact_rows(url: str, partnership_id: str, cycle: str) -> list[dict[str, str]]:
    """The recommendations beside any decisions, as rows of the Prefect table artifact."""
    return [view.as_row() for view in store.recommendations_with_decisions(url, partnership_id, cycle)]


# --- Prefect wrappers ---------------------------------------------------------------------------


@task(name="store-fingerprint", cache_policy=NO_CACHE)
def fingerprint_task(url: str, partnership_id: str, cycle: str) -> str:
    return store.fingerprint(url, partnership_id, cycle)


@task(name="draft-priority-areas", cache_policy=INPUTS + TASK_SOURCE, persist_result=True)
def draft_areas_task(url: str, config: Partnership, cycle: str, store_fingerprint: str, code: str,
                     use_trend: bool = True, source_kind: str = "police_uk") -> list[Draft]:
    """Cached on the store fingerprint and code version (both only feed the cache key)."""
    return draft_areas(url, config, cycle, use_trend, source_kind)


@task(name="draft-thematic-priorities", cache_policy=INPUTS + TASK_SOURCE, persist_result=True)
def draft_themes_task(url: str, config: Partnership, cycle: str, store_fingerprint: str, code: str,
                      scoring: ThemeScoring) -> list[Draft]:
    """Cached on the store fingerprint and code version (both only feed the cache key)."""
    return draft_themes(url, config, cycle, scoring)


@task(name="save-recommendations", cache_policy=NO_CACHE)
def save_task(url: str, partnership_id: str, cycle: str, drafts: list[Draft],
              run_id: str | None) -> store.SaveSummary:
    return store.save_recommendations(url, partnership_id, cycle, drafts, run_id)


@task(name="begin-stage", cache_policy=NO_CACHE)
def begin_stage_task(url: str, partnership_id: str, cycle: str, flow_run_id: str | None) -> int:
    return store.begin_stage(url, partnership_id, cycle, flow_run_id)


@task(name="end-stage", cache_policy=NO_CACHE)
def end_stage_task(url: str, stage_run_id: int, status: str, message: str | None,
                   digest: str | None = None) -> None:
    store.end_stage(url, stage_run_id, status, message, digest)


@task(name="priorities-artifact", cache_policy=NO_CACHE)
def artifact_task(url: str, partnership_id: str, cycle: str) -> list[dict[str, str]]:
    rows = artifact_rows(url, partnership_id, cycle)
    create_table_artifact(
        table=rows,
        key=f"priorities-{partnership_id}-{cycle}",
        description=f"Priority recommendations for {partnership_id} {cycle}, beside the board's decisions.",
    )
    return rows
