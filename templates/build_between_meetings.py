"""Templates of the papers kept between meetings: the action log and the end-of-year financial report.

Used by ``build_templates.py`` (which registers them in its table); kept apart so the papers carried
from meeting to meeting can change without touching the cycle's own templates. Shapes follow the seeds:
Cambridge's "ACTION POINTS" table (MONTH / NUMBER | ACTION POINT | ACTION) and its "Community Safety
Fund – End of Year Financial Report" with Appendix A.
"""

from __future__ import annotations

from tasks.papers.template_builder import Builder

ACTION_HEADER = ["MONTH / NUMBER", "ACTION POINT", "OWNER", "DUE", "ACTION"]
ACTION_CELLS = ["{{ a.number }}", "{{ a.text }}", "{{ a.owner }}", "{{ a.due }}", "{{ a.action }}"]
ACTION_WIDTHS = [22, 70, 28, 22, 28]


def _action_section(b: Builder, heading: str, key: str, empty: str) -> None:
    b.h2(heading)
    b.tag(f"{{%p if {key} %}}")
    b.table(ACTION_HEADER, ACTION_CELLS, loop=f"a in {key}", widths=ACTION_WIDTHS)
    b.tag("{%p else %}")
    b.para(empty)
    b.tag("{%p endif %}")


def action_log() -> Builder:
    b = Builder("Action log")
    b.title("{{ meeting.title }}")
    b.bullet("{{ meeting.date }}")
    b.h1("Action points")
    b.para("{{ counts.open }} action point(s) open, {{ counts.overdue }} of them overdue; {{ counts.closed }} "
           "closed since {% if previous_meeting.known %}the meeting of {{ previous_meeting.date }}"
           "{% else %}the last meeting{% endif %}.")
    _action_section(b, "Overdue", "overdue", "No action point is overdue.")
    _action_section(b, "Open action points", "open", "No action point is open.")
    _action_section(b, "Closed since the last meeting", "closed", "No action point has been closed since the "
                                                                  "last meeting.")
    b.source("Overdue: still open and due before this meeting. “Next meeting” and other timescales are "
             "shown as the minutes recorded them.")
    return b


def _appendix_table(b: Builder) -> None:
    """Appendix A: one row per figure; totals in bold (a row per case, chosen by the row's flag)."""
    table = b.doc.add_table(rows=1, cols=2)
    table.style = b.doc.styles["CSP Table"]
    table.rows[0].cells[0].text = "Available Funding {{ financial_year }}"
    table.rows[0].cells[1].text = "Amount"
    for text in ("{%tr for r in appendix %}", "{%tr if r.bold %}"):
        table.add_row().cells[0].text = text
    bold = table.add_row()
    for cell, text in zip(bold.cells, ("{{ r.label }}", "{{ r.amount }}"), strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    table.add_row().cells[0].text = "{%tr else %}"
    plain = table.add_row()
    plain.cells[0].text, plain.cells[1].text = "{{ r.label }}", "{{ r.amount }}"
    for text in ("{%tr endif %}", "{%tr endfor %}"):
        table.add_row().cells[0].text = text
    b._widths(table, [130, 40])


def financial_report() -> Builder:
    b = Builder("End of Year Financial Report")
    b.para("**To: {{ partnership_name }} Board**")
    b.para("**From: {{ contact.officer }}**")
    b.para("**Subject: Community Safety Fund {{ financial_year }} – End of Year Financial Report**")
    b.h1("1. Purpose of the report")
    b.para("1.1 To present the {{ financial_year }} end of financial year report to the Board members.")
    b.para("1.2 To advise the Board of the balance of {{ pool_name }} available for future expenditure.")
    b.h1("2. Background ({{ grant_name }} and {{ pool_name }})")
    b.tag("{%p if has_budget %}")
    b.para("2.1 The {{ financial_year }} funding available for the CSP was **{{ funding_total }}**:")
    b.loop("{%p for f in funding %}", [("List Bullet", "{{ f.label }} – {{ f.amount }}")])
    b.tag("{%p if unconfirmed %}")
    b.para("Not yet confirmed, so left out of every total:")
    b.loop("{%p for u in unconfirmed %}", [("List Bullet", "{{ u }}")])
    b.tag("{%p endif %}")
    b.para("2.2 Details of the funding and actual spend are in Appendix A.")
    b.para("2.3 The balance of the {{ pool_name }} available to the CSP is **{{ balance_pool }}**; together "
           "with the balance of the {{ grant_name }} of **{{ balance_grant }}** this totals "
           "**{{ balance_total }}**, carried forward into {{ next_financial_year }}.")
    b.tag("{%p if discrepancies %}")
    b.h2("Figures that differ from the sources")
    b.para("These figures were reported in the sources but do not follow from the funding and spending "
           "recorded; the amounts in this report are computed from the recorded rows.")
    b.table(["Figure", "Reported", "Computed", "Difference", "Reported in"],
            ["{{ d.label }}", "{{ d.reported }}", "{{ d.computed }}", "{{ d.difference }}", "{{ d.source }}"],
            loop="d in discrepancies", widths=[48, 24, 24, 24, 50])
    b.tag("{%p endif %}")
    b.tag("{%p else %}")
    b.para("No funding or spending has been recorded for {{ financial_year }} (csp budget import).")
    b.tag("{%p endif %}")
    b.h1("3. Recommendation")
    b.para("3.1 That the Board notes the end of year financial report for {{ financial_year }}.")
    b.h2("Further information")
    b.para("{{ contact.officer }}, {{ contact.phone }}")
    b.page_break()
    b.para("**{{ partnership_name }}**")
    b.para("**End of Year Financial Report {{ financial_year }}**")
    b.h2("Appendix A")
    _appendix_table(b)
    b.tag("{%p if lines %}")
    b.h2("Spending lines")
    b.table(["Item", "Profiled budget", "Outturn / committed", "{{ grant_name }}", "{{ pool_name }}", "Notes"],
            ["{{ l.item }}", "{{ l.profiled }}", "{{ l.outturn }}", "{{ l.grant }}", "{{ l.pool }}",
             "{{ l.notes }}"], loop="l in lines", widths=[40, 22, 22, 22, 22, 42])
    b.tag("{%p endif %}")
    return b
