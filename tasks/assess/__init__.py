"""Strategic assessment: levels, change, series, places, concentration, suppression, findings, charts.

Plain functions in the modules (``analysis.analyse`` chains them; ``run.assess_partnership`` runs the
whole stage without Prefect); thin Prefect task wrappers in ``tasks.py``; the flow is
``flows/strategic_assessment.py``. See docs/assess.md.
"""
