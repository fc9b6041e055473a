"""The board papers stage: Word papers drafted from the store through editable templates.

Modules: ``registry`` (which papers, file names, templates), ``schemas`` (what each template receives),
``lint`` (template checks), ``context`` and ``ctx_*`` (each paper's context from the store),
``render`` (docxtpl to a verified, reproducible .docx), ``pack`` (folder, manifest, zip, Paper rows)
and ``tasks`` (thin Prefect wrappers).
"""
