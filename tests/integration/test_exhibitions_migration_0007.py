"""Revision 0007 of exhibitions (each waitlisted run result's binding rule), on SQLite and PostgreSQL:
the migrated table is the tables' table, and it goes down to 0006 and up again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import exhibitions.app
import exhibitions.tables
from shared.db import make_engine
from tests.integration.test_migrations_0004 import _table_of
from tests.support.servers import create_database


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_revision_0007_matches_the_tables_and_reverts(backend: str, tmp_path: Path,
                                                      request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 'exhibitions.db'}" if backend == "sqlite"
           else create_database(request.getfixturevalue("postgres_server"), "sentra_exhibitions_0007"))
    engine = make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(exhibitions.app.MIGRATIONS))
    metadata = exhibitions.tables.AllocationResult.metadata
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0007")
        context = MigrationContext.configure(connection)
        assert [d for d in compare_metadata(context, metadata) if _table_of(d) == "allocation_result"] == []
        command.downgrade(cfg, "0006")
        assert "rule" not in {c["name"] for c in inspect(connection).get_columns("allocation_result")}
        command.upgrade(cfg, "head")
        assert "rule" in {c["name"] for c in inspect(connection).get_columns("allocation_result")}
    engine.dispose()
