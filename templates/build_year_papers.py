"""Create the two papers of the year after the board: the TCG quarterly performance report and the
council's report to its Scrutiny & Overview Committee (seed 003).

    .venv/bin/python templates/build_templates.py tcg_performance scrutiny_report   # rebuild both

Like the board-paper templates, the generated .docx files are committed and are the source from then
on: secretaries edit the wording in Word and keep the {{ placeholders }} and {%p / {%tr tags. Every
placeholder is one tasks/monitoring/report.py or tasks/scrutiny/report.py provides (tests check it).
"""

from __future__ import annotations

from tasks.papers.template_builder import Builder


def tcg_performance() -> Builder:
    """Quarterly performance report for the Tasking & Co-ordination Group (restricted)."""
    b = Builder("TCG quarterly performance report")
    b.title("Performance report: {{ quarter_label }}")
    b.para("{{ partnership_name }} · Tasking and Co-ordination Group · {{ issue_date }}")
    b.para("**{{ marking }}: for the Tasking and Co-ordination Group. Not for publication.**")
    b.h1("1. Purpose")
    b.para("This report tells the group how the priorities the board adopted at {{ decided_at }} are "
           "doing in {{ quarter_months }}: each measure this quarter against the same quarter last year "
           "({{ last_year_months }}) and against an average quarter of the assessment year "
           "({{ assessment_period }}).")
    b.para("{{ method_note }}")
    b.h1("2. Priorities and their measures")
    b.table(["Priority", "Measure", "Quarter", "A year before", "Change", "Beyond chance?",
             "Year's average quarter", "vs average"],
            ["{{ m.priority }}", "{{ m.measure }}", "{{ m.quarter }}", "{{ m.last_year }}", "{{ m.change }}",
             "{{ m.significance }}", "{{ m.year_average }}", "{{ m.against_average }}"],
            loop="m in measures", widths=[27, 22, 17, 16, 19, 21, 18, 19])
    b.tag("{%p if not measures %}")
    b.para("No thematic priority with police-recorded measures was adopted.")
    b.tag("{%p endif %}")
    b.h1("3. Priority areas")
    b.para("Police-recorded crime and anti-social behaviour in each priority area, with the class the "
           "board gave it.")
    b.table(["Class", "Area", "Quarter", "A year before", "Change", "Beyond chance?"],
            ["{{ a.priority }}", "{{ a.measure }}", "{{ a.quarter }}", "{{ a.last_year }}", "{{ a.change }}",
             "{{ a.significance }}"], loop="a in areas", widths=[25, 55, 20, 25, 20, 25])
    b.tag("{%p if not areas %}")
    b.para("The board adopted no priority areas this year.")
    b.tag("{%p endif %}")
    b.h1("4. Domestic abuse")
    b.para("Table 1: {{ area_name }} IDVA referrals (high-risk referrals to the Independent Domestic "
           "Violence Advisers), by quarter of the financial year (Q1 = April to June).")
    b.table(["Quarter", "{{ idva.years[0] }} Financial Year", "{{ idva.years[1] }} Financial Year"],
            ["{{ r.quarter }}", "{{ r.previous }}", "{{ r.current }}"], loop="r in idva.rows",
            widths=[30, 60, 60])
    b.para("{{ idva_note }}")
    b.h1("5. Actions due")
    b.table(["No.", "Action", "Owner", "Due", "Status"],
            ["{{ x.number }}", "{{ x.text }}", "{{ x.owner }}", "{{ x.due }}", "{{ x.status }}"],
            loop="x in actions", widths=[15, 80, 35, 20, 20])
    b.tag("{%p if not actions %}")
    b.para("No open action is due by {{ next_due }}.")
    b.tag("{%p endif %}")
    b.h1("6. Data")
    b.loop("{%p for line in data_notes %}", [("List Bullet", "{{ line }}")])
    return b


def scrutiny_report() -> Builder:
    """The council's annual report on the partnership to its Scrutiny & Overview Committee (public)."""
    b = Builder("Scrutiny & Overview Committee report")
    b.para("**REPORT TO:** {{ committee }} {{ committee_date }}")
    b.para("**LEAD CABINET MEMBER:** {{ lead_cabinet_member }}")
    b.para("**LEAD OFFICER:** {{ lead_officer }}")
    b.title("{{ partnership_short }} Review and Action Planning: {{ priorities_year }}")
    b.h1("Executive Summary")
    b.loop("{%p for text in executive_summary %}", [("List Number", "{{ text }}")])
    b.h1("Key Decision")
    b.para("{{ key_decision }}")
    b.h1("Recommendations")
    b.para("{{ recommendation }}")
    b.h1("Reasons for Recommendations")
    b.para("{{ reasons }}")
    b.para("In brief, the statutory requirements are:")
    b.loop("{%p for duty in statutory_duties %}", [("List Bullet", "{{ duty }}")])
    b.para("{{ section_17 }}")
    b.h1("Details")
    b.h2("The partnership")
    b.para("{{ structure }}")
    b.h2("How the priorities were chosen this year")
    b.loop("{%p for text in how_chosen %}", [("Normal", "{{ text }}")])
    b.h2("Thematic priorities for {{ priorities_year }}")
    b.table(["Priority", "Board decision"], ["{{ t.title }}", "{{ t.decision }}"], loop="t in themes",
            widths=[100, 70])
    b.h2("Priority areas and their classes")
    b.para("Emerging: multiple issues and/or escalating; Preventing: growth areas or predicted "
           "vulnerability; Sustaining: work done, support to keep resilience; Discharged: no longer needs "
           "focus.")
    b.table(["Area", "Class", "Why"], ["{{ a.name }}", "{{ a.class }}", "{{ a.why }}"], loop="a in areas",
            widths=[45, 25, 100])
    b.tag("{%p if not areas %}")
    b.para("No priority areas were adopted.")
    b.tag("{%p endif %}")
    b.h1("Implications")
    b.para("In the writing of this report, taking into account financial, legal, staffing, risk, "
           "equality and diversity, and any other key issues, the following implications have been "
           "considered:")
    b.h2("Financial")
    b.loop("{%p for text in financial %}", [("Normal", "{{ text }}")])
    b.h2("Staffing")
    b.para("{{ staffing }}")
    b.h2("Legal")
    b.para("{{ legal }}")
    b.h2("Risk")
    b.para("{{ risk }}")
    b.h2("Equality and diversity")
    b.para("{{ equality }}")
    b.h1("Appendices")
    b.para("Appendix A: The Council's current work on the CSP and in tackling crime and disorder more "
           "generally.")
    b.para("Appendix B: CSP Operational Plan (actions by priority, with status).")
    b.para("Appendix C: Priority areas {{ priorities_year }}, with their classes.")
    b.para("Appendix D: Summary of budget {{ budget_years }}.")
    b.para("**Report Author:** {{ report_author }}")
    b.page_break()
    b.h1("Appendix A: The Council's work on community safety")
    b.table(["Work", "Lead", "Status"], ["{{ w.work }}", "{{ w.lead }}", "{{ w.status }}"],
            loop="w in council_work", widths=[100, 40, 30])
    b.h1("Appendix B: CSP Operational Plan")
    b.table(["Priority", "No.", "Action", "Owner", "Due", "Status"],
            ["{{ x.priority }}", "{{ x.number }}", "{{ x.text }}", "{{ x.owner }}", "{{ x.due }}",
             "{{ x.status }}"], loop="x in operational_plan", widths=[30, 12, 63, 30, 17, 18])
    b.tag("{%p if not operational_plan %}")
    b.para("No actions have been recorded in the partnership's action register for this year.")
    b.tag("{%p endif %}")
    b.h1("Appendix C: Priority areas {{ priorities_year }}")
    b.table(["Area", "Code", "Class"], ["{{ a.name }}", "{{ a.code }}", "{{ a.class }}"], loop="a in areas",
            widths=[90, 40, 40])
    b.h1("Appendix D: Summary of budget {{ budget_years }}")
    b.table(["Line", "{{ budget_columns[0] }}", "{{ budget_columns[1] }}"],
            ["{{ r.line }}", "{{ r.first }}", "{{ r.second }}"], loop="r in budget_rows", widths=[90, 40, 40])
    b.para("{{ budget_note }}")
    return b
