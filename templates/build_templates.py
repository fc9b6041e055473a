"""Create the board-paper templates (one .docx per paper) from scratch.

    .venv/bin/python templates/build_templates.py            # rebuild all eight into templates/
    .venv/bin/python templates/build_templates.py agenda     # rebuild one

The generated .docx files are committed and are the source from then on: secretaries edit the wording
in Word, keeping the {{ placeholders }} and {%p ... %} / {%tr ... %} tags (see docs/papers.md).
Rebuilding overwrites their edits, so run this only to start again from the project's wording.
Every placeholder used here is one the code provides (tasks/papers/schemas.py); the test suite checks
each template with tasks/papers/lint.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from build_between_meetings import action_log, financial_report  # sibling script modules
from build_year_papers import scrutiny_report, tcg_performance

from tasks.papers.template_builder import Builder

HERE = Path(__file__).resolve().parent

VERSION_NOTE = (
    "{%p if is_public %}",
    "This is the public version. Counts from 1 to {{ thresholds.suppression_min - 1 }} are shown as "
    "“<{{ thresholds.suppression_min }}” and figures worked out from them as “[c]”; no crime "
    "reference, location or personal detail appears in it.",
    "{%p else %}",
    "**{{ marking }}. Not for publication: restricted version for the partnership's board and analysts. "
    "It shows counts below {{ thresholds.suppression_min }}, row-level details and illustrative partner "
    "data. Publish the public version instead.**",
    "{%p endif %}",
)


def _version_note(b: Builder) -> None:
    b.tag(VERSION_NOTE[0])
    b.para(VERSION_NOTE[1])
    b.tag(VERSION_NOTE[2])
    b.para(VERSION_NOTE[3])
    b.tag(VERSION_NOTE[4])


# --- 1 Strategic assessment -----------------------------------------------------------------------


def _sa_front(b: Builder) -> None:
    b.title("Community Safety Strategic Assessment: {{ area_name }} {{ cycle }}")
    b.para("{{ partnership_name }}")
    b.para("Draft for the meeting of {{ meeting.date }} · {{ issue_date }}")
    b.para("{{ months.note }}")
    _version_note(b)
    b.details([
        ("Title:", "Community Safety Strategic Assessment: {{ area_name }} {{ cycle }}"),
        ("Date created:", "{{ issue_date }}"),
        ("Description:", "Annual strategic assessment for {{ partnership_name }}"),
        ("Produced by:", "The partnership's analysts, for {{ partnership_name }}"),
        ("On behalf of:", "{{ partnership_name }}, {{ contact.officer }}, {{ contact.address }} "
                          "{{ contact.email }} {{ contact.phone }}"),
        ("Geographic coverage:", "{{ area_name }}"),
        ("Time period:", "{{ period }}"),
        ("Format:", "Word document"),
        ("Status:", "Draft for the meeting of {{ meeting.date }} ({{ version }} version)"),
        ("Usage statement:", "{% if is_public %}This document may be reproduced in whole or in part if the "
                             "source is acknowledged. Police data: data.police.uk, Open Government Licence "
                             "v3.0.{% else %}{{ marking }}. Not for publication: for the partnership's board "
                             "and analysts only. Do not reproduce or forward; publish the public version."
                             "{% endif %}"),
        ("Disclaimer:", "The partnership believes the information in this document to be correct but "
                        "does not guarantee its accuracy, nor accept liability for any loss arising "
                        "from its use."),
    ])
    b.page_break()
    b.contents()
    b.page_break()


def _sa_introduction(b: Builder) -> None:
    b.h1("Introduction")
    b.h2("Changes since the previous strategic assessment")
    b.tag("{%p if previous.assessed %}")
    b.para("The previous assessment ({{ previous.cycle }}) covered {{ previous.period }}. This assessment "
           "covers {{ period }} and compares it with the same twelve months a year earlier.")
    b.tag("{%p else %}")
    b.para("No earlier assessment of this partnership is held in the store. This assessment covers "
           "{{ period }} and, where the data allow, compares it with the twelve months before.")
    b.tag("{%p endif %}")
    b.tag("{%p if has_previous %}")
    b.para("Police recorded crime and anti-social behaviour: {{ totals.current }} incidents in the "
           "{{ period_ending }}, against {{ totals.previous }} in the {{ previous_period_ending }} "
           "({{ totals.change_pct }}, {{ totals.change_label }}{{ totals.change_basis }}). {{ months.note }}")
    b.tag("{%p endif %}")
    b.tag("{%p if new_sources %}")
    b.para("Data used for the first time in this assessment:")
    b.loop("{%p for s in new_sources %}", [("List Bullet", "{{ s }}")])
    b.tag("{%p endif %}")
    b.tag("{%p if missing_sources %}")
    b.para("Data used in the previous assessment but not available for this one:")
    b.loop("{%p for s in missing_sources %}", [("List Bullet", "{{ s }}")])
    b.tag("{%p endif %}")
    b.h2("Purpose of the assessment")
    b.para("The Crime and Disorder Act 1998 (sections 5 and 6) and the Crime and Disorder (Formulation "
           "and Implementation of Strategy) Regulations 2007 require the partnership to assess crime, "
           "disorder, substance misuse and reoffending in its area every year. This assessment reviews "
           "the levels and patterns of the last twelve months, what changed against the year before and "
           "whether that change is more than chance, where rates per 1,000 residents are highest, and "
           "what that means for the partnership's priorities for {{ priorities_year }}.")


def _sa_summary_and_recommendations(b: Builder) -> None:
    b.h1("Key findings")
    b.loop("{%p for f in key_findings %}", [("List Number", "{{ f }}")])
    b.tag("{%p if not months.complete %}")
    b.para("**{{ months.note }}**")
    b.tag("{%p endif %}")
    b.tag("{%p if not key_findings %}")
    b.para("No findings are stored for this cycle: run the assessment stage.")
    b.tag("{%p endif %}")
    b.h1("Recommendations")
    b.tag("{%p if recommendations %}")
    b.para("It is recommended that the partnership:")
    b.loop("{%p for r in recommendations %}",
           [("Normal", "{{ r.number }}. **{{ r.subject }}**{% if r.kind == 'area' %} (priority area)"
                       "{% endif %} – {{ r.reasons }}{% if r.decided %} **{{ r.status }}.**{% endif %}")])
    b.tag("{%p else %}")
    b.para("The priorities stage has not yet made recommendations for this cycle.")
    b.tag("{%p endif %}")


def _sa_overview(b: Builder) -> None:
    b.h1("Overall picture")
    b.loop("{%p for f in overview.findings %}", [("Normal", "{{ f }}")])
    b.tag("{%p for fig in overview.figures %}")
    b.para("{{ fig.image }}").paragraph_format.keep_with_next = True  # the image stays with its caption
    b.caption("Figure", "{{ fig.number }}", "{{ fig.caption }}")
    b.source("Source: {{ fig.source }}")
    b.tag("{%p endfor %}")


def _sa_themes(b: Builder) -> None:
    b.tag("{%p for section in sections %}")
    b.h1("{{ section.title }}")
    b.tag("{%p for theme in section.themes %}")
    b.h2("{{ theme.title }}")
    b.tag("{%p if theme.is_priority %}")
    b.para("This theme is a current priority of the partnership (see Priority updates).")
    b.tag("{%p endif %}")
    b.tag("{%p if not theme.has_data %}")
    b.para("No data speaking to this theme were supplied for this cycle.")
    b.tag("{%p endif %}")
    b.loop("{%p for f in theme.findings %}", [("Normal", "{{ f }}")])
    b.tag("{%p if theme.categories and has_previous %}")
    b.caption("Table", "{{ theme.category_table }}",
              "{{ theme.title }} by category, {{ previous_period_ending }} and {{ period_ending }}")
    b.table(["Category", "Source", "{{ previous_period_short }}", "{{ period_short }}", "Change",
             "Assessment", "Trend in year"],
            ["{{ c.category }}", "{{ c.source }}", "{{ c.previous }}", "{{ c.current }}",
             "{{ c.change_pct }}", "{{ c.change_label }}", "{{ c.trend_label }}"],
            loop="c in theme.categories", widths=[36, 30, 21, 21, 16, 26, 20])
    b.source("Source: see the data notes. A change called significant is larger than chance would "
             "explain (see Appendix B).")
    b.tag("{%p elif theme.categories %}")
    b.caption("Table", "{{ theme.category_table }}", "{{ theme.title }} by category, {{ period_ending }}")
    b.table(["Category", "Source", "{{ period_short }}", "Trend through the year"],
            ["{{ c.category }}", "{{ c.source }}", "{{ c.current }}", "{{ c.trend_label }}"],
            loop="c in theme.categories", widths=[60, 50, 30, 30])
    b.source("Source: see the data notes.")
    b.tag("{%p endif %}")
    b.tag("{%p if theme.areas %}")
    b.caption("Table", "{{ theme.area_table }}",
              "{{ area_label }} areas in the top {{ thresholds.top_rate_pct }}% by rate per 1,000 "
              "residents, {{ theme.title }}, {{ period_ending }}")
    b.table(["Area", "Category", "Count", "Residents", "Rate per 1,000", "Rank"],
            ["{{ a.area }}", "{{ a.category }}", "{{ a.count }}", "{{ a.population }}", "{{ a.rate }}",
             "{{ a.rank }}"],
            loop="a in theme.areas", widths=[44, 44, 18, 22, 26, 16])
    b.source("Source: data.police.uk; residents: ONS Census {{ census_year }}.")
    b.tag("{%p endif %}")
    b.tag("{%p for fig in theme.figures %}")
    b.para("{{ fig.image }}").paragraph_format.keep_with_next = True  # the image stays with its caption
    b.caption("Figure", "{{ fig.number }}", "{{ fig.caption }}")
    b.source("Source: {{ fig.source }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")


def _sa_illustrative(b: Builder) -> None:
    """Restricted only: illustrative partner data, kept apart under its own heading."""
    b.tag("{%p if illustrative.findings or illustrative.categories or illustrative.figures %}")
    b.h1("Illustrative data (restricted)")
    b.para("**The figures in this section come from illustrative files in the partners' published shapes, "
           "not from real partner data. They show the method only, are left out of every public paper "
           "and must not be quoted.**")
    b.loop("{%p for f in illustrative.findings %}", [("List Bullet", "{{ f }}")])
    b.tag("{%p if illustrative.categories %}")
    b.caption("Table", "{{ illustrative.table }}", "Illustrative partner data by category, "
              "{{ previous_period_ending }} and {{ period_ending }}")
    b.table(["Category", "Illustrative source", "{{ previous_period_short }}", "{{ period_short }}", "Change",
             "Assessment"],
            ["{{ c.category }}", "{{ c.source }}", "{{ c.previous }}", "{{ c.current }}",
             "{{ c.change_pct }}", "{{ c.change_label }}"],
            loop="c in illustrative.categories", widths=[40, 40, 22, 22, 18, 28])
    b.tag("{%p endif %}")
    b.tag("{%p for fig in illustrative.figures %}")
    b.para("{{ fig.image }}").paragraph_format.keep_with_next = True  # the image stays with its caption
    b.caption("Figure", "{{ fig.number }}", "{{ fig.caption }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")


def _sa_priority_updates(b: Builder) -> None:
    b.h1("Priority updates")
    b.tag("{%p for p in priority_updates %}")
    b.h2("Priority {{ p.number }} update: {{ p.title }}")
    b.para("**Lead officer:** {{ p.lead_officer }}. **Adopted:** {{ p.adopted }}. **Theme:** {{ p.theme }}.")
    b.tag("{%p if p.recommendation %}")
    b.para("**Recommendation for {{ priorities_year }}:** {{ p.reasons }}")
    b.tag("{%p endif %}")
    b.tag("{%p if p.decision %}")
    b.para("**Board decision:** {{ p.decision }}")
    b.tag("{%p endif %}")
    b.tag("{%p if p.findings %}")
    b.para("Summary of trends and issues:")
    b.loop("{%p for f in p.findings %}", [("List Bullet", "{{ f }}")])
    b.tag("{%p endif %}")
    b.para("**Progress on activity:** [the lead officer adds the year's progress and its impact here]")
    b.tag("{%p endfor %}")
    b.tag("{%p if not priority_updates %}")
    b.para("The partnership has no configured priorities.")
    b.tag("{%p endif %}")


def _source_summary(b: Builder, collection: str) -> None:
    b.table(["Source", "Period", "Files", "Records accepted"],
            ["{{ s.description }}{% if s.illustrative %} (illustrative){% endif %}", "{{ s.period }}",
             "{{ s.files }}", "{{ s.rows_accepted }}"], loop=f"s in {collection}", widths=[78, 44, 14, 34])


def _files_tables(b: Builder, item: str, collection: str) -> None:
    """The input files with their row accounting, then their checksums (assessment and data quality)."""
    b.table(["Source", "File", "Period", "Rows read", "Accepted", "Quarantined", "Outside area"],
            [f"{{{{ {item}.description }}}}{{% if {item}.illustrative %}} (illustrative){{% endif %}}",
             *(f"{{{{ {item}.{field} }}}}" for field in ("file_name", "period", "rows_read",
                                                       "rows_accepted", "rows_quarantined",
                                                       "rows_outside_area"))],
            loop=f"{item} in {collection}", widths=[38, 38, 24, 18, 18, 17, 17])
    b.h3("Checksums")
    b.table(["File", "SHA-256"], [f"{{{{ {item}.file_name }}}}", f"{{{{ {item}.sha256 }}}}"],
            loop=f"{item} in {collection}", widths=[50, 120])


def _sa_data_notes(b: Builder) -> None:
    b.h1("Data notes and caveats")
    b.para("Every figure in this assessment comes from the sources below. The files received, with the "
           "checksums that tie each figure to the exact file, and the rows set aside by the checks are "
           "listed in the data-quality report for {{ cycle }} (restricted version).")
    b.h2("Sources")
    _source_summary(b, "sources")
    b.h2("Coverage")
    b.table(["Source", "Months expected", "Months with data", "Missing months"],
            ["{{ c.source }}", "{{ c.months_expected }}", "{{ c.months_present }}", "{{ c.missing }}"],
            loop="c in coverage", widths=[50, 25, 25, 70])
    b.h2("Matching crime records to areas")
    b.para("Police.uk records carry 2021 LSOA codes; the population is from the {{ census_year }} Census. "
           "{{ match.lsoa_pct }} of police records in the area matched a {{ census_year }} LSOA by code and "
           "{{ match.msoa_pct }} matched by MSOA name; {{ match.population_pct }} were placed in an area "
           "with a population and so count towards rates per 1,000 residents. Records that could not be "
           "placed still count in every partnership total.")
    b.tag("{%p if illustrative_sources %}")
    b.h2("Illustrative data")
    b.para("The following partner sources are illustrative files in the partners' published shapes, not "
           "real partner data. {% if is_public %}Nothing in this public version rests on them."
           "{% else %}They appear only under the heading “Illustrative data (restricted)”.{% endif %}")
    b.loop("{%p for s in illustrative_sources %}", [("List Bullet", "{{ s }}")])
    b.tag("{%p endif %}")
    b.tag("{%p if caveats %}")
    b.h2("Validation warnings")
    b.loop("{%p for c in caveats %}", [("List Bullet", "{{ c }}")])
    b.tag("{%p endif %}")
    b.para("Assessment run: {{ assessment_run }}.", "Figure Source")


def _sa_appendices(b: Builder) -> None:
    b.h1("Appendix A: rates per 1,000 residents by {{ area_label }}")
    b.caption("Table", "{{ appendix_table }}",
              "All police recorded crime and anti-social behaviour by {{ area_label }}, {{ period_ending }}")
    table = b.table(["Area", "Code", "Residents", "Count", "Rate per 1,000", "Rank"],
                    ["{{ a.area }}", "{{ a.code }}", "{{ a.population }}", "{{ a.count }}", "{{ a.rate }}",
                     "{{ a.rank }}"],
                    loop="a in appendix_areas", widths=[50, 28, 24, 22, 30, 16])
    for texts in (["{%tr if appendix_total.has_remainder %}"],
                  ["Not placed in an area", "", "", "{{ appendix_total.remainder }}", "", ""],
                  ["{%tr endif %}"],
                  ["Total", "", "{{ appendix_total.population }}", "{{ appendix_total.count }}",
                   "{{ appendix_total.rate }}", ""]):
        row = table.add_row()
        for cell, text in zip(row.cells, texts, strict=False):
            cell.text = text
    b._widths(table, [50, 28, 24, 22, 30, 16])
    b.source("Source: data.police.uk; residents: ONS Census {{ census_year }} usual residents.")
    b.h1("Appendix B: methods and definitions")
    b.loop("{%p for m in methods %}", [("Normal", "{{ m }}")])
    b.para("Small counts swing widely, so a large percentage change need not be significant.")
    b.para("**Rates per 1,000 residents** use ONS Census {{ census_year }} usual residents; areas with too few "
           "residents get no rate.")
    b.para("**Top areas** are those in the top {{ thresholds.top_rate_pct }}% of {{ area_label }} areas by "
           "rate per 1,000 residents for a category.")
    b.para("**Small numbers.** In public papers counts from 1 to {{ thresholds.suppression_min - 1 }} are "
           "shown as “<{{ thresholds.suppression_min }}”, and rates, shares and changes worked out from "
           "them as “[c]”. Where a hidden count could be worked out from a total and the other parts, a "
           "second count is hidden too (“[c]”). “n/a” means no value could be computed.")
    _method_scores(b)
    b.h1("Appendix C: detailed findings")
    b.para("The assessment's findings with their test results, for analysts. The body of the paper says "
           "the same in words.")
    b.tag("{%p for s in detailed_findings %}")
    b.h2("{{ s.title }}")
    b.loop("{%p for f in s.findings %}", [("List Bullet", "{{ f }}")])
    b.tag("{%p endfor %}")


def _method_scores(b: Builder) -> None:
    """How the thematic recommendations were reached: the scores the body describes in words."""
    b.tag("{%p if method_scores %}")
    b.para("**Thematic priorities** are scored from 0 to 1 on three equally weighted parts: the number of "
           "recorded incidents (ranked among the themes), the change on the previous year and the harm "
           "(incidents weighted by the seriousness of the offence, ranked). A current long-term priority "
           "is kept unless the data argue against it; a theme that is not a priority is proposed when "
           "its score is high. Ranks count from 1, the largest.")
    b.table(["Theme", "Recommendation", "Score", "Rank by number", "Rank by harm"],
            ["{{ m.subject }}", "{{ m.recommendation }}", "{{ m.score }}", "{{ m.volume_rank }}",
             "{{ m.harm_rank }}"], loop="m in method_scores", widths=[60, 36, 16, 29, 29])
    b.tag("{%p endif %}")


def strategic_assessment() -> Builder:
    b = Builder("Community Safety Strategic Assessment")
    _sa_front(b)
    _sa_introduction(b)
    _sa_summary_and_recommendations(b)
    _sa_overview(b)
    _sa_themes(b)
    _sa_priority_updates(b)
    _sa_illustrative(b)
    _sa_data_notes(b)
    _sa_appendices(b)
    return b


# --- 2 Executive summary --------------------------------------------------------------------------


def sa_summary() -> Builder:
    b = Builder("Strategic Assessment executive summary")
    b.title("Strategic Assessment {{ cycle }}: executive summary")
    b.para("{{ partnership_name }} · {{ area_name }} · {{ period }}")
    b.para("For the meeting of {{ meeting.date }}")
    b.para("{{ months.note }}")
    _version_note(b)
    b.h1("Key findings")
    b.loop("{%p for f in key_findings %}", [("List Number", "{{ f }}")])
    b.tag("{%p if not months.complete %}")
    b.para("**{{ months.note }}**")
    b.tag("{%p endif %}")
    b.h1("Key figures")
    b.tag("{%p if has_previous %}")
    b.table(["Category", "{{ previous_period_short }}", "{{ period_short }}", "Change", "Assessment"],
            ["{{ k.label }}", "{{ k.previous }}", "{{ k.current }}", "{{ k.change_pct }}",
             "{{ k.change_label }}"],
            loop="k in key_figures", widths=[56, 28, 28, 22, 36])
    b.tag("{%p else %}")
    b.table(["Category", "{{ period_short }}"], ["{{ k.label }}", "{{ k.current }}"],
            loop="k in key_figures", widths=[120, 50])
    b.tag("{%p endif %}")
    b.h1("Recommendations")
    b.tag("{%p if recommendations %}")
    b.para("It is recommended that the partnership:")
    b.loop("{%p for r in recommendations %}",
           [("Normal", "{{ r.number }}. **{{ r.subject }}**{% if r.kind == 'area' %} (priority area)"
                       "{% endif %} – {{ r.reasons }}{% if r.decided %} **{{ r.status }}.**{% endif %}")])
    b.tag("{%p else %}")
    b.para("The priorities stage has not yet made recommendations for this cycle.")
    b.tag("{%p endif %}")
    b.tag("{%p if priority_areas %}")
    b.h1("Recommended priority areas")
    b.table(["Class", "Areas", "Status"], ["{{ c.label }}", "{{ c.areas }}", "{{ c.status }}"],
            loop="c in priority_areas", widths=[30, 100, 40])
    b.tag("{%p endif %}")
    b.tag("{%p if illustrative_findings %}")
    b.h1("Illustrative data (restricted)")
    b.para("**From illustrative files, not real partner data: not for quotation or publication.**")
    b.loop("{%p for f in illustrative_findings %}", [("List Bullet", "{{ f }}")])
    b.tag("{%p endif %}")
    b.h1("About the data")
    b.para("{{ match.lsoa_pct }} of police records matched a {{ census_year }} LSOA by code and {{ match.msoa_pct }} by "
           "MSOA name. The data-quality report sets out the files received and the checks made.")
    b.tag("{%p if illustrative_sources %}")
    b.para("These partner sources are illustrative, not real partner data{% if is_public %}, and nothing in "
           "this public summary rests on them{% endif %}:")
    b.loop("{%p for s in illustrative_sources %}", [("List Bullet", "{{ s }}")])
    b.tag("{%p endif %}")
    return b


# --- 3 Priorities paper ---------------------------------------------------------------------------

CLASSES = (
    ("Emerging", "emerging", "areas where multiple issues are presenting and/or where escalating issues "
                             "have been identified."),
    ("Preventing", "preventing", "growth areas and/or existing communities where vulnerabilities are "
                                 "predicted to be an issue for the future."),
    ("Sustaining", "sustaining", "areas where work has been, or is being, done to tackle known issues and "
                                 "where support is required to improve future resilience."),
    ("Discharged", "discharged", "areas that no longer need the partnership's focus."),
)


def priorities() -> Builder:
    b = Builder("Priorities")
    b.title("{{ short_name }} priorities {{ priorities_year }}")
    b.para("**To:** {{ meeting.title }}, {{ meeting.date }}")
    b.para("**From:** {{ contact.officer }}")
    b.para("**Subject:** Community safety priorities and priority areas for {{ priorities_year }}")
    b.h1("1. Purpose of the report")
    b.para("To recommend the partnership's thematic priorities and priority areas for "
           "{{ priorities_year }}, drawn from the strategic assessment {{ cycle }} ({{ period }}).")
    b.h1("2. Recommendation")
    b.para("That the Board agrees the thematic priorities and priority areas below, recording its "
           "decision on each in the table in section 6.")
    b.tag("{%p if not has_recommendations %}")
    b.para("**The priorities stage has not yet run for this cycle; the tables below are empty.**")
    b.tag("{%p endif %}")
    b.h1("3. Current priorities")
    b.table(["No.", "Priority", "Theme", "Lead officer", "Adopted"],
            ["{{ p.number }}", "{{ p.title }}", "{{ p.theme }}", "{{ p.lead_officer }}", "{{ p.adopted }}"],
            loop="p in current_priorities", widths=[10, 58, 28, 52, 22])
    b.h1("4. Thematic priorities")
    b.para("Each theme is weighed on how many incidents were recorded, how that changed on the previous "
           "year and how much harm they do. A long-term priority is kept unless the data argue against "
           "it. The scores behind these words are in the appendix.")
    b.table(["No.", "Theme", "Recommendation", "Why", "Based on"],
            ["{{ t.number }}", "{{ t.title }}", "{{ t.recommendation }}", "{{ t.reasons }}", "{{ t.based_on }}"],
            loop="t in theme_recommendations", widths=[10, 36, 30, 64, 30])
    b.h1("5. Priority areas")
    b.para("Candidate areas are those in the top {{ thresholds.top_rate_pct }}% of {{ area_label }} areas by "
           "recorded crime rate per 1,000 residents; an area with {{ thresholds.emerging_min_categories }} "
           "or more such categories has multiple issues presenting. The data's recommendation is then "
           "tested by professional judgement. Areas are placed in one of these classes:")
    for label, key, definition in CLASSES:
        b.h2(label)
        b.para(f"**{label}** – {definition}")
        b.tag(f"{{%p if {key} %}}")
        b.table(["No.", "Area", "Code", "Why"],
                ["{{ a.number }}", "{{ a.name }}", "{{ a.code }}", "{{ a.reasons }}"],
                loop=f"a in {key}", widths=[10, 40, 24, 96])
        b.tag("{%p else %}")
        b.para(f"No area is recommended as {label}.")
        b.tag("{%p endif %}")
    b.h1("6. Decisions for the Board")
    b.para("The Board records its decision on each recommendation: accepted, changed (with the new "
           "class or wording) or rejected, with its reason.")
    b.table(["No.", "Subject", "Recommended", "Board decision", "Reason / notes", "Decided"],
            ["{{ d.number }}", "{{ d.subject }}", "{{ d.recommendation }}", "{{ d.decision }}",
             "{{ d.reason }}", "{{ d.decided_at }}"],
            loop="d in decisions", widths=[10, 40, 25, 30, 45, 20])
    b.h1("7. Background papers")
    b.para("Community Safety Strategic Assessment {{ cycle }}; Data quality report {{ cycle }}.")
    b.para("**Further information:** {{ contact.officer }}, {{ contact.email }}, {{ contact.phone }}")
    b.h1("Appendix: how the thematic recommendations were reached")
    _method_scores(b)
    return b


# --- 4 Community safety plan ----------------------------------------------------------------------


def community_safety_plan() -> Builder:
    b = Builder("Community Safety Plan")
    b.title("{{ short_name }} Community Safety Plan")
    b.para("{{ plan_period }}")
    b.h1("{{ partnership_name }}")
    b.para("The {{ partnership_name }} brings together the agencies and organisations concerned with "
           "tackling and reducing crime and anti-social behaviour in {{ area_name }}. Some, like the "
           "council and the police, are statutory members; voluntary groups and businesses also play an "
           "important part.")
    b.para("Our role is to understand the community safety issues {{ area_name }} is experiencing, decide "
           "which matter most, and agree what we can do together to add value to the day-to-day work of "
           "each agency. This plan sets out those actions and is refreshed every year.")
    b.tag("{%p if decided %}")
    b.para("The strategic assessment {{ cycle }} ({{ period }}) informed this plan. The Board agreed on "
           "{{ decided_date }} that the priorities for {{ priorities_year }} would be:")
    b.tag("{%p else %}")
    b.para("**Draft for the Board's agreement on {{ meeting.date }}.** The strategic assessment "
           "{{ cycle }} ({{ period }}) informed this plan. It recommends the priorities below for "
           "{{ priorities_year }}; none is agreed until the Board decides.")
    b.tag("{%p endif %}")
    b.loop("{%p for p in priorities %}", [("List Bullet", "{{ p.title }}{% if p.proposed %} (proposed)"
                                                          "{% endif %}")])
    b.para("For each priority the lead officer gives an update at the partnership's meetings, published "
           "with the meeting papers.")
    b.h2("Contact us")
    b.para("Comments or queries on this plan: {{ contact.officer }}, {{ contact.address }}. "
           "Telephone {{ contact.phone }} or email {{ contact.email }}.")
    b.h2("Board members")
    b.loop("{%p for m in board %}", [("List Bullet", "{{ m.organisation }} – {{ m.label }}")])
    b.h2("Non-voting members")
    b.loop("{%p for m in members %}", [("List Bullet", "{{ m.organisation }} – {{ m.name }}")])
    b.h1("Community Safety Plan {{ priorities_year }} priorities: strategic statement")
    b.tag("{%p for p in priorities %}")
    b.h2("Priority {{ p.number }}: {{ p.title }}")
    b.para("{{ p.status }}")
    b.tag("{%p if p.statement %}")
    b.para("{{ p.statement }}")
    b.tag("{%p endif %}")
    b.h3("Actions")
    b.tag("{%p if p.actions %}")
    b.loop("{%p for a in p.actions %}", [("List Bullet", "{{ a }}")])
    b.tag("{%p else %}")
    b.para("[Actions to be agreed with the lead officer.]")
    b.tag("{%p endif %}")
    b.h3("Outcomes")
    b.tag("{%p if p.outcomes %}")
    b.loop("{%p for o in p.outcomes %}", [("List Bullet", "{{ o }}")])
    b.tag("{%p else %}")
    b.para("[Outcomes to be agreed with the lead officer.]")
    b.tag("{%p endif %}")
    b.para("**Lead officer: {{ p.lead_officer }}**")
    b.tag("{%p endfor %}")
    b.tag("{%p if priority_areas %}")
    b.h1("Priority areas")
    b.table(["Class", "Areas", "Status"], ["{{ c.label }}", "{{ c.areas }}", "{{ c.status }}"],
            loop="c in priority_areas", widths=[30, 100, 40])
    b.tag("{%p endif %}")
    return b


# --- 5 Agenda -------------------------------------------------------------------------------------


def agenda() -> Builder:
    b = Builder("Agenda")
    b.title("{{ meeting.title }}")
    b.bullet("{{ meeting.date }}")
    b.bullet("{{ meeting.start_time }}–{{ end_time }}, {{ meeting.venue }}")
    b.bullet("The public can submit pre-advised questions before the meeting to {{ contact.email }}")
    b.bullet("Minutes of the meeting will be available to the public afterwards")
    b.h1("Agenda")
    b.grouped_table(
        ["No.", "Item", "Lead officer(s)", "Time", "Mins", "Papers"],
        "row in rows", "row.is_group", "{{ row.group }}",
        ["{{ row.number }}", "{{ row.title }}", "{{ row.lead }}", "{{ row.time }}", "{{ row.minutes }}",
         "{{ row.papers }}"],
        widths=[11, 63, 38, 26, 13, 19],
    )
    table = b.doc.tables[-1]
    last = table.add_row()
    texts = ["", "Date of next {{ short_name }} meeting",
             "{% if next_meeting.known %}{{ next_meeting.date }}{% else %}to be agreed{% endif %}", "",
             "{{ total_minutes }}", ""]
    for cell, text in zip(last.cells, texts, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    b.para("")
    b.para("Papers are numbered as in the board pack. Times are a guide.", "Figure Source")
    return b


# --- 6 Minutes template ---------------------------------------------------------------------------


def _people(b: Builder, heading: str, key: str) -> None:
    b.h2(heading)
    b.table(["Name", "Organisation"], ["{{ m.label }}", "{{ m.organisation }}"],
            loop=f"m in {key}", widths=[60, 110])


def minutes() -> Builder:
    b = Builder("Minutes template")
    b.title("{{ meeting.title }}")
    b.bullet("{{ meeting.date }}")
    b.bullet("{{ meeting.start_time }}, {{ meeting.venue }}")
    b.h1("Draft minutes")
    _people(b, "Board", "board")
    _people(b, "Members", "members")
    _people(b, "Guests", "guests")
    _people(b, "Apologies", "apologies")
    b.para("[Add or remove attendees as recorded at the meeting.]", "Figure Source")
    b.tag("{%p for i in items %}")
    b.h2("{{ i.number }}. {{ i.title }}")
    b.para("{{ i.number }}.1 [Minute of the discussion. Lead: {{ i.lead }}.]")
    b.tag("{%p if i.outcomes %}")
    b.table(["Recommendation", "Recommended", "Outcome (agreed / agreed with changes / not agreed)"],
            ["{{ o.subject }}", "{{ o.recommendation }}", "{{ o.outcome }}"], loop="o in i.outcomes",
            widths=[75, 30, 65])
    b.tag("{%p endif %}")
    b.tag("{%p if i.decision %}")
    b.para("**Outcome:** [agreed / agreed with changes / not agreed; record the decision and any conditions]")
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}")
    b.h1("Action points")
    b.para("Open action points carried forward from earlier meetings; add new actions below them.")
    table = b.table(["Month / number", "Action point", "Owner", "Due", "Action"],
                    ["{{ a.number }}", "{{ a.text }}", "{{ a.owner }}", "{{ a.due }}", "{{ a.status }}"],
                    loop="a in actions", widths=[22, 70, 30, 20, 28])
    for _ in range(3):
        table.add_row()
    b.para("The previous meeting was {% if previous_meeting.known %}{{ previous_meeting.title }} on "
           "{{ previous_meeting.date }}{% else %}not recorded{% endif %}.", "Figure Source")
    return b


# --- 7 Data quality report ------------------------------------------------------------------------


def data_quality() -> Builder:
    b = Builder("Data Quality Report")
    b.title("Data quality report {{ cycle }}")
    b.para("{{ partnership_name }} · data for {{ period }} and the year before")
    _version_note(b)
    b.h1("Summary")
    b.para("{{ checks.passed }} of {{ checks.total }} checks passed; {{ checks.warnings }} warning(s) and "
           "{{ checks.blocking }} blocking failure(s). {{ quarantine_total }} row(s) were quarantined with "
           "their reason. {{ match.lsoa_pct }} of police records matched a {{ census_year }} LSOA by code.")
    b.h1("Files received")
    _source_summary(b, "source_summary")
    b.tag("{%p if not is_public %}")
    b.h2("Files received")
    _files_tables(b, "f", "files")
    b.tag("{%p endif %}")
    b.h1("Coverage by source and month")
    b.para("Incidents stored for each month of the assessment period and the year before; “missing” "
           "marks a month with no data, “quarterly” a month reported within a quarter's total.")
    table = b.doc.add_table(rows=5, cols=4)
    table.style = b.doc.styles["CSP Table"]
    cells = [["Month", "{%tc for s in coverage_sources %}", "{{ s }}", "{%tc endfor %}"],
             ["{%tr for r in coverage_rows %}", "", "", ""],
             ["{{ r.month }}", "{%tc for v in r.cells %}", "{{ v }}", "{%tc endfor %}"],
             ["{%tr endfor %}", "", "", ""]]
    for row, texts in zip(table.rows, cells, strict=False):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    table._tbl.remove(table.rows[4]._tr)
    b.h2("Months per source")
    b.table(["Source", "Months expected", "Months with data", "Missing months"],
            ["{{ c.source }}", "{{ c.months_expected }}", "{{ c.months_present }}", "{{ c.missing }}"],
            loop="c in coverage", widths=[50, 25, 25, 70])
    b.h1("Validation")
    b.h2("Blocking failures")
    b.tag("{%p if blocking %}")
    b.tag("{%p if is_public %}")
    b.table(["Source", "Check", "Column", "Rows affected"],
            ["{{ w.source }}", "{{ w.expectation }}", "{{ w.column }}", "{{ w.unexpected }}"],
            loop="w in blocking", widths=[40, 80, 25, 25])
    b.tag("{%p else %}")
    b.table(["Source", "File", "Check", "Column", "Rows affected", "Message"],
            ["{{ w.source }}", "{{ w.file_name }}", "{{ w.expectation }}", "{{ w.column }}",
             "{{ w.unexpected }}", "{{ w.message }}"],
            loop="w in blocking", widths=[22, 32, 32, 20, 16, 48])
    b.tag("{%p endif %}")
    b.tag("{%p else %}")
    b.para("No blocking check failed.")
    b.tag("{%p endif %}")
    b.h2("Warnings")
    b.tag("{%p if warnings %}")
    b.tag("{%p if is_public %}")
    b.table(["Source", "Check", "Column", "Rows affected"],
            ["{{ w.source }}", "{{ w.expectation }}", "{{ w.column }}", "{{ w.unexpected }}"],
            loop="w in warnings", widths=[40, 80, 25, 25])
    b.tag("{%p else %}")
    b.table(["Source", "File", "Check", "Column", "Rows affected", "Message"],
            ["{{ w.source }}", "{{ w.file_name }}", "{{ w.expectation }}", "{{ w.column }}",
             "{{ w.unexpected }}", "{{ w.message }}"],
            loop="w in warnings", widths=[22, 32, 32, 20, 16, 48])
    b.tag("{%p endif %}")
    b.tag("{%p else %}")
    b.para("No warnings.")
    b.tag("{%p endif %}")
    b.h1("Quarantined rows")
    b.tag("{%p if quarantine %}")
    b.tag("{%p if is_public %}")
    b.table(["Source", "Rule", "Column", "Rows"],
            ["{{ q.source }}", "{{ q.rule }}", "{{ q.column }}", "{{ q.rows }}"],
            loop="q in quarantine", widths=[45, 80, 25, 20])
    b.source("Files, example reasons and row numbers are in the restricted version only.")
    b.tag("{%p else %}")
    b.table(["Source", "File", "Rule", "Column", "Rows", "Example reason", "First rows"],
            ["{{ q.source }}", "{{ q.file_name }}", "{{ q.rule }}", "{{ q.column }}", "{{ q.rows }}",
             "{{ q.reason }}", "{{ q.row_numbers }}"],
            loop="q in quarantine", widths=[20, 30, 25, 18, 12, 45, 20])
    b.tag("{%p endif %}")
    b.tag("{%p else %}")
    b.para("No rows were quarantined.")
    b.tag("{%p endif %}")
    b.h1("Matching crime records to areas")
    b.para("{{ match.lsoa_pct }} of police records matched a {{ census_year }} LSOA by code, {{ match.msoa_pct }} "
           "an MSOA; {{ match.population_pct }} were placed in an area with a population. Records with no "
           "LSOA, or an LSOA the census does not hold, still count in every partnership total.")
    b.tag("{%p if illustrative_sources %}")
    b.h1("Illustrative data")
    b.para("These sources are illustrative files in the partners' published shapes, not real data:")
    b.loop("{%p for s in illustrative_sources %}", [("List Bullet", "{{ s }}")])
    b.tag("{%p endif %}")
    return b


# --- 8 Terms of reference -------------------------------------------------------------------------

RESPONSIBILITIES = (
    ("2. Agencies represented on the {{ short_name }} are responsible for:", (
        "appointing a representative (“member”) to attend its meetings and events and to act as the "
        "contact point between agencies;",
        "ensuring their member is well briefed and receives a handover when membership changes; and",
        "contributing to multi-agency problem solving on the issues in the Community Safety Plan.",
    )),
    ("3. Members are responsible for:", (
        "contributing to the work and development of the partnership;",
        "ensuring their agency considers community safety in the way it delivers its services;",
        "identifying the resources their agency can bring to the problems the partnership identifies;",
        "attending meetings, having read the agenda papers;",
        "sending reports for discussion to the Partnership Support Officer by the deadline set, "
        "advising of any that are confidential;",
        "feeding back from meetings to their agency; and",
        "ensuring their agency complies with the Information Sharing Agreement.",
    )),
    ("4. The {{ short_name }} is responsible for:", (
        "commissioning the annual strategic assessment;",
        "agreeing the annual refresh of the Community Safety Plan, using the strategic assessment;",
        "setting SMART objectives within the plan, based on a problem-solving approach;",
        "commissioning and financing projects to tackle the problems the assessment identifies;",
        "allocating grant funding in line with the conditions of grant;",
        "monitoring progress against the plan and challenging lack of progress; and",
        "working with the Police and Crime Commissioner so that their plans complement each other.",
    )),
    ("5. The Chair is responsible for:", (
        "chairing meetings, ensuring the business is completed and decisions are taken by majority vote;",
        "reminding the public present of the information printed with the agenda; and",
        "representing the partnership at other meetings and with the media.",
    )),
    ("6. The Vice Chair is responsible for:", (
        "chairing meetings in the absence of the Chair;",
        "acting as champion for the strategic assessment process; and",
        "overseeing performance management and reviewing it at meetings.",
    )),
    ("7. Voting", (
        "Where a report seeks the Board's approval the Chair calls for a show of hands of Board members "
        "present, counting any votes notified in advance by Board members not present; and",
        "each represented agency has one vote only.",
    )),
    ("8. The Partnership Support Officer is responsible for:", (
        "advertising meetings and publishing agendas and reports within five working days of each "
        "meeting;",
        "ensuring agreed actions are taken forward between meetings; and",
        "providing induction support and materials for new members.",
    )),
)


def terms_of_reference() -> Builder:
    b = Builder("Terms of Reference")
    b.title("{{ partnership_name }}")
    b.h1("Terms of reference")
    b.h2("1. Foreword")
    for text in (
        "We are responsible for an overarching strategic framework for reducing crime and improving "
        "community safety in {{ area_name }};",
        "we ensure that partner agencies work together, that their work is joined up and that our "
        "performance is managed;",
        "we take an intelligence-led approach and use problem solving to address issues;",
        "we engage with the community, encouraging people to report and tackle crime and disorder; and",
        "we allocate funding through transparent procedures based on the available evidence.",
    ):
        b.bullet(text)
    b.tag("{%p if decided %}")
    b.para("The priorities of the {{ short_name }} for {{ priorities_year }}, agreed on {{ decided_date }} "
           "and detailed in the Community Safety Plan {{ plan_period }}, are:")
    b.tag("{%p else %}")
    b.para("The priorities of the {{ short_name }} in force until the Board agrees those for "
           "{{ priorities_year }} are:")
    b.tag("{%p endif %}")
    b.loop("{%p for p in priorities %}", [("List Bullet", "**{{ p.title }}**")])
    b.tag("{%p if proposed %}")
    b.para("Proposed for {{ priorities_year }}, for the Board's agreement on {{ meeting.date }} (not yet "
           "agreed):")
    b.loop("{%p for p in proposed %}", [("List Bullet", "{{ p.title }} (proposed)")])
    b.tag("{%p endif %}")
    for heading, bullets in RESPONSIBILITIES:
        b.h2(heading)
        for text in bullets:
            b.bullet(text)
    b.h2("9. Membership")
    b.h3("Board members (voting)")
    b.table(["Organisation", "Representative"], ["{{ m.organisation }}", "{{ m.label }}"],
            loop="m in board", widths=[100, 70])
    b.h3("Members (non-voting)")
    b.table(["Organisation", "Representative"], ["{{ m.organisation }}", "{{ m.label }}"],
            loop="m in members", widths=[100, 70])
    b.h2("10. Further information")
    b.para("{{ contact.officer }}, {{ contact.address }}, {{ contact.email }}, {{ contact.phone }}")
    return b


BUILDERS = {
    "strategic_assessment": strategic_assessment,
    "sa_summary": sa_summary,
    "priorities": priorities,
    "community_safety_plan": community_safety_plan,
    "agenda": agenda,
    "minutes": minutes,
    "data_quality": data_quality,
    "terms_of_reference": terms_of_reference,
    "action_log": action_log,
    "financial_report": financial_report,
    "tcg_performance": tcg_performance,
    "scrutiny_report": scrutiny_report,
}


def build(kinds: list[str] | None = None, folder: Path = HERE) -> list[Path]:
    """Write the named templates (all of them by default) into ``folder``."""
    written = []
    for kind in kinds or list(BUILDERS):
        path = folder / f"{kind}.docx"
        BUILDERS[kind]().save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in build(sys.argv[1:] or None):
        print(written_path)
