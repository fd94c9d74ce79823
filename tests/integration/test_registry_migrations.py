"""Registry revision 0003 on SQLite and PostgreSQL: NIKs stored before it are sealed, read back
unchanged, and fingerprinted (ADR 0016)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session, select

from registry import personal
from registry.app import MIGRATIONS
from registry.tables import Ikm
from shared.db import make_engine, migrate
from tests.support.servers import create_database

KEY = "a-migration-test-key-of-32-bytes-or-more"
NIK = "5104014101800042"


def _filler(column: sa.Column[Any]) -> Any:
    """Any value of the column's type, for the columns a row at revision 0002 requires."""
    kind = column.type.python_type if hasattr(column.type, "python_type") else str
    values: dict[type, Any] = {str: "x", int: 1, bool: False, uuid.UUID: uuid.uuid4(), list: [], dict: {},
                               dt.datetime: dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.date: dt.date(2026, 1, 1)}
    return values.get(kind, "x")


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_revision_0003_seals_the_niks_already_stored(backend: str, tmp_path: Path,
                                                      request: pytest.FixtureRequest) -> None:
    personal.use_key(KEY)
    url = (f"sqlite:///{tmp_path / 'registry.db'}" if backend == "sqlite"
           else create_database(request.getfixturevalue("postgres_server"), "sentra_registry_0003"))
    engine = make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0002")
    ikm = sa.Table("ikm", sa.MetaData(), autoload_with=engine)
    row = {c.name: _filler(c) for c in ikm.columns if not c.nullable}
    # SQLAlchemy's Uuid is CHAR(32) hex on SQLite, a native UUID on PostgreSQL.
    row.update(id=uuid.uuid4().hex if backend == "sqlite" else uuid.uuid4(), owner_nik=NIK, nib=None)
    with engine.begin() as connection:
        connection.execute(ikm.insert(), [row])

    migrate(engine, MIGRATIONS)

    with engine.connect() as connection:
        stored, fingerprint = connection.execute(sa.text("SELECT owner_nik, owner_nik_hash FROM ikm")).one()
    assert stored.startswith("v1.") and NIK not in stored
    assert fingerprint == personal.vault().fingerprint(NIK)
    with Session(engine) as session:
        assert session.exec(select(Ikm.owner_nik)).one() == NIK
    engine.dispose()
