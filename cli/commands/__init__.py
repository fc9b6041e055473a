"""Command modules of the ``csp`` CLI, one per stage."""
