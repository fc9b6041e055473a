"""validation_result.input_file_id indexed: the papers read a cycle's checks as "the cycle's own, or
any of its files'", and without this index that question read the whole table (on a national store,
six times a partnership)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_validation_result_input_file_id', 'validation_result', ['input_file_id'])


def downgrade() -> None:
    op.drop_index('ix_validation_result_input_file_id', table_name='validation_result')
