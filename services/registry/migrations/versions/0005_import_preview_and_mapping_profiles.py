"""Imports previewed and mapped before they run, mapping profiles

import_job.regency_code is the kabupaten a registrar names for a file that names it in neither its
title nor a column; import_job.mapping holds the columns and values as mapped in the preview (an
import now also takes the status 'preview', a plain string column that needs no change);
mapping_profile keeps a mapping under a name, found again by the file's columns.

Revision ID: 0005
Revises: 0004
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'mapping_profile',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('columns_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('mapping', sa.JSON(), nullable=False),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', shared.db.UtcDateTime(), nullable=False),
        sa.Column('updated_at', shared.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_index(op.f('ix_mapping_profile_columns_key'), 'mapping_profile', ['columns_key'])
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('regency_code', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True))
        batch_op.add_column(sa.Column('mapping', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.drop_column('mapping')
        batch_op.drop_column('regency_code')
    op.drop_index(op.f('ix_mapping_profile_columns_key'), table_name='mapping_profile')
    op.drop_table('mapping_profile')
