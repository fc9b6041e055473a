"""Regenerate the initial migration from the models (only until the first shared deployment).

Until a shared database exists there is one migration, derived from ``models.py``; after that, new
migrations are added with ``alembic revision --autogenerate`` and this module is retired.
Run: ``python -m csp.store.regen_migration``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from csp.store.db import MIGRATIONS, alembic_config


def main() -> None:
    versions = MIGRATIONS / "versions"
    for old in versions.glob("*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        config = alembic_config(f"sqlite:///{Path(tmp) / 'blank.db'}")
        command.revision(config, message="initial schema", autogenerate=True, rev_id="0001")


if __name__ == "__main__":
    main()
