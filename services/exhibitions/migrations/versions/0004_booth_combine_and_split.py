"""booth combine and split

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 18:17:56.850507
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('booth', schema=None) as batch_op:
        # sa.true(), not text('1'): PostgreSQL refuses an integer default for a boolean column.
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('part_of_id', sa.Integer(), nullable=True))
        # Named: SQLite's batch mode cannot create or drop an unnamed constraint.
        batch_op.create_foreign_key('fk_booth_part_of_id_booth', 'booth', ['part_of_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('booth', schema=None) as batch_op:
        batch_op.drop_constraint('fk_booth_part_of_id_booth', type_='foreignkey')
        batch_op.drop_column('part_of_id')
        batch_op.drop_column('active')
