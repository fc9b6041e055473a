"""Whether the stored recommendations still stand: drafted from the very store, rules and parameters
there are now. The annual cycle then takes them as they are without running the stage's flow (which
would draft them again from its cache and write nothing)."""

from __future__ import annotations

from csp.config import Partnership, load_partnership
from csp.orchestration import Unchanged
from csp.settings import get_settings
from csp.store.db import cycle_digest
from tasks.prioritise import store
from tasks.prioritise.tasks import code_version
from tasks.prioritise.themes import ThemeScoring
from tasks.validate.gate import CycleBlocked, check_gate

UNCHANGED = "unchanged inputs: the stored recommendations stand"


# Parts of a partnership's configuration that only the papers and the rest of the year read: a
# secretary fixing a template, or a new board member, must not make the recommendations run again.
NOT_READ = {"templates", "board", "members", "contact", "actions", "finance", "scrutiny", "config_file"}


def parameters(config: Partnership, scoring: ThemeScoring, use_trend: bool, source_kind: str) -> str:
    """The stage's parameters as they enter its digest: the partnership's configuration (its priority
    area rules, thresholds and growth areas among the rest) and the flow's own."""
    return (f"{config.model_dump_json(exclude=NOT_READ)}|{scoring.model_dump_json()}"
            f"|trend={use_trend}|source={source_kind}")


def recommendations_stand(partnership: str, cycle: str, database_url: str | None = None,
                          scoring: ThemeScoring = ThemeScoring(),  # noqa: B008 - frozen, as the flow's default
                          use_trend: bool = True, source_kind: str = "police_uk",
                          flow_run_id: str | None = None) -> Unchanged | None:
    """The recommendations stage's result without running it, when the stored recommendations were
    drafted from what the store holds now, by the same rules, configuration and parameters; the stage run is
    recorded as completed with that note. A blocked cycle goes through the flow, which says what to do."""
    url = database_url or get_settings().database_url
    if cycle_digest(url, partnership, cycle, "recommendations_digest") is None:
        return None  # never drafted to completion: nothing to compare (and no fingerprint to pay for)
    try:
        check_gate(url, partnership, cycle, "priorities")
    except CycleBlocked:
        return None
    digest = store.drafted_from(store.fingerprint(url, partnership, cycle), code_version(),
                                parameters(load_partnership(partnership), scoring, use_trend, source_kind))
    counts = store.current_counts(url, partnership, cycle, digest)
    if counts is None:
        return None
    store.end_stage(url, store.begin_stage(url, partnership, cycle, flow_run_id), "completed", UNCHANGED)
    return Unchanged(UNCHANGED, {"areas": counts["area"], "themes": counts["theme"],
                                 "cached": {"areas": True, "themes": True}, "saved": UNCHANGED})
