"""The context each paper's template receives: the contract between the code and the Word templates.

A schema is a nested structure: a dict maps names to schemas, ``SCALAR`` (None) is a value printed as
text, and a one-element list ``[schema]`` is a list of items of that schema. The template checker
uses these schemas to catch an unknown placeholder (``{{ thme.title }}``) before anything is written;
the context builders are tested to return exactly these keys.

Nested names never shadow dict methods (``items``, ``values`` ...): Jinja would find the method first.
"""

from __future__ import annotations

from typing import Any

SCALAR = None
Schema = dict[str, Any]


def fields(*names: str) -> dict[str, None]:
    return dict.fromkeys(names, SCALAR)


PERSON = fields("name", "organisation", "role", "label")
MEETING = fields("id", "title", "date", "start_time", "venue")
OTHER_MEETING = fields("title", "date", "known")
CONTACT = fields("officer", "address", "email", "phone")
THRESHOLDS = fields("suppression_min", "top_rate_pct", "significance", "emerging_min_categories")
MATCH = fields("lsoa_pct", "msoa_pct", "population_pct")
MONTHS = fields("present", "expected", "complete", "note")  # months of police data in the period
TOTALS = fields("current", "previous", "change_pct", "change_label", "trend_label", "change_basis")

COMMON: Schema = {
    **fields(
        "partnership_name", "short_name", "area_name", "area_label", "census_year", "marking", "version",
        "is_public", "cycle", "period", "period_ending", "previous_period_ending", "period_short",
        "previous_period_short",
        "priorities_year", "issue_date",
    ),
    "meeting": MEETING,
    "contact": CONTACT,
    "thresholds": THRESHOLDS,
}

SOURCE = fields(
    "kind", "description", "file_name", "sha256", "rows_read", "rows_accepted", "rows_quarantined",
    "rows_outside_area", "period", "illustrative",
)
COVERAGE = fields("source", "months_expected", "months_present", "missing")
SOURCE_SUMMARY = fields("description", "period", "files", "rows_accepted", "illustrative")
CATEGORY_ROW = fields(
    "category", "source", "previous", "current", "change_pct", "change_label", "trend_label"
)
AREA_ROW = fields("area", "category", "count", "population", "rate", "rank")
FIGURE = fields("number", "image", "caption", "source")
THEME = {
    **fields("id", "title", "has_data", "is_priority", "category_table", "area_table"),
    "findings": [SCALAR],
    "categories": [CATEGORY_ROW],
    "areas": [AREA_ROW],
    "figures": [FIGURE],
}
RECOMMENDATION = fields("number", "kind", "subject", "recommendation", "reasons", "decided", "status")
HEADLINES = [{"title": SCALAR, "findings": [SCALAR]}]
PRIORITY_UPDATE = {
    **fields("number", "title", "lead_officer", "adopted", "theme", "recommendation", "reasons",
             "decision"),
    "findings": [SCALAR],
}
AREA_CLASS = fields("label", "areas", "status")
DECISION_STATE = fields("decided", "decided_date")

STRATEGIC_ASSESSMENT: Schema = {
    **COMMON,
    "previous": fields("cycle", "period", "assessed"),
    "totals": TOTALS,
    "new_sources": [SCALAR],
    "missing_sources": [SCALAR],
    "has_previous": SCALAR,
    "key_findings": [SCALAR],
    "recommendations": [RECOMMENDATION],
    "detailed_findings": HEADLINES,
    "method_scores": [fields("subject", "recommendation", "score", "volume_rank", "harm_rank")],
    "overview": {"findings": [SCALAR], "figures": [FIGURE]},
    "sections": [{"title": SCALAR, "themes": [THEME]}],
    "priority_updates": [PRIORITY_UPDATE],
    "illustrative": {"findings": [SCALAR], "categories": [CATEGORY_ROW], "figures": [FIGURE], "table": SCALAR},
    "sources": [SOURCE_SUMMARY],
    "illustrative_sources": [SCALAR],
    "coverage": [COVERAGE],
    "match": MATCH,
    "months": MONTHS,
    "caveats": [SCALAR],
    "methods": [SCALAR],
    "appendix_areas": [fields("area", "code", "population", "count", "rate", "rank")],
    "appendix_table": SCALAR,
    "appendix_total": fields("count", "has_remainder", "remainder", "rate", "population"),
    "assessment_run": SCALAR,
}

SA_SUMMARY: Schema = {
    **COMMON,
    "illustrative_findings": [SCALAR],
    "totals": TOTALS,
    "has_previous": SCALAR,
    "key_findings": [SCALAR],
    "recommendations": [RECOMMENDATION],
    "key_figures": [fields("label", "current", "previous", "change_pct", "change_label")],
    "priority_areas": [AREA_CLASS],
    "illustrative_sources": [SCALAR],
    "match": MATCH,
    "months": MONTHS,
}

AREA_RECOMMENDATION = fields("number", "name", "code", "reasons", "score", "status")
PRIORITIES: Schema = {
    **COMMON,
    **DECISION_STATE,
    "has_recommendations": SCALAR,
    "current_priorities": [fields("number", "title", "theme", "lead_officer", "adopted")],
    "theme_recommendations": [fields("number", "subject", "title", "recommendation", "reasons", "score",
                                      "status", "based_on")],
    "method_scores": [fields("subject", "recommendation", "score", "volume_rank", "harm_rank")],
    "emerging": [AREA_RECOMMENDATION],
    "preventing": [AREA_RECOMMENDATION],
    "sustaining": [AREA_RECOMMENDATION],
    "discharged": [AREA_RECOMMENDATION],
    "decisions": [fields("number", "subject", "recommendation", "decision", "reason", "decided_at")],
}

COMMUNITY_SAFETY_PLAN: Schema = {
    **COMMON,
    **DECISION_STATE,
    "plan_period": SCALAR,
    "priorities": [{
        **fields("number", "title", "lead_officer", "adopted", "status", "statement", "proposed", "new"),
        "actions": [SCALAR],
        "outcomes": [SCALAR],
    }],
    "priority_areas": [AREA_CLASS],
    "board": [PERSON],
    "members": [PERSON],
}

AGENDA: Schema = {
    **COMMON,
    "rows": [fields("is_group", "group", "number", "title", "lead", "minutes", "time", "papers")],
    "end_time": SCALAR,
    "total_minutes": SCALAR,
    "next_meeting": OTHER_MEETING,
}

MINUTES: Schema = {
    **COMMON,
    "board": [PERSON],
    "members": [PERSON],
    "guests": [PERSON],
    "apologies": [PERSON],
    "items": [{**fields("number", "title", "lead", "decision"),
               "outcomes": [fields("subject", "recommendation", "outcome")]}],
    "actions": [fields("number", "text", "owner", "due", "status")],
    "previous_meeting": OTHER_MEETING,
}

WARNING = fields("source", "file_name", "expectation", "column", "unexpected", "message")
DATA_QUALITY: Schema = {
    **COMMON,
    "files": [SOURCE],
    "source_summary": [SOURCE_SUMMARY],
    "coverage_sources": [SCALAR],
    "coverage_rows": [{"month": SCALAR, "cells": [SCALAR]}],
    "coverage": [COVERAGE],
    "warnings": [WARNING],
    "blocking": [WARNING],
    "quarantine": [fields("source", "file_name", "rule", "column", "rows", "reason", "row_numbers")],
    "quarantine_total": SCALAR,
    "checks": fields("total", "passed", "warnings", "blocking"),
    "match": MATCH,
    "illustrative_sources": [SCALAR],
}

TERMS_OF_REFERENCE: Schema = {
    **COMMON,
    **DECISION_STATE,
    "plan_period": SCALAR,
    "priorities": [fields("title")],
    "proposed": [fields("title")],
    "board": [PERSON],
    "members": [PERSON],
}

ACTION_ROW = fields("number", "text", "owner", "due", "action", "meeting")
ACTION_LOG: Schema = {  # tasks/actions/paper.py
    **COMMON,
    "open": [ACTION_ROW],
    "closed": [ACTION_ROW],
    "overdue": [ACTION_ROW],
    "counts": fields("open", "closed", "overdue"),
    "previous_meeting": OTHER_MEETING,
}

FINANCIAL_REPORT: Schema = {  # tasks/finance/paper.py
    **COMMON,
    **fields("financial_year", "next_financial_year", "has_budget", "grant_name", "pool_name",
             "funding_total", "balance_pool", "balance_grant", "balance_total"),
    "funding": [fields("label", "amount")],
    "unconfirmed": [SCALAR],
    "appendix": [fields("label", "amount", "bold")],
    "lines": [fields("item", "profiled", "outturn", "grant", "pool", "notes")],
    "discrepancies": [fields("label", "reported", "computed", "difference", "source")],
}

SCHEMAS: dict[str, Schema] = {
    "strategic_assessment": STRATEGIC_ASSESSMENT,
    "sa_summary": SA_SUMMARY,
    "priorities": PRIORITIES,
    "community_safety_plan": COMMUNITY_SAFETY_PLAN,
    "agenda": AGENDA,
    "minutes": MINUTES,
    "data_quality": DATA_QUALITY,
    "terms_of_reference": TERMS_OF_REFERENCE,
    "action_log": ACTION_LOG,
    "financial_report": FINANCIAL_REPORT,
}


def conformance_errors(value: Any, schema: Any, path: str = "") -> list[str]:
    """Where a built context differs from its schema (missing or extra keys, list vs object)."""
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [f"{path or 'context'}: expected an object, got {type(value).__name__}"]
        errors = [f"{path}{key}: missing" for key in schema if key not in value]
        errors += [f"{path}{key}: not in the schema" for key in value if key not in schema]
        for key in schema.keys() & value.keys():
            errors += conformance_errors(value[key], schema[key], f"{path}{key}.")
        return errors
    if isinstance(schema, list):
        if not isinstance(value, list):
            return [f"{path.rstrip('.')}: expected a list, got {type(value).__name__}"]
        errors: list[str] = []
        for index, item in enumerate(value):
            errors += conformance_errors(item, schema[0], f"{path.rstrip('.')}[{index}].")
        return errors
    if isinstance(value, dict | list):
        return [f"{path.rstrip('.')}: expected a single value, got {type(value).__name__}"]
    return []
