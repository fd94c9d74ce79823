"""NIKs sealed at rest, with a keyed fingerprint

ikm.owner_nik holds the NIK encrypted (registry/personal.py, ADR 0016) and widens to hold it;
ikm.owner_nik_hash holds its keyed fingerprint, indexed. NIKs already stored are sealed here, with
the key the service runs with (SENTRA_PERSONAL_DATA_KEY).

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.personal import vault

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('ikm', schema=None) as batch_op:
        batch_op.alter_column('owner_nik', existing_type=sa.String(length=16), type_=sa.String(length=80),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('owner_nik_hash', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    ikm = sa.table('ikm', sa.column('id', sa.Uuid()), sa.column('owner_nik', sa.String()),
                   sa.column('owner_nik_hash', sa.String()))
    keys = vault()
    rows = conn.execute(sa.select(ikm.c.id, ikm.c.owner_nik).where(ikm.c.owner_nik_hash.is_(None))).all()
    for start in range(0, len(rows), _BATCH):
        conn.execute(sa.update(ikm).where(ikm.c.id == sa.bindparam('row_id')),
                     [{'row_id': row.id, 'owner_nik': keys.seal(row.owner_nik),
                       'owner_nik_hash': keys.fingerprint(row.owner_nik)} for row in rows[start:start + _BATCH]])
    with op.batch_alter_table('ikm', schema=None) as batch_op:
        batch_op.alter_column('owner_nik_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('ix_ikm_owner_nik_hash', ['owner_nik_hash'], unique=False)


def downgrade() -> None:
    conn = op.get_bind()
    ikm = sa.table('ikm', sa.column('id', sa.Uuid()), sa.column('owner_nik', sa.String()))
    keys = vault()
    for row in conn.execute(sa.select(ikm.c.id, ikm.c.owner_nik)).all():
        conn.execute(sa.update(ikm).where(ikm.c.id == row.id).values(owner_nik=keys.open(row.owner_nik)))
    with op.batch_alter_table('ikm', schema=None) as batch_op:
        batch_op.drop_index('ix_ikm_owner_nik_hash')
        batch_op.drop_column('owner_nik_hash')
        batch_op.alter_column('owner_nik', existing_type=sa.String(length=80), type_=sa.String(length=16),
                              existing_nullable=False)
