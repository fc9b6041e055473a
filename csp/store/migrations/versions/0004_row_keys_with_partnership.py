"""crime_record and metric: one foreign key naming the row's parent and partnership together

A crime row had two keys, to its file and to its partnership, and a metric two, to its cycle and to its
partnership; each row stored paid a look-up for each. The partnership is the parent's own, so one
composite key, (input_file_id, partnership_id) -> input_file(id, partnership_id) and (cycle_id,
partnership_id) -> cycle(id, partnership_id), says more (a row cannot name another partnership than
its file's or cycle's; a partnership without the file cannot exist either) for one look-up a row:
about a fifth of PostgreSQL's time storing a national run's six million crime rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 19:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the initial schema's keys were unnamed: PostgreSQL named them itself; on SQLite a batch rebuild
# reflects them under this convention, so they can be named to be dropped
SQLITE_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
CHILDREN = (  # table, (parent column, parent table), composite key's name
    ("crime_record", ("input_file_id", "input_file"), "fk_crime_record_file_partnership"),
    ("metric", ("cycle_id", "cycle"), "fk_metric_cycle_partnership"),
)
PARENT_KEYS = (("input_file", "uq_input_file_id_partnership"), ("cycle", "uq_cycle_id_partnership"))


def _old_key_name(table: str, column: str, parent: str) -> str:
    if op.get_bind().dialect.name == "sqlite":
        return f"fk_{table}_{column}_{parent}"
    return f"{table}_{column}_fkey"  # PostgreSQL's own name for an unnamed key


def _batch(table: str):  # noqa: ANN202 - alembic's BatchOperations context manager
    return op.batch_alter_table(table, naming_convention=SQLITE_NAMES)


def upgrade() -> None:
    for parent, name in PARENT_KEYS:  # an index: a batch rebuild of a parent would break its children
        op.create_index(name, parent, ["id", "partnership_id"], unique=True)
    for table, (column, parent), name in CHILDREN:
        with _batch(table) as batch:
            batch.drop_constraint(_old_key_name(table, column, parent), type_="foreignkey")
            batch.drop_constraint(_old_key_name(table, "partnership_id", "partnership"), type_="foreignkey")
            batch.create_foreign_key(name, parent, [column, "partnership_id"], ["id", "partnership_id"])


def downgrade() -> None:
    for table, (column, parent), name in CHILDREN:
        with _batch(table) as batch:
            batch.drop_constraint(name, type_="foreignkey")
            batch.create_foreign_key(_old_key_name(table, column, parent), parent, [column], ["id"])
            batch.create_foreign_key(_old_key_name(table, "partnership_id", "partnership"), "partnership",
                                     ["partnership_id"], ["id"])
    for parent, name in PARENT_KEYS:
        op.drop_index(name, table_name=parent)
