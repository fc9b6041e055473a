"""Priority recommendation: priority areas (rules.py), thematic priorities (themes.py), the board's
decisions (decisions.py), store access (store.py) and thin Prefect task wrappers (tasks.py)."""
