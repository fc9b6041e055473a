"""Summaries of an ingest-and-validate run, for the Prefect artifact and for stopping the cycle."""

from __future__ import annotations

from typing import Any


def reports_markdown(partnership: str, cycle: str, summary: dict[str, Any]) -> str:
    lines = [f"# Ingest and validate: {partnership} {cycle}", "",
             "| source | file | status | read | accepted | quarantined | outside area | no LSOA |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in summary["files"]:
        lines.append(f"| {r['kind']} | {r['label']} | {r['status']} | {r['rows_read']:,} | "
                     f"{r['rows_accepted']:,} | {r['rows_quarantined']:,} | "
                     f"{r['rows_outside_area']:,} | {r['rows_unlocated']:,} |")
    failed = [r for r in summary["files"] if r["status"] == "failed"]
    if failed:
        lines += ["", "## Files refused", ""] + [f"- {r['message']}" for r in failed]
    validation = summary.get("validation") or {}
    for title, key in (("Blocking problems", "blocking"), ("Warnings", "warnings")):
        items = validation.get(key) or []
        if items:
            lines += ["", f"## {title}", ""] + [f"- {item}" for item in items]
    return "\n".join(lines)


class BlockingProblems(RuntimeError):
    """Raised by the flow so the run fails, and the operator sees why, when the cycle cannot go on."""

    @classmethod
    def from_summary(cls, summary: dict[str, Any]) -> BlockingProblems | None:
        messages = [r["message"] for r in summary["files"] if r["status"] == "failed"]
        messages += list((summary.get("validation") or {}).get("blocking") or [])
        if not messages:
            return None
        return cls("The cycle cannot go on until these are fixed:\n- " + "\n- ".join(messages))
