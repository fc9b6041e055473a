"""cycle.validation_digest and cycle.recommendations_digest: what the stored validation and
recommendations were made from, so that an unchanged cycle need not run those stages again

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cycle') as batch:
        batch.add_column(sa.Column('validation_digest', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('recommendations_digest', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cycle') as batch:
        batch.drop_column('recommendations_digest')
        batch.drop_column('validation_digest')
