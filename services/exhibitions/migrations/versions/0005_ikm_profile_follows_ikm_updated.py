"""ikm profile follows ikm.updated

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 19:11:07.887662
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ikm_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', shared.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ikm_profile', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
