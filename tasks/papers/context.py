"""Build each paper's context from the store and the configuration (one builder per paper).

Every context is checked against its schema before it leaves here, so a template that passed the
template checks can always be rendered with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from csp.config import ConfigError, Partnership
from csp.store import models
from csp.store.db import session_scope
from tasks.actions.paper import build_action_log
from tasks.finance.paper import build_financial_report
from tasks.papers.common import Built, Setting
from tasks.papers.ctx_assessment import build_sa_summary, build_strategic_assessment
from tasks.papers.ctx_meeting import build_agenda_paper, build_minutes, build_terms_of_reference
from tasks.papers.ctx_priorities import build_plan, build_priorities
from tasks.papers.ctx_quality import build_data_quality
from tasks.papers.numbers import VERSIONS
from tasks.papers.schemas import SCHEMAS, conformance_errors

Builder = Callable[[Session, Setting], Built]
BUILDERS: dict[str, Builder] = {
    "strategic_assessment": build_strategic_assessment,
    "sa_summary": build_sa_summary,
    "priorities": build_priorities,
    "community_safety_plan": build_plan,
    "agenda": build_agenda_paper,
    "minutes": build_minutes,
    "data_quality": build_data_quality,
    "terms_of_reference": build_terms_of_reference,
    "action_log": build_action_log,
    "financial_report": build_financial_report,
}


class ContextError(RuntimeError):
    """A builder returned a context that does not match its schema (a defect in this package)."""


def make_setting(config: Partnership, cycle_name: str, meeting_id: str, version: str,
                 pack: dict[str, int]) -> Setting:
    """The setting of one paper; a meeting configured for another cycle is refused."""
    if version not in VERSIONS:
        raise ValueError(f"version {version!r}: expected one of {VERSIONS}")
    period = config.cycle(cycle_name)
    meeting = config.meeting(meeting_id)
    if meeting.cycle != cycle_name:
        raise ConfigError(f"{config.config_file}: meeting {meeting_id!r} belongs to cycle "
                          f"{meeting.cycle!r}, not {cycle_name!r}")
    return Setting(config, period, meeting, version, dict(pack))


def with_stored_illustrative(session: Session, config: Partnership) -> Partnership:
    """The configuration with every source the store holds an illustrative file for marked illustrative.

    A source may be configured as real yet hold an illustrative file (the county IDVA folder has a real
    2019-21 table and an illustrative 2024-26 one): such a source is treated as illustrative, so its
    figures never reach a public paper.
    """
    kinds = set(session.scalars(
        select(models.InputFile.source_kind).where(models.InputFile.partnership_id == config.id,
                                                   models.InputFile.illustrative.is_(True)).distinct()).all())
    marked = {k: s.model_copy(update={"illustrative": True}) for k, s in config.sources.items()
              if k in kinds and not s.illustrative}
    return config.model_copy(update={"sources": {**config.sources, **marked}}) if marked else config


def build_context(database_url: str, config: Partnership, cycle_name: str, meeting_id: str, kind: str,
                  version: str, pack: dict[str, int]) -> Built:
    setting = make_setting(config, cycle_name, meeting_id, version, pack)
    with session_scope(database_url) as session:
        setting = replace(setting, config=with_stored_illustrative(session, config))
        built = BUILDERS[kind](session, setting)
    errors = conformance_errors(built.context, SCHEMAS[kind])
    if errors:
        raise ContextError(f"{kind} context does not match its schema: " + "; ".join(errors[:10]))
    return built
