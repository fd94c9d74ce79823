"""Product photos, the catalogue listing the registry learns from curation, product descriptions

product_photo holds each photo of a product by reference (its files are in the photo store, named by
hash); catalogue_listing says whether curation lists a product, which makes its photos public;
product.description is what a buyer reads in the catalogue.

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'product_photo',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('product_id', sa.Uuid(), nullable=False),
        sa.Column('ikm_id', sa.Uuid(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('sizes', sa.JSON(), nullable=False),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', shared.db.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['product.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_product_photo_product_position', 'product_photo', ['product_id', 'position'])
    op.create_index(op.f('ix_product_photo_ikm_id'), 'product_photo', ['ikm_id'])
    op.create_index(op.f('ix_product_photo_hash'), 'product_photo', ['hash'])
    op.create_table(
        'catalogue_listing',
        sa.Column('product_id', sa.Uuid(), nullable=False),
        sa.Column('listed', sa.Boolean(), nullable=False),
        sa.Column('changed_at', shared.db.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['product.id']),
        sa.PrimaryKeyConstraint('product_id'),
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('description')
    op.drop_table('catalogue_listing')
    op.drop_index(op.f('ix_product_photo_hash'), table_name='product_photo')
    op.drop_index(op.f('ix_product_photo_ikm_id'), table_name='product_photo')
    op.drop_index('ix_product_photo_product_position', table_name='product_photo')
    op.drop_table('product_photo')
