"""the binding rule of each waitlisted result of an allocation run

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 20:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Runs stored before: empty, their reasons are only in words.
    with op.batch_alter_table('allocation_result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', sa.String(length=20), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('allocation_result', schema=None) as batch_op:
        batch_op.drop_column('rule')
